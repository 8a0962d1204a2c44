"""The matching and skip rules of issue 3, table-driven over two fixture pages.

Each fixture page holds one case per element with an id (tests/fixtures/pages/match-rules.html
and skip-rules.html); the page is loaded once per module and every case is checked against the
exact list of (slug, highlighted text) the rules give, in document order.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterator

import pytest
from conftest import GLOSSARY_DATA, LiveServer
from playwright.sync_api import Browser, Page

from tests.support.widget import (
    ISSUE_SKIP_ELEMENTS,
    RECORD_PAGE,
    Console,
    highlights,
    html_page,
    open_ready,
    serve_html,
    serve_index,
    wait_ready,
    widget_tag,
)
from widget_server.content import load_glossary
from widget_server.highlights import scan_page
from widget_server.matcher import glossary_matcher
from widget_server.model import Term
from widget_server.names import name_forms

# Per case: the highlights inside the element with that id, in document order.
Highlights = dict[str, list[tuple[str, str]]]

CASES_JS = """root => Object.fromEntries([...root.querySelectorAll(":scope > [id]")].map(
  (el) => [el.id, [...el.querySelectorAll("[data-glossary-term]")].map(
    (h) => [h.dataset.glossaryTerm, h.textContent])]))"""

PARAGRAPH_HIGHLIGHTS_JS = """paragraphs => paragraphs.map((p) => [...p.querySelectorAll(
  "[data-glossary-term]")].map((h) => [h.dataset.glossaryTerm, h.textContent]))"""

NBSP = "\u00a0"

MATCHING: dict[str, list[tuple[str, str]]] = {
    # Names: the title and the aliases of each term.
    "title": [("premium", "premium")],
    "title-multiword": [("savings-account", "savings account")],
    "alias": [("health-savings-account", "HSA")],
    "alias-lowercase": [("non-compete-agreement", "noncompete")],
    "title-and-alias": [("aca", "Affordable Care Act"), ("aca", "ACA")],
    # Case-insensitive terms match in any case; case-sensitive terms and acronym aliases only
    # exactly as written.
    "ci-title": [("premium", "PREMIUM"), ("premium", "Premium"), ("premium", "premium"), ("premium", "pReMiUm")],
    "ci-multiword": [
        ("health-savings-account", "HEALTH SAVINGS ACCOUNT"),
        ("health-savings-account", "Health savings Account"),
    ],
    "ci-unicode": [("cafe-fee", "café fee"), ("cafe-fee", "Café Fee"), ("cafe-fee", "CAFÉ FEE")],
    "cs-title": [("aca", "ACA")],
    "cs-alias": [("aca", "Affordable Care Act")],
    "acronym-alias": [("health-savings-account", "HSA")],
    # Whole words: no letter, mark, digit or _ of any script next to a match.
    "edge-letters": [],
    "edge-digits": [],
    "edge-underscore": [],
    "edge-accented": [],
    "edge-sharp-s": [],
    "edge-cyrillic": [],
    "edge-cjk": [],
    "edge-mark": [],
    "edge-astral": [],
    "edge-punctuation": [
        ("premium", "premium"),
        ("policy", "policy"),
        ("tax", "tax"),
        ("premium", "premium"),
        ("policy", "policy"),
        ("tax", "tax"),
        ("premium", "premium"),
        ("policy", "policy"),
    ],
    # A space in a name matches any run of white space, and only white space.
    "space-nbsp": [("wage-theft", f"wage{NBSP}theft")],
    "space-newline": [("wage-theft", "wage\n        theft")],
    "space-tab": [("wage-theft", "wage\ttheft")],
    "space-run": [("health-savings-account", f"health   savings \n{NBSP} account")],
    "space-thin": [("wage-theft", "wage\u2009theft")],
    "space-not": [],
    # The regular plural of the last word, in any case, not for case-sensitive terms.
    "plural": [("premium", "Premiums"), ("policy", "policies"), ("tax", "taxes"), ("class-action", "class actions")],
    "plural-case": [("premium", "PREMIUMS"), ("policy", "Policies"), ("tax", "TAXES")],
    "plural-multiword": [
        ("health-savings-account", "Health savings accounts"),
        ("data-broker", "data brokers"),
        ("cafe-fee", "café fees"),
        ("non-compete-agreement", "non-compete agreements"),
    ],
    "plural-not": [],
    "plural-case-sensitive": [],
    # An acronym alias of a case-insensitive term takes the plural, in capitals only.
    "plural-acronym": [("health-savings-account", "HSAs")],
    # Leftmost-longest, non-overlapping.
    "longest": [("health-savings-account", "health savings account")],
    "longest-plural": [("health-savings-account", "health savings accounts")],
    "longest-then-shorter": [
        ("health-savings-account", "health savings account"),
        ("savings-account", "savings account"),
    ],
    "longest-across-space": [("health-savings-account", "health\n     savings account")],
    # Within one text node: nothing across an element or a comment; inside inline elements, yes.
    "one-node-element": [],
    "one-node-comment": [],
    "one-node-inline": [("data-broker", "data broker"), ("policy", "policy")],
    # Typographic variants of the punctuation inside a name (curly apostrophe, no-break hyphen).
    "typographic": [
        ("workers-compensation", "Workers’ compensation"),
        ("workers-compensation", "workers' compensation"),
        ("non-compete-agreement", "non\u2011compete agreement"),
    ],
}

PREMIUMS = [("premium", "premium"), ("premium", "premium")]
SKIPPED = [
    *ISSUE_SKIP_ELEMENTS,  # each element of the issue's list, then the other areas
    "contenteditable",
    "contenteditable-empty",
    "contenteditable-plaintext",
    "contenteditable-inner-false",
    "hidden",
    "aria-hidden",
    "role-button",
    "role-link",
    "role-menuitem",
    "role-tab",
    "data-glossary-skip",
    "data-exclude-class",
    "data-exclude-id",
    "own-highlight",
    "own-class",
    "nested",
]
NOT_SKIPPED = [
    "not-contenteditable-false",
    "not-aria-hidden-false",
    "not-role-note",
    "not-details-body",
    "not-span",
]


def load_cases(browser: Browser, url: str) -> tuple[Highlights, dict, Console]:
    context = browser.new_context()
    try:
        page = context.new_page()
        console = Console.attach(page)
        page.add_init_script(RECORD_PAGE)
        page.goto(url)
        detail = wait_ready(page)
        cases = page.eval_on_selector("#root", CASES_JS)
        return {k: [tuple(h) for h in v] for k, v in cases.items()}, detail, console
    finally:
        context.close()


@pytest.fixture(scope="module")
def matching(browser: Browser, fixture_server: LiveServer) -> Iterator[Highlights]:
    cases, _, console = load_cases(browser, f"{fixture_server.url}/examples/match-rules.html")
    assert console.page_errors == []
    yield cases


@pytest.fixture(scope="module")
def skipping(browser: Browser, fixture_server: LiveServer) -> Iterator[Highlights]:
    cases, _, console = load_cases(browser, f"{fixture_server.url}/examples/skip-rules.html")
    assert console.page_errors == []
    yield cases


def test_every_case_of_the_matching_page_is_in_the_table(matching: Highlights) -> None:
    assert set(matching) == set(MATCHING)


@pytest.mark.parametrize("case", list(MATCHING))
def test_matching_rule(matching: Highlights, case: str) -> None:
    assert matching[case] == MATCHING[case]


def test_every_case_of_the_skip_page_is_in_the_table(skipping: Highlights) -> None:
    assert set(skipping) == set(SKIPPED) | set(NOT_SKIPPED)


@pytest.mark.parametrize("case", SKIPPED)
def test_skip_rule(skipping: Highlights, case: str) -> None:
    """Nothing inside the skipped element, and the text around it is still highlighted."""
    assert skipping[case] == PREMIUMS


@pytest.mark.parametrize("case", NOT_SKIPPED)
def test_similar_markup_is_not_skipped(skipping: Highlights, case: str) -> None:
    assert skipping[case] == [PREMIUMS[0], ("policy", "policy"), PREMIUMS[1]]


# Names that start alike are not in the fixture glossary (whose terms other tests rely on), so
# this case serves its own index: "premium", "premium tax credit", "tax credit" and "tax".
ALIKE_INDEX = [
    ["premium", "Premium"],
    ["premium-tax-credit", "Premium Tax Credit"],
    ["tax-credit", "Tax Credit"],
    ["tax", "Tax"],
]
ALIKE_TEXT = (
    "A premium tax credit, premium tax credits, a premium tax, a premium, a tax credit, premium\u00a0tax\ncredit."
)
ALIKE_EXPECTED = [
    ("premium-tax-credit", "premium tax credit"),
    ("premium-tax-credit", "premium tax credits"),
    ("premium", "premium"),
    ("tax", "tax"),
    ("premium", "premium"),
    ("tax-credit", "tax credit"),
    ("premium-tax-credit", "premium\u00a0tax\ncredit"),
]


def test_longest_of_names_that_start_at_the_same_word(page: Page, fixture_server: LiveServer) -> None:
    serve_index(page, ALIKE_INDEX)
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/alike.html",
        html_page(f"<article><p>{ALIKE_TEXT}</p></article>" + widget_tag(occurrences="all")),
    )

    open_ready(page, url)

    assert highlights(page) == ALIKE_EXPECTED


def test_every_form_of_every_bundled_name_is_highlighted_whole(
    page: Page,
    glossary_server: LiveServer,
) -> None:
    """What the validator takes a name to match (content.name_forms, which keeps two terms from
    claiming the same words) is what the widget matches: each title and alias of the bundled
    glossary, alone and in its plural, is highlighted whole as its own term. A name that needs
    context gets one of its context words after it, in the same paragraph: one with which the
    Python matcher finds the name alone (the word is no name itself, nor makes the name a longer
    one, as "bill" would make "air ambulance" "air ambulance bill")."""
    glossary = load_glossary(GLOSSARY_DATA)
    matcher = glossary_matcher(glossary)

    def context_word(term: Term, name: str, form: str) -> str:
        if name not in term.context.needs:
            return ""
        alone = [(term.slug, form)]
        return next(
            f" {word}"
            for word in glossary.near_words(term)
            if [
                (h.match.slug, h.text) for h in scan_page(f"<p>{html.escape(f'{form} {word}')}</p>", matcher).highlights
            ]
            == alone
        )

    cases = [
        ([(term.slug, form)], context_word(term, name, form))
        for term in glossary.terms
        for name in term.names
        for form in name_forms(name, term.case_sensitive)
    ]
    paragraphs = "".join(f"<p>{html.escape(case[0][1] + word)}</p>" for case, word in cases)
    url = serve_html(
        page,
        f"{glossary_server.url}/examples/every-name.html",
        html_page(f"<article>{paragraphs}</article>" + widget_tag(occurrences="all", max="100000")),
    )

    open_ready(page, url)

    found = page.eval_on_selector_all("article p", PARAGRAPH_HIGHLIGHTS_JS)
    assert [[tuple(h) for h in highlights] for highlights in found] == [case for case, _ in cases]


# 4,394 words of which no two have the same first three letters (a, b, c, then "ze").
MANY_FIRST_WORDS = [a + b + c + "ze" for a in string.ascii_lowercase for b in "abcdefghijklm" for c in "abcdefghijklm"]

# The matcher looks for the first letters of first words (`starts`, which the server computes) in
# the lower-cased text; these are the texts where that could go wrong, each with its own index
# (names valid for the widget, which the bundled glossary does not have).
BEGINNINGS = {
    # Lower-casing İ gives two characters: every position after it would be off by one.
    "a text that lower-casing makes longer": (
        [["tax", "Tax"], ["premium", "Premium"]],
        "İstanbul's tax on a premium, İİ premium.",
        [("tax", "tax"), ("premium", "premium"), ("premium", "premium")],
    ),
    # İ is folded to i, as Turkish writes the capital of i: a word in Turkish capitals is found.
    "a Turkish capital İ in a name": (
        [["premium", "Premium"]],
        "PREMİUM and premİums.",
        [("premium", "PREMİUM"), ("premium", "premİums")],
    ),
    # The text's Σ is followed by a letter (after the apostrophe): lower-cased in the whole
    # text it is σ, in its word alone ς, as in the name.
    "a final sigma inside the first letters": (
        [["os", "Ος"]],
        "ΟΣ'Α and ος.",
        [("os", "ΟΣ"), ("os", "ος")],
    ),
    # A circled capital letter is no word character, but lower-casing changes it: the text
    # between the words is folded as the name's is.
    "a circled letter between the words": (
        [["plan-b", "Plan \u24b7 coverage"]],
        "Plan \u24b7 coverage, PLAN \u24b7 COVERAGE.",
        [("plan-b", "Plan \u24b7 coverage"), ("plan-b", "PLAN \u24b7 COVERAGE")],
    ),
    # The fourth code unit begins a letter of two: the first letters stop before it.
    "a letter of two code units in the first letters": (
        [["abc", "abc\U0001d49c fee"]],
        "An abc\U0001d49c fee, not an abc fee.",
        [("abc", "abc\U0001d49c fee")],
    ),
    # More first words than four (or three) first letters keep the expression small for: it
    # looks for two, and the names are still found, and only they.
    "more first words than first letters of four": (
        [[word, word.capitalize()] for word in MANY_FIRST_WORDS] + [["tax", "Tax"]],
        "Aabze, a zmmze fee, aabz, zmmzes and the tax.",
        [("aabze", "Aabze"), ("zmmze", "zmmze"), ("zmmze", "zmmzes"), ("tax", "tax")],
    ),
    # Words that begin like a name are looked at, and are not it.
    "words that only begin like a name": (
        [["tax", "Tax"], ["premium", "Premium"]],
        "Taxonomy, premiumization, premie, taxes.",
        [("tax", "taxes")],
    ),
}


@pytest.mark.parametrize(("index", "text", "expected"), BEGINNINGS.values(), ids=list(BEGINNINGS))
def test_names_are_found_by_their_first_letters_in_any_text(
    page: Page,
    fixture_server: LiveServer,
    index: list[list[str]],
    text: str,
    expected: list[tuple[str, str]],
) -> None:
    serve_index(page, index)
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/beginnings.html",
        html_page(f"<article><p>{html.escape(text)}</p></article>" + widget_tag(occurrences="all")),
    )

    open_ready(page, url)

    assert highlights(page) == expected
