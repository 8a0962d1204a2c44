"""The HTML glossary pages and term snippets, and the files search engines read about them,
rendered with Jinja2 (autoescape on)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from widget_server.api import entry_path
from widget_server.assets import Assets
from widget_server.markup import card_text, plain_text, render_html
from widget_server.model import SECTIONS, Glossary, Term, slugify

GLOSSARY_NAME = "Consumer Protection Glossary"
_DIGITS = re.compile(r"(\d+)")

_environment = Environment(
    loader=PackageLoader("widget_server", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,  # templates ship with the package; no stat() per page rendered
)


def page_files(
    glossary: Glossary, assets: Assets, base_url: str = "", feedback_url: str | None = None
) -> Iterator[tuple[str, bytes]]:
    """Every HTML file, as (path below the glossary's base URL, bytes).

    Links between pages are relative, so the same bytes work at any base URL; `base_url` (when
    known) only makes the canonical link and the JSON-LD `url` absolute. Entry pages end with
    "Was this helpful?" when there is a server to post to: `feedback_url` is its base URL ("" for
    the server the pages come from), None for none, and then the pages have no feedback block.
    """
    stylesheet = assets.stylesheet
    yield (
        "glossary/index.html",
        _render(
            "index.html",
            root="../",
            stylesheet=stylesheet,
            base_url=base_url,
            glossary=glossary,
            groups=_groups(glossary),
            json_ld=_set_json_ld(glossary, base_url),
            script=assets.scripts["index.js"],
        ),
    )
    # The 404 page is served for any missing path and snippets inside partners' pages, so their
    # links cannot be relative: they lead to the base URL when it is known, else the site's root.
    absolute_root = base_url.rstrip("/") + "/" if base_url else "/"
    yield (
        "404.html",
        _render(
            "404.html",
            root=absolute_root,
            stylesheet=stylesheet,
            base_url=base_url,
            script=assets.scripts["notfound.js"],
        ),
    )
    for term in glossary.terms:
        yield (
            f"{entry_path(term.slug)}index.html",
            _render(
                "entry.html",
                root="../../",
                stylesheet=stylesheet,
                base_url=base_url,
                glossary=glossary,
                term=term,
                sections=_sections(term),
                related=_related(glossary, term),
                json_ld=_term_json_ld(term, base_url),
                feedback_url=feedback_url,
                feedback_script=assets.scripts["feedback.js"],
            ),
        )
        yield (
            f"snippets/{term.slug}.html",
            _render(
                "snippet.html",
                root=absolute_root,
                term=term,
                definition=card_text(term.sections["Definition"]),
                misuse=card_text(term.sections["Misuse"]),
            ),
        )
    for slug, (name, term) in name_paths(glossary).items():
        yield (
            f"{entry_path(slug)}index.html",
            _render(
                "redirect.html",
                root="../../",
                stylesheet=stylesheet,
                base_url=base_url,
                name=name,
                term=term,
                entry_path=entry_path(term.slug),
            ),
        )


def name_paths(glossary: Glossary) -> dict[str, tuple[str, Term]]:
    """The other addresses of the entries: the slug of each name (an alias, or a title whose slug
    is not the term's) that is not a term's own slug, to the name and its term, so that
    `glossary/apr/` leads to the Annual Percentage Rate. A slug that names of two terms share
    leads nowhere: neither is the obvious one."""
    own = {term.slug for term in glossary.terms}
    found: dict[str, tuple[str, Term]] = {}
    shared: set[str] = set()
    for term in glossary.terms:
        for name in term.names:
            slug = slugify(name)
            if not slug or slug in own or slug in shared:
                continue
            if slug in found and found[slug][1] is not term:
                shared.add(slug)
                del found[slug]
            else:
                found.setdefault(slug, (name, term))
    return found


def crawler_files(glossary: Glossary, base_url: str) -> Iterator[tuple[str, bytes]]:
    """`sitemap.xml`, the index and every entry with the date it was last updated, and
    `robots.txt`, which names the sitemap, as (path below the base URL, bytes).

    A sitemap lists absolute URLs (sitemaps.org), so there is none without a base URL; and
    crawlers read robots.txt only at the root of a host, so there is none for a base URL with a
    path: the host's own robots.txt names the sitemap then (docs/deploying.md). One sitemap holds
    up to 50,000 URLs, many times a glossary's entries.
    """
    if not base_url:
        return
    # The index changes with its newest entry; an empty glossary's has no date to give.
    pages = [(_absolute(base_url, "glossary/"), max((term.updated for term in glossary.terms), default=None))]
    pages += [(_absolute(base_url, entry_path(term.slug)), term.updated) for term in glossary.terms]
    yield "sitemap.xml", _environment.get_template("sitemap.xml").render(pages=pages).encode()
    if urlsplit(base_url).path in ("", "/"):
        sitemap = _absolute(base_url, "sitemap.xml")
        yield "robots.txt", _environment.get_template("robots.txt").render(sitemap=sitemap).encode()


def render_page(template: str, root: str, **context: Any) -> bytes:
    """A page that is not a file of the site (the admin report), in the same layout."""
    return _render(template, root, **context)


def _render(template: str, root: str, **context: Any) -> bytes:
    """`root` is the relative way from the page back to the glossary's base URL."""
    return _environment.get_template(template).render(root=root, glossary_name=GLOSSARY_NAME, **context).encode()


def _groups(glossary: Glossary) -> list[tuple[Any, list[Term]]]:
    return [(category, sorted(glossary.terms_in(category.slug), key=_title_order)) for category in glossary.categories]


def _title_order(term: Term) -> list[str | int]:
    """Alphabetical, whatever the case, and numbers by their value: Chapter 7 before Chapter 13.
    (re.split with a group alternates text and digits, text first, so like compares with like.)"""
    return [int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(term.title.casefold()))]


def _sections(term: Term) -> list[tuple[str, Any]]:
    return [(name, render_html(term.sections[name])) for name in SECTIONS if name in term.sections]


def _related(glossary: Glossary, term: Term) -> list[Term]:
    return [related for slug in term.related if (related := glossary.term(slug))]


def _absolute(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}" if base_url else f"/{path}"


def _set_json_ld(glossary: Glossary, base_url: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": GLOSSARY_NAME,
        "url": _absolute(base_url, "glossary/"),
        "hasDefinedTerm": [
            {
                "@type": "DefinedTerm",
                "name": term.title,
                "url": _absolute(base_url, entry_path(term.slug)),
            }
            for term in glossary.terms
        ],
    }


def _term_json_ld(term: Term, base_url: str) -> dict[str, Any]:
    json_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": term.title,
        "description": plain_text(term.sections["Definition"]),
        "url": _absolute(base_url, entry_path(term.slug)),
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "name": GLOSSARY_NAME,
            "url": _absolute(base_url, "glossary/"),
        },
    }
    if term.aliases:
        json_ld["alternateName"] = list(term.aliases)
    return json_ld
