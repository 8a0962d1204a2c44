"""The JSON API documents, as the bytes that both the server and the static export deliver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from widget_server.markup import card_text
from widget_server.model import Glossary, Site, Term
from widget_server.sites import dataset_name, disabled_origin_hashes

API_PREFIX = "api/v1/"
# The write endpoints' paths and limits (served by widget_server/feedback.py), here beside the
# read API so that its OpenAPI document, which is site bytes, can describe them.
FEEDBACK_PATH = f"{API_PREFIX}feedback"
EVENTS_PATH = f"{API_PREFIX}events"
MAX_WRITE_BODY = 2048
ANNOTATE_PATH = f"{API_PREFIX}annotate"
MAX_ANNOTATE_BODY = 1024 * 1024
MAX_COMMENT = 500
EVENTS = ("open",)
# The CORS preflight's answer on the write endpoints: any origin may POST a JSON body.
WRITE_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}

EXACT_MARK = "="
NEEDS_MARK = "?"
NEAR_MARK = "+"
NOT_MARK = "-"


def api_files(glossary: Glossary, feedback_url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """Every API document, as (path below the glossary's base URL, bytes); `feedback_url` as in
    `categories_document`."""
    yield f"{API_PREFIX}categories.json", encode(categories_document(glossary, feedback_url))
    yield f"{API_PREFIX}terms.json", encode(terms_document(glossary))
    for term in glossary.terms:
        yield f"{API_PREFIX}terms/{term.slug}.json", encode(term_document(glossary, term))
    for category in glossary.categories:
        yield f"{API_PREFIX}index/{category.slug}.json", encode(index_document(glossary, category.slug))
    # A switched-off site's file is not published: its id and origins stay private.
    for site in glossary.sites:
        if site.enabled:
            yield f"{API_PREFIX}sites/{site.id}.json", encode(site_document(site))


def encode(document: Any) -> bytes:
    """Compact, deterministic JSON: the widget downloads these on every partner page."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def categories_document(glossary: Glossary, feedback_url: str | None = None) -> dict[str, Any]:
    """The categories and the kill switch; with `feedback_url` (the base URL of the `serve` that
    stores feedback, "" for this one; None for none), also `feedback`, the API folder the
    widget's card posts votes and opens to, relative to the glossary's base URL: the file every
    page view fetches anyway, so the widget learns it without a request of its own."""
    document: dict[str, Any] = {
        "categories": [
            {
                "slug": category.slug,
                "label": category.label,
                "description": category.description,
                "count": len(glossary.terms_in(category.slug)),
            }
            for category in glossary.categories
        ],
        # The kill switch, in the file every page view fetches (see sites.origin_hash).
        "disabled": disabled_origin_hashes(glossary.sites),
    }
    if feedback_url is not None:
        document["feedback"] = f"{feedback_url}{API_PREFIX}"
    return document


def site_document(site: Site) -> dict[str, Any]:
    """A registered site's settings, which a tag with `data-site` reads. `settings` holds the
    values its data-* attributes would have, under their `dataset` names, so that the widget
    merges the two (the tag's win) and checks them with one code path."""
    return {
        "id": site.id,
        "name": site.name,
        "origins": list(site.origins),
        "settings": {dataset_name(name): value for name, value in site.attributes().items()},
    }


def terms_document(glossary: Glossary) -> dict[str, Any]:
    return {
        "terms": [
            {
                "slug": term.slug,
                "title": term.title,
                "aliases": list(term.aliases),
                "categories": list(term.categories),
                "case_sensitive": term.case_sensitive,
            }
            for term in glossary.terms
        ]
    }


def term_document(glossary: Glossary, term: Term) -> dict[str, Any]:
    """What a hover card shows. `url` is relative to the glossary's base, like every API path."""
    return {
        "slug": term.slug,
        "title": term.title,
        "categories": [
            {"slug": slug, "label": category.label} for slug in term.categories if (category := glossary.category(slug))
        ],
        "aliases": list(term.aliases),
        "definition": card_text(term.sections["Definition"]),
        "misuse": card_text(term.sections["Misuse"]),
        "related": [
            {"slug": slug, "title": related.title} for slug in term.related if (related := glossary.term(slug))
        ],
        "url": entry_path(term.slug),
        "updated": term.updated.isoformat(),
    }


def index_document(glossary: Glossary, category: str) -> dict[str, Any]:
    """The matching index the widget downloads for one category.

    `terms` is a list of `[slug, name, name, ...]`: the title first, then the aliases. The slug
    of a case-sensitive term starts with `=`: all its names match exactly, with no plural. In
    other terms, an acronym alias (APR) starts with `=`: it matches only in capitals, plural
    included (APRs). No slug or name can start with `=` otherwise. Arrays rather than objects
    keep the file small; brotli does the rest.

    Context rules follow the names, so that an unambiguous term costs nothing: a name that needs
    context has `?` after any `=` (`"?Premium"`, `"=?ARM"`), then come the term's context words,
    each as `+word`, and its `not` phrases, each as `-phrase` (no name starts with `?`, `+` or
    `-`). A term whose names need context but that lists no `+` words takes the category's, which
    the file gives once, as `context`: only when they are the term's own defaults (those of all
    its categories), so that a term in two index files reads the same from either.
    """
    found = glossary.category(category)
    defaults = found.context if found else ()
    entries = [_index_entry(glossary, term, defaults) for term in glossary.terms_in(category)]
    document: dict[str, Any] = {"category": category, "terms": entries}
    if any(_uses_defaults(entry) for entry in entries):
        document["context"] = list(defaults)
    return document


def _index_entry(glossary: Glossary, term: Term, defaults: tuple[str, ...]) -> list[str]:
    rules = term.context

    def mark(name: str) -> str:
        exact = EXACT_MARK if term.matches_exactly(name) and not term.case_sensitive else ""
        return exact + (NEEDS_MARK if name in rules.needs else "") + name

    slug = f"{EXACT_MARK}{term.slug}" if term.case_sensitive else term.slug
    near = glossary.near_words(term) if rules.needs else ()
    return [
        slug,
        *(mark(name) for name in term.names),
        *(f"{NEAR_MARK}{word}" for word in (near if near != defaults else ())),
        *(f"{NOT_MARK}{phrase}" for phrase in rules.refuse),
    ]


def _uses_defaults(entry: list[str]) -> bool:
    """Whether an index entry has a name that needs context and no context words of its own."""
    marks = [name.lstrip(EXACT_MARK)[:1] for name in entry[1:]]
    return NEEDS_MARK in marks and NEAR_MARK not in marks


def entry_path(slug: str) -> str:
    return f"glossary/{slug}/"
