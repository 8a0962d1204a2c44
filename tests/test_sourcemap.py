"""Finding the parser's text nodes in the source: what the annotations are spliced into."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REALWORLD_PAGES

from widget_server.highlights import parse
from widget_server.sourcemap import SourceText

SKIPPED_PARENTS = ("script", "style", "noscript", "template")


def found_nodes(source: str) -> tuple[list[tuple[str, int]], list[str]]:
    """(text, where) of the body's text nodes found in the source, in order; those not found."""
    text = SourceText(source)
    found: list[tuple[str, int]] = []
    missing: list[str] = []
    cursor = 0
    for node in parse(source).root.traverse(include_text=True):
        data = node.text_content or "" if node.is_text_node else ""
        if not data.strip() or (node.parent and node.parent.tag in SKIPPED_PARENTS):
            continue
        position = text.find_node(data, cursor)
        if position == -1:
            missing.append(data)
            continue
        found.append((data, position))
        cursor = position + len(data)
    return found, missing


def test_text_is_found_where_it_is_written() -> None:
    source = (
        "<!doctype html><title>A &amp; B</title><body>\r\n<p class='x>y'>One &lt;two&gt;"
        "<!-- <p>not text</p> --> three</p><script>var a = '<p>no</p>';</script>"
        "<textarea>four &amp; five</textarea><p>six</body>"
    )
    text = SourceText(source)
    found, missing = found_nodes(source)
    assert [data for data, _ in found] == ["A & B", "One <two>", " three", "four & five", "six"]
    assert missing == []
    # Text maps to where it is written, a character reference as a whole, in a span or at its
    # edges; text across markup maps nowhere.
    one, position = found[1]
    reference = source.index("&lt;")
    assert text.span(position, position + 3) == (source.index("One &lt;"), source.index(" &lt;two"))
    assert text.span(position + 4, position + 5) == (reference, reference + 4)  # "<" is "&lt;"
    assert text.span(position, position + 8) == (source.index("One &lt;"), source.index("&gt;"))
    three = text.text.index(" three")
    assert text.span(position, three + 3) is None  # across "&gt;<!-- ... -->"
    assert text.end_of_body == source.index("</body>")


def test_a_span_begins_and_ends_at_a_character_of_the_source() -> None:
    source = "<p>a &NotEqualTilde; b</p>"  # a reference of two characters
    text = SourceText(source)
    start = text.text.index("\u2242")
    assert text.span(start, start + 2) == (5, 20)
    assert text.span(start + 1, start + 3) is None  # from inside the reference
    assert text.span(start - 2, start + 1) is None  # to inside it


def test_line_breaks_the_parser_normalises_are_not_literal() -> None:
    source = "<p>a\r\nb</p>"
    text = SourceText(source)
    assert text.text == "a\nb"
    assert (text.span(0, 1), text.span(1, 2), text.span(2, 3)) == ((3, 4), (4, 6), (6, 7))


def test_text_the_parser_moves_is_found_where_it_is_written() -> None:
    # Text in a table but outside a cell comes first in the tree (the parser moves it before the
    # table), and is found in the table, where it is written; the cell's text after it.
    source = "<table><tr>moved<td>cell</td></tr></table><p>after</p>"
    text = SourceText(source).text
    found, missing = found_nodes(source)
    assert found == [("moved", text.index("moved")), ("cell", text.index("cell")), ("after", text.index("after"))]
    assert missing == []


@pytest.mark.skipif(
    not list(REALWORLD_PAGES.glob("*.html")),
    reason=f"no real-world pages in {REALWORLD_PAGES}; set GLOSSARY_REALWORLD_PAGES",
)
def test_nearly_every_text_node_of_real_pages_is_found() -> None:
    total = missed = 0
    for path in sorted(Path(REALWORLD_PAGES).glob("*.html")):
        found, missing = found_nodes(path.read_text(encoding="utf-8", errors="replace"))
        total += len(found) + len(missing)
        missed += len(missing)
    assert total > 10_000 and missed / total < 0.005
