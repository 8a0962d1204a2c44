"""The labelled corpus (tests/corpus/, 300+ passages across the five categories and outside
them): with every category and every occurrence, the Python matcher and the widget in Chromium
each reach precision >= 0.98 and recall >= 0.95 against the labels, with the bundled glossary.

Until the glossary's ambiguous names have context rules this fails, and its message lists every
highlight in another sense and every miss, with the words around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import GLOSSARY_DATA, LiveServer
from playwright.sync_api import Browser, Page

from tests.support.corpus import PRECISION_TARGET, RECALL_TARGET, Found, labelled, load_passages, score
from tests.support.widget import RECORD_PAGE, Console, serve_html, wait_ready, widget_tag
from widget_server.content import load_glossary
from widget_server.highlights import Settings, scan_page
from widget_server.matcher import glossary_matcher

PASSAGES = load_passages()
# The passages written with the categories' ambiguity reviews and the probes after them: each is
# exactly right with both matchers, so that a rule that breaks one is seen, not averaged into the
# scores (passages.yml keeps the hard cases the scores allow for).
REVIEWED = {passage["id"] for passage in load_passages("*-more.yml")}
# Every passage is its own root in one page; data-max is out of the way.
MAX = 1_000_000

HIGHLIGHTS_JS = """() => [...document.querySelectorAll("[data-glossary-term]")].map((h) => {
  const passage = h.closest("[data-passage]");
  const range = document.createRange();
  range.setStart(passage, 0);
  range.setEndBefore(h);
  return [passage.dataset.passage, h.dataset.glossaryTerm, [...range.toString()].length, h.textContent];
})"""


def test_the_corpus_is_large_and_covers_every_category() -> None:
    assert len(PASSAGES) >= 300
    topics = {passage["topic"] for passage in PASSAGES}
    assert {"insurance", "finance", "healthcare", "employment-law", "privacy"} <= topics
    assert len(topics) >= 10  # and fields outside the glossary's


def python_highlights(passages: list[dict[str, Any]]) -> set[Found]:
    matcher = glossary_matcher(load_glossary(GLOSSARY_DATA))
    settings = Settings(occurrences="all", max=MAX)
    found: set[Found] = set()
    for passage in passages:
        page = f"<!doctype html><html><body>{passage['html']}</body></html>"
        for highlight in scan_page(page, matcher, settings).highlights:
            found.add((passage["id"], highlight.match.slug, highlight.offset, highlight.text))
    return found


@pytest.fixture(scope="module")
def widget_found(browser: Browser, glossary_server: LiveServer) -> Iterator[set[Found]]:
    """The widget's highlights on one page holding every passage, each its own root."""
    body = "".join(f'<div data-passage="{passage["id"]}">{passage["html"]}</div>' for passage in PASSAGES)
    tag = widget_tag(root="[data-passage]", occurrences="all", max=str(MAX))
    page_html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corpus'
        f'</title><link rel="icon" href="data:,"></head><body>{body}{tag}</body></html>'
    )
    context = browser.new_context()
    try:
        page: Page = context.new_page()
        console = Console.attach(page)
        url = serve_html(page, f"{glossary_server.url}/corpus.html", page_html)
        page.add_init_script(RECORD_PAGE)
        page.goto(url)
        wait_ready(page)
        rows = page.evaluate(HIGHLIGHTS_JS)
        assert console.page_errors == []
        yield {tuple(row) for row in rows}  # type: ignore[misc]
    finally:
        context.close()


def test_python_matcher_on_the_corpus() -> None:
    result = score(PASSAGES, python_highlights(PASSAGES))
    if result.precision < PRECISION_TARGET or result.recall < RECALL_TARGET:
        pytest.fail(result.report(), pytrace=False)


def test_widget_on_the_corpus(widget_found: set[Found]) -> None:
    result = score(PASSAGES, widget_found)
    if result.precision < PRECISION_TARGET or result.recall < RECALL_TARGET:
        pytest.fail(result.report(), pytrace=False)


def test_widget_and_python_matcher_agree_on_the_corpus(widget_found: set[Found]) -> None:
    python = python_highlights(PASSAGES)
    assert sorted(widget_found - python) == [] and sorted(python - widget_found) == [], json.dumps(
        {"widget only": sorted(widget_found - python), "python only": sorted(python - widget_found)}, ensure_ascii=False
    )


def test_every_reviewed_passage_is_exactly_right(widget_found: set[Found]) -> None:
    expected = labelled([p for p in PASSAGES if p["id"] in REVIEWED], "expect")
    for matcher, found in (("python", python_highlights(PASSAGES)), ("widget", widget_found)):
        got = {f for f in found if f[0] in REVIEWED}
        assert (matcher, sorted(got - expected), sorted(expected - got)) == (matcher, [], [])
