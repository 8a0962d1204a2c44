"""`annotate --feed`: the HTML of each item of an RSS 2.0 or Atom feed, annotated in place.

The feed is not parsed into a tree and written out again (ElementTree would rewrite its
declarations, namespaces prefixes, quoting and escaping): each item's or entry's HTML content
(`description`, `content:encoded`, Atom `content`/`summary` with `type="html"`) is found in the
text, read from its CDATA section or its escaped text, annotated as an HTML fragment, and the
annotations are written back in the same form, so every other byte of the feed stays as it was.
An item whose content cannot be read that way, or whose HTML nests deeper than the parser takes
in time (nesting.py, as for a page), is reported with its line and left as it was.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from widget_server.annotate import Annotation
from widget_server.nesting import depth_problem
from widget_server.sourcemap import decode_run

_ITEM_RE = re.compile(r"<(item|entry)\b[^>]*>(.*?)</\1\s*>", re.DOTALL)
_ITEM_START_RE = re.compile(r"<(?:item|entry)\b[^>]*>")
_CONTENT_RE = re.compile(r"<(description|content:encoded|content|summary)\b([^>]*?)(/?)>", re.DOTALL)
_HTML_TYPE_RE = re.compile(r"""\btype\s*=\s*["']html["']""")
_CDATA_RE = re.compile(r"\s*<!\[CDATA\[(.*?)\]\]>\s*", re.DOTALL)


@dataclass
class FeedResult:
    """The annotated feed and what could not be annotated, one line each."""

    text: str
    items: int = 0
    problems: list[str] = field(default_factory=list)


def annotate_feed(feed: str, annotate: Callable[[str], Annotation]) -> FeedResult:
    """`feed` with the HTML content of each item annotated by `annotate`."""
    insertions: list[tuple[int, str]] = []
    result = FeedResult(feed)
    lines = [0] + [found.end() for found in re.finditer("\n", feed)]
    position = 0
    while (start := _ITEM_START_RE.search(feed, position)) is not None:
        line = bisect.bisect_right(lines, start.start())
        item = _ITEM_RE.match(feed, start.start())
        if item is None:
            result.problems.append(f"line {line}: <{start.group()[1:5].strip()}> is not closed")
            break
        result.items += 1
        for element in _CONTENT_RE.finditer(feed, item.start(2), item.end(2)):
            name, attributes, empty = element.groups()
            if empty or (name in ("content", "summary") and not _HTML_TYPE_RE.search(attributes)):
                continue
            added, problem = _annotate_content(feed, element.end(), name, annotate)
            if problem:
                result.problems.append(f"line {line}: {name}: {problem}; left as it was")
            insertions += added
        position = item.end()
    if not result.items and not result.problems:
        result.problems.append("no <item> or <entry>: not an RSS or Atom feed, or one without items; left as it was")
    result.text = Annotation(insertions).apply(feed)
    return result


def _annotate_content(
    feed: str, start: int, name: str, annotate: Callable[[str], Annotation]
) -> tuple[list[tuple[int, str]], str | None]:
    """The insertions into the content that starts at `start`, or why there are none."""
    close = feed.find(f"</{name}>", start)
    if close == -1:
        return [], f"no </{name}>"
    cdata = _CDATA_RE.fullmatch(feed, start, close)
    if cdata is not None:
        if "<![CDATA[" in cdata.group(1):
            return [], "more than one CDATA section"
        if problem := depth_problem(cdata.group(1)):
            return [], problem
        inner = start + cdata.start(1) - cdata.start()
        return [(inner + at, markup) for at, markup in annotate(cdata.group(1)).insertions], None
    if "<" in feed[start:close]:
        return [], "markup that is neither escaped nor in a CDATA section"
    decoded, pieces = decode_run(feed, start, close)
    if problem := depth_problem(decoded):
        return [], problem
    starts = [piece.decoded for piece in pieces]
    added: list[tuple[int, str]] = []
    for at, markup in annotate(decoded).insertions:
        index = bisect.bisect_right(starts, at) - 1
        # Annotations go around names, which are written as they are: a place is in a literal
        # piece or at its end; the notes go at the end of the content.
        if at >= len(decoded) or index < 0:
            where = close if at >= len(decoded) else start
        else:
            where = pieces[index].source + at - pieces[index].decoded
        added.append((where, html.escape(markup, quote=False)))
    return added, None
