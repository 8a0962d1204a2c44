"""The example article annotated server-side has the same terms in the same places as the widget
makes on it in Chromium: both pages are measured in the browser, the annotated one with no
script running (where it is meant to be read)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import EXAMPLES, GLOSSARY_DATA, LiveServer
from playwright.sync_api import Page, Route

from tests.support.widget import FIXTURE_TAG, open_ready, serve_html, widget_tag
from widget_server.annotate import Options, annotate_html
from widget_server.content import load_glossary
from widget_server.highlights import Settings

# Where each mark is in the body's text, not counting the text of the elements `ignore` selects
# (the footnote numbers the annotation adds).
MARKS_JS = """([marks, ignore]) => {
  const found = [];
  let offset = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (node.matches(marks)) found.push([node, offset]);
    } else if (!node.parentElement.closest(ignore)) {
      offset += node.data.length;
    }
  }
  return found.map(([element, offset]) => {
    const note = element.hash ? document.getElementById(element.hash.slice(1)) : null;
    const target = note ? note.querySelector("a").href : element.href || "";
    return [element.dataset.glossaryTerm || target, element.textContent, offset];
  });
}"""
REFERENCE = "sup > a[href^='#gw-fn-']"
ENTRY_SLUG_RE = re.compile(r"/glossary/([a-z0-9-]+)/$")


def widget_marks(page: Page, server: LiveServer, occurrences: str) -> list[tuple[str, str, int]]:
    source = (EXAMPLES / "blog-post.html").read_text(encoding="utf-8")
    tagged = FIXTURE_TAG.sub(lambda _: widget_tag(occurrences=occurrences), source, count=1)
    url = serve_html(page, f"{server.url}/examples/widget-{occurrences}.html", tagged)
    open_ready(page, url)
    return [tuple(row) for row in page.evaluate(MARKS_JS, ["glossary-term", "gw-none"])]


def annotated_marks(page: Page, server: LiveServer, style: str, occurrences: str) -> list[list[Any]]:
    source = (EXAMPLES / "blog-post.html").read_text(encoding="utf-8")
    options = Options(server.url, style, Settings(occurrences=occurrences))
    annotated = annotate_html(source, load_glossary(GLOSSARY_DATA), options).apply(source)

    def no_script(route: Route) -> None:
        route.abort()

    page.route("**/*.js", no_script)
    url = serve_html(page, f"{server.url}/examples/annotated-{style}.html", annotated)
    page.goto(url)
    marks = f"a[href^='{server.url}/glossary/']" if style == "links" else REFERENCE
    rows = page.evaluate(MARKS_JS, [marks, REFERENCE if style == "footnotes" else "gw-none"])
    for row in rows:
        match = ENTRY_SLUG_RE.search(row[0])
        assert match, row
        row[0] = match.group(1)
    return rows


@pytest.mark.parametrize("occurrences", ["first", "all"])
def test_links_are_where_the_widget_highlights(page: Page, glossary_server: LiveServer, occurrences: str) -> None:
    expected = widget_marks(page, glossary_server, occurrences)
    assert len(expected) >= 20
    found = annotated_marks(page, glossary_server, "links", occurrences)
    assert [tuple(row) for row in found] == expected


@pytest.mark.parametrize("occurrences", ["first", "all"])
def test_footnote_references_follow_the_terms_the_widget_highlights(
    page: Page, glossary_server: LiveServer, occurrences: str
) -> None:
    expected = widget_marks(page, glossary_server, occurrences)
    found = annotated_marks(page, glossary_server, "footnotes", occurrences)
    assert [(slug, offset) for slug, _, offset in found] == [
        (slug, offset + len(text)) for slug, text, offset in expected
    ]
