"""Markdown rendering for pages and the plain card text for hover cards."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from widget_server import markup
from widget_server.content import load_glossary
from widget_server.markup import (
    CARD_TEXT_LIMIT,
    IMAGE,
    UNSAFE_LINK,
    card_text,
    link_problems,
    plain_text,
    render_html,
)

ELLIPSIS = "\u2026"
GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"


@pytest.mark.parametrize(
    ("markdown", "rendered"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Text <img src=x onerror=alert(1)> more", "&lt;img src=x onerror=alert(1)&gt;"),
        ("A <b>bold</b> claim", "&lt;b&gt;bold&lt;/b&gt;"),
        ('<div onclick="x()">\nblock\n</div>', "&lt;div onclick=&quot;x()&quot;&gt;"),
    ],
)
def test_raw_html_is_escaped_not_rendered(markdown: str, rendered: str) -> None:
    html = render_html(markdown)

    assert rendered in html
    for tag in ("<script", "<img", "<b>", "<div"):
        assert tag not in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        "[click](JavaScript:alert(1))",
        "[click]( javascript:alert(1) )",
        "<javascript:alert(1)>",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_unsafe_links_are_not_rendered_as_links(markdown: str) -> None:
    html = render_html(markdown)

    assert "<a" not in html
    assert "href" not in html


def test_markdown_renders_to_html() -> None:
    html = render_html("Some **bold** text and a [link](https://example.org/x).\n\n- one\n- two")

    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/x">link</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    ("markdown", "lines"),
    [
        ("Fine [x](https://example.org).", []),
        ("[x](javascript:alert(1))", [(0, UNSAFE_LINK)]),
        ("\n\nFirst line.\nSecond [x](javascript:1).\nThird [y](javascript:2).", [(3, UNSAFE_LINK), (4, UNSAFE_LINK)]),
        ("- one\n- two ![i](JAVASCRIPT:1)", [(1, UNSAFE_LINK)]),
        ("Para.\n\n<vbscript:x>", [(2, UNSAFE_LINK)]),
        ("[x][ref] and more.\n\n[ref]: javascript:alert(1)", [(0, UNSAFE_LINK)]),
        ("An &#x6A;avascript link: [x](&#x6A;avascript:alert(1))", [(0, UNSAFE_LINK)]),
        # An image, from anywhere: the pages allow only their own, and there are none.
        ("A pixel:\n![x](https://tracker.example/p.png)", [(1, IMAGE)]),
        ("![chart](chart.png) and [a link](https://example.org)", [(0, IMAGE)]),
    ],
)
def test_link_problems_point_at_the_link(markdown: str, lines: list[tuple[int, str]]) -> None:
    assert link_problems(markdown) == lines


def test_card_text_keeps_short_text() -> None:
    assert card_text("A short definition. Two sentences.") == "A short definition. Two sentences."


def test_card_text_keeps_text_of_exactly_the_limit() -> None:
    text = ("word " * 60).strip()[: CARD_TEXT_LIMIT - 1] + "."
    assert len(text) == CARD_TEXT_LIMIT

    assert card_text(text) == text


def test_card_text_cuts_at_a_sentence() -> None:
    sentences = [f"Sentence number {i} says something useful about the term." for i in range(12)]
    text = " ".join(sentences)

    card = card_text(text)

    assert len(card) <= CARD_TEXT_LIMIT
    assert card.endswith(f". {ELLIPSIS}")
    kept = card.removesuffix(f" {ELLIPSIS}")
    assert text.startswith(kept)
    assert kept == " ".join(sentences[: kept.count(".")])
    # As many whole sentences as fit.
    assert len(kept) + len(sentences[0]) + 3 > CARD_TEXT_LIMIT


def test_card_text_falls_back_to_a_word_boundary() -> None:
    text = " ".join(f"word{i}" for i in range(100))  # no sentence end at all

    card = card_text(text)

    assert len(card) <= CARD_TEXT_LIMIT
    assert card.endswith(ELLIPSIS)
    kept = card.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    assert text[len(kept)] == " "  # the cut falls between two words


def test_card_text_prefers_words_over_a_very_early_sentence_end() -> None:
    text = "Short start. " + " ".join(f"word{i}" for i in range(100))

    card = card_text(text)

    assert len(card) <= CARD_TEXT_LIMIT
    assert len(card) > CARD_TEXT_LIMIT // 2
    assert text[len(card.removesuffix(ELLIPSIS))] == " "


@pytest.mark.parametrize("abbreviation", ["U.S. Congress", "e.g. Medicare", "3 p.m. and"])
def test_card_text_does_not_cut_after_an_abbreviation(abbreviation: str) -> None:
    text = "word " * 30 + "ends here. Then " + "more " * 5 + abbreviation + " more" * 60

    card = card_text(text)

    assert card.endswith(f"ends here. {ELLIPSIS}")


def test_card_text_keeps_a_sentence_that_ends_right_at_the_limit() -> None:
    first = "A" + "a" * (CARD_TEXT_LIMIT - 4) + "."  # with " …", exactly the limit
    text = f"{first} Then more words follow here."

    assert card_text(text) == f"{first} {ELLIPSIS}"
    assert len(card_text(text)) == CARD_TEXT_LIMIT


def test_card_text_cuts_one_endless_word() -> None:
    card = card_text("x" * 1000)

    assert card == "x" * (CARD_TEXT_LIMIT - 2) + ELLIPSIS


def test_card_text_is_plain_text() -> None:
    card = card_text("**Bold** claim with a [link](https://example.org) and `code`.")

    assert card == "Bold claim with a link and code."


def test_plain_text_strips_markup() -> None:
    markdown = (
        "# Heading\n\nSome **bold**, _italic_ and [linked](https://example.org) words\n"
        "over two lines with `code`.\n\n- first item\n- second item\n\n> quoted <b>html</b>"
    )

    assert plain_text(markdown) == (
        "Heading Some bold, italic and linked words over two lines with code. first item second item quoted <b>html</b>"
    )


# Plain paragraphs skip the parser (see markup.py): the result must be the parser's on any
# text, the glossary's own sections and text built to sit on the edge of plain (markup
# characters, block starts, odd white space).
PIECES = [
    "word",
    "Word",
    "naïve",
    "café",
    "50%",
    "$20",
    "e.g.",
    "U.S.",
    "co-pay",
    "it's",
    '"quoted"',
    "'single'",
    "(aside)",
    "a/b",
    "x=y",
    "3.5",
    "1990",
    "!",
    "?",
    ":",
    ";",
    ",",
    "\u2014",
    "\u2019",
    "\u00a0",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n",
    "\n ",
    " \n",
    "*",
    "_",
    "`",
    "[",
    "]",
    "<",
    ">",
    "&",
    "&amp;",
    "#",
    "~",
    "|",
    "{",
    "\\",
    "- ",
    "+ ",
    "= ",
    "1. ",
    "2) ",
    "---",
    "===",
    "    ",
    "\u2028",
    "\r\n",
]


def test_plain_paragraphs_render_as_the_parser_renders_them(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20261201)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))).strip() for _ in range(20_000)]
    texts += [section for term in load_glossary(GLOSSARY_DATA).terms for section in term.sections.values()]
    assert sum(markup._plain_paragraphs(text) is not None for text in texts) > 2000

    plain_text.cache_clear()
    fast = [(render_html(text), plain_text(text)) for text in texts]
    plain_text.cache_clear()
    monkeypatch.setattr(markup, "_plain_paragraphs", lambda markdown: None)
    parsed = [(render_html(text), plain_text(text)) for text in texts]
    plain_text.cache_clear()

    assert fast == parsed
