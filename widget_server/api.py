"""The JSON API documents, as the bytes that both the server and the static export deliver."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from widget_server.markup import card_text
from widget_server.model import Glossary, Site, Term
from widget_server.names import fold, plural, split_name, words_of
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
# The periods /admin/ reports on (its `since`), served by widget_server/admin.py.
ADMIN_PERIODS = ("7d", "30d", "90d", "365d")
# The CORS preflight's answer on the read endpoints and the widget's files: a page's script may
# fetch them with headers of its own (a fetch wrapper's, a tracing library's), which makes its
# GET a request the browser asks about first. No credentials are read, so any header may come
# (`*`, which for a request without credentials is every name but Authorization).
READ_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}
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
RULE_MARKS = (NEAR_MARK, NOT_MARK)
# The widget compiles one regular expression of the first letters of the words it looks names
# up by (`starts` in an index file): four letters while they give at most this many
# alternatives, else three, else two. More made the expression slow to compile.
MAX_BEGINNINGS = 2000


def api_files(glossary: Glossary, feedback_url: str | None = None) -> Iterator[tuple[str, bytes]]:
    """Every API document, as (path below the glossary's base URL, bytes); `feedback_url` as in
    `categories_document`."""
    yield f"{API_PREFIX}categories.json", encode(categories_document(glossary, feedback_url))
    yield f"{API_PREFIX}terms.json", encode(terms_document(glossary))
    for term in glossary.terms:
        yield f"{API_PREFIX}terms/{term.slug}.json", encode(term_document(glossary, term))
    # The file of every category, then one per category; its entries made once for both forms.
    for category in (None, *(c.slug for c in glossary.categories)):
        entries, defaults = index_entries(glossary, category)
        name = f"/{category}.json" if category else ".json"
        yield f"{API_PREFIX}matcher{name}", encode(matcher_file(category, entries, defaults))
        yield f"{API_PREFIX}index{name}", encode(index_document(category, entries, defaults))
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


def matcher_file(category: str | None, entries: list[list[str]], defaults: tuple[str, ...]) -> dict[str, Any]:
    """The matcher the widget downloads, of `index_entries(glossary, category)`: for one
    category, or (None) for every term, the file a tag without `data-categories` reads. It is
    made here once per glossary version rather than in every reader's browser
    (`matcher_document`)."""
    document: dict[str, Any] = {"category": category} if category else {}
    return document | matcher_document(entries, defaults)


def index_document(category: str | None, entries: list[list[str]], defaults: tuple[str, ...]) -> dict[str, Any]:
    """The matching index of `index_entries(glossary, category)`, which the widget read before
    it read `matcher_file`: kept for the widgets pinned then (a pinned tag keeps working after
    upgrades) and for other readers of the API. `terms` are the entries, `context` the
    category's context words when a term uses them; `words` maps each word a name is looked up
    by (`lookup_words`) to the positions in `terms` of the entries with such a name, and
    `starts` is as in `matcher_document`."""
    document: dict[str, Any] = {"category": category} if category else {}
    document["terms"] = entries
    if defaults:
        document["context"] = list(defaults)
    words = entry_words(entries)
    document["words"] = words
    document["starts"] = beginnings(words)
    return document


def index_entries(glossary: Glossary, category: str | None = None) -> tuple[list[list[str]], tuple[str, ...]]:
    """The terms of an index file as entries, and the context words of its category that they
    may take: what both matchers are made from (`matcher_document` for the widget,
    `widget_server/matcher.py` on the server).

    An entry is `[slug, name, name, ...]`: the title first, then the aliases. The slug of a
    case-sensitive term starts with `=`: all its names match exactly, with no plural. In other
    terms, an acronym alias (APR) starts with `=`: it matches only in capitals, plural included
    (APRs). No slug or name can start with `=` otherwise.

    Context rules follow the names, so that an unambiguous term costs nothing: a name that needs
    context has `?` after any `=` (`"?Premium"`, `"=?ARM"`), then come the term's context words,
    each as `+word`, and its `not` phrases, each as `-phrase` (no name starts with `?`, `+` or
    `-`). A term whose names need context but that lists no `+` words takes the category's,
    returned beside the entries: only when they are the term's own defaults (those of all its
    categories), so that a term in two index files reads the same from either. The file of every
    term has no category's defaults: its terms list their words.
    """
    found = glossary.category(category) if category else None
    defaults = found.context if found else ()
    terms = glossary.terms_in(category) if category else glossary.terms
    entries = [_index_entry(glossary, term, defaults) for term in terms]
    return entries, (defaults if any(_uses_defaults(entry) for entry in entries) else ())


@dataclass(frozen=True)
class IndexName:
    """A name of an index entry as a matcher tries it: `fits` (widget_js/matcher.js) compares a
    text's words with `words`, the last also with `plural`, and the text between them with
    `gaps`."""

    name: str  # as written in the glossary, without marks
    words: tuple[str, ...]  # folded, unless exact
    gaps: tuple[str, ...]
    exact: bool  # compared with the text as written, not folded
    plural: str  # of the last word; "" for a case-sensitive term
    needs: bool  # matches only with a context word near


def index_name(marked: str, case_sensitive: bool) -> IndexName:
    """Reads a name as an index entry writes it, marks and all."""
    exact = case_sensitive or marked.startswith(EXACT_MARK)
    unmarked = marked.removeprefix(EXACT_MARK)
    name = unmarked.removeprefix(NEEDS_MARK)
    words, gaps = split_name(name if exact else fold(name))
    return IndexName(
        name=name,
        words=tuple(words),
        gaps=tuple(gaps),
        exact=exact,
        plural="" if case_sensitive or not words else plural(words[-1]),
        needs=unmarked.startswith(NEEDS_MARK),
    )


def matcher_document(entries: list[list[str]], defaults: tuple[str, ...] = ()) -> dict[str, Any]:
    """The matcher of `entries` (`index_entries`) as the widget reads it (`matcher_file`):
    `{"names", "starts", "rules"}`.

    `names` maps each word a name is looked up by (`lookup_words`) to the names that may begin
    there, in glossary order. Each is `[slug, exact, near, not, plural, word, gap, word, ...]`:
    `exact` is 1 for a name compared with the text as written (0: folded); `near` and `not`
    are 0, or n for the words or phrases in `rules[n - 1]`: the context words one of which the
    name's block must hold (for a name that needs them), and the phrases the name must not be
    part of; then come the name's form (`name_form`). A name that needs context words and has
    none never matches, and is left out.

    `starts` is the alternation of the first letters of `names`' words, from which the widget
    makes the one expression that finds where a name may begin. `rules` (only where a term has
    context rules) lists each set of context words (a term's own, else `defaults`) and of `not`
    phrases once, each word or phrase in its form.
    """
    names: dict[str, list[list[Any]]] = {}
    rules: dict[tuple[str, ...], int] = {}  # words or phrases -> n, as `near` and `not` give it

    def rule(words: list[str]) -> int:
        return rules.setdefault(tuple(words), len(rules) + 1) if words else 0

    for entry in entries:
        case_sensitive = entry[0].startswith(EXACT_MARK)
        slug = entry[0].removeprefix(EXACT_MARK)
        own = [item[1:] for item in entry if item.startswith(NEAR_MARK)]
        refuse = [item[1:] for item in entry if item.startswith(NOT_MARK)]
        for marked in entry_names(entry):
            name = index_name(marked, case_sensitive)
            near = rule(own or list(defaults)) if name.needs else 0
            if not name.words or (name.needs and not near):
                continue
            candidate = [slug, int(name.exact), near, rule(refuse), *name_form(name)]
            for word in lookup_words(marked, case_sensitive):
                names.setdefault(word, []).append(candidate)
    document: dict[str, Any] = {"names": names, "starts": beginnings(names)}
    if rules:
        document["rules"] = [[name_form(index_name(words, False)) for words in rule] for rule in rules]
    return document


def name_form(name: IndexName) -> list[str]:
    """`[plural, word, gap, word, ...]`: a name (with at least one word) as `fits`
    (widget_js/matcher.js) compares it with a text."""
    form = [name.plural, name.words[0]]
    for gap, word in zip(name.gaps, name.words[1:], strict=True):
        form += [gap, word]
    return form


def lookup_words(name: str, case_sensitive: bool) -> tuple[str, ...]:
    """The words a matcher looks `name` (as an index entry writes it, marks and all) up by: its
    first word, folded, and for a one-word name of a term that is not case-sensitive, its plural
    (the plural of a one-word name begins with another word: premiums, policies, APRs); none
    for a name without a word. These are all the words a name can begin with in a text as the
    widget's `fits` (widget_js/matcher.js) reads it, which takes the plural for the last word
    only: the widget tries a name at no other word."""
    words = [name[start:end] for start, end in words_of(name)]
    if not words:
        return ()
    first = fold(words[0])
    if case_sensitive or len(words) > 1:
        return (first,)
    return first, fold(plural(words[0] if name.startswith(EXACT_MARK) else first))


def entry_names(entry: list[str]) -> list[str]:
    """An index entry's names with their marks, title first: what comes before its rules."""
    names = []
    for item in entry[1:]:
        if item.startswith(RULE_MARKS):
            break
        names.append(item)
    return names


def entry_words(entries: list[list[str]]) -> dict[str, list[int]]:
    """Each word names are looked up by, with the positions of the entries that have such a
    name, in order (an index file's `words`)."""
    found: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        case_sensitive = entry[0].startswith(EXACT_MARK)
        for name in entry_names(entry):
            for word in lookup_words(name, case_sensitive):
                positions = found.setdefault(word, [])
                if positions[-1:] != [position]:
                    positions.append(position)
    return found


def beginnings(words: Collection[str]) -> str:
    """The first letters of `words`, as few as keep them to MAX_BEGINNINGS alternatives (at
    least two), joined by `|` (an index file's `starts`). Words are letters, marks, digits and
    `_`, none of which a regular expression reads as syntax."""
    found: set[str] = set()
    for length in (4, 3, 2):
        found = {word[:length] for word in words}
        if len(found) <= MAX_BEGINNINGS:
            break
    return "|".join(sorted(found))


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
