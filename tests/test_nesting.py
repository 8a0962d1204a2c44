"""The nesting estimate that guards the annotate endpoint: never far shallower than the tree the
parser builds (else a deep document would get through to it), and not deeper than real pages."""

from __future__ import annotations

import pytest
from conftest import find_realworld_pages

from widget_server.highlights import parse
from widget_server.nesting import MAX_DEPTH, nesting_depth


def parsed_depth(html: str) -> int:
    """The depth of the deepest element below <html> in the tree the parser builds."""
    root = parse(html).root
    assert root is not None
    deepest = 0
    pending = [(root, 0)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        pending += [(child, depth + 1) for child in node.iter() if child.tag != "-text"]
    return deepest


# Each repeated 300 times: where the parser nests, the estimate must too.
DEEP = [
    "<div>",
    "<span><b>",
    "<div></span>",  # an end tag of nothing open closes nothing
    "<li><ul>",
    "<div/>",  # `/>` closes nothing in HTML
    "<div><table><tr><td></div>",  # an end tag out of scope is ignored
    '<div title="</div>">',  # a quoted value holds no tag
    '<div x"><div>"</div>',  # a quote in a name starts no value
    "<!--><div>",  # `<!-->` is a whole comment
    "<p><section>",
    "<svg><g>",
    "<dl><dd>",
]
# Each repeated 300 times: shallow for the parser, so it must be for the estimate.
SHALLOW = [
    "<p>x",
    "<li>x",
    "<td>x",
    "<div>x</div>",
    "<svg><path d='x'/></svg>",
    "<br><img src=x><input>",
    "<script>var a = '<div>';</script>",
    "<!-- <div> -->",
    "<textarea><div></textarea>",
]


@pytest.mark.parametrize("unit", DEEP)
def test_the_estimate_is_at_least_as_deep_as_the_parsed_tree(unit: str) -> None:
    html = unit * 300
    assert nesting_depth(html) >= min(parsed_depth(html) - 3, MAX_DEPTH)  # <html>, <body> and a bit


@pytest.mark.parametrize("unit", SHALLOW)
def test_shallow_markup_is_estimated_shallow(unit: str) -> None:
    assert nesting_depth(unit * 300) <= 5


def test_real_pages_are_far_from_the_limit() -> None:
    pages = sorted(find_realworld_pages().glob("**/*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(errors="replace")
        assert parsed_depth(html) - 3 <= nesting_depth(html) < 100, page.name
