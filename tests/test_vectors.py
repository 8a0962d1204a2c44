"""Every test vector of tests/vectors/matching.json, through the Python matcher and through the
widget in Chromium: the two implementations give the same highlights, at the same offsets.

The vectors cover every matching rule of docs/site-owners.md and the context rules; a vector
added for one side runs on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import LiveServer
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.vectors import VECTORS, VECTORS_GLOSSARY, run_python, vector_attributes, vector_page
from tests.support.widget import RECORD_PAGE, Console, serve_html, wait_ready, widget_tag
from widget_server.app import create_app

# Each highlight as [slug, start, end, text], in code points of the body's text (a JavaScript
# string counts UTF-16 units: an astral letter is two).
HIGHLIGHTS_JS = """() => [...document.querySelectorAll("[data-glossary-term]")].map((h) => {
  const range = document.createRange();
  range.setStart(document.body, 0);
  range.setEndBefore(h);
  const start = [...range.toString()].length;
  return [h.dataset.glossaryTerm, start, start + [...h.textContent].length, h.textContent];
})"""

NAMES = [vector["name"] for vector in VECTORS]


def expected(vector: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    return [tuple(highlight) for highlight in vector["expect"]]  # type: ignore[misc]


def test_the_vectors_are_there_and_named_once() -> None:
    assert len(VECTORS) >= 90
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_python_matcher(vector: dict[str, Any]) -> None:
    assert run_python(vector) == expected(vector)


@pytest.fixture(scope="module")
def vectors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = create_app(VECTORS_GLOSSARY)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def vectors_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(vectors_context: BrowserContext) -> Iterator[Page]:
    page = vectors_context.new_page()
    yield page
    page.close()


@pytest.mark.parametrize("vector", VECTORS, ids=NAMES)
def test_widget_in_chromium(vector: dict[str, Any], page: Page, vectors_server: LiveServer) -> None:
    console = Console.attach(page)
    tag = widget_tag(**vector_attributes(vector))
    url = serve_html(page, f"{vectors_server.url}/vector.html", vector_page(vector, tag))
    page.add_init_script(RECORD_PAGE)
    page.goto(url)
    wait_ready(page)
    got = [tuple(row) for row in page.evaluate(HIGHLIGHTS_JS)]
    assert got == expected(vector)
    assert console.page_errors == []


CONTEXT_VECTORS = [vector for vector in VECTORS if vector["name"].startswith("needs-")]


@pytest.mark.parametrize("vector", CONTEXT_VECTORS, ids=[vector["name"] for vector in CONTEXT_VECTORS])
def test_widget_on_content_the_page_adds_later(vector: dict[str, Any], page: Page, vectors_server: LiveServer) -> None:
    """The same highlights when the content arrives after the first scan: the widget then scans
    each added element on its own, and a context rule still reads the block before it in the
    page's root (a paragraph a script appends after its heading)."""
    console = Console.attach(page)
    tag = widget_tag(**vector_attributes(vector))
    url = serve_html(page, f"{vectors_server.url}/vector.html", vector_page({**vector, "html": ""}, tag))
    page.add_init_script(RECORD_PAGE)
    page.goto(url)
    wait_ready(page)
    page.evaluate("html => document.body.insertAdjacentHTML('afterbegin', html)", vector["html"])
    wait_ready(page, 2)
    got = [tuple(row) for row in page.evaluate(HIGHLIGHTS_JS)]
    assert got == expected(vector)
    assert console.page_errors == []
