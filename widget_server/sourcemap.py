"""Where the text a parser found is in the source: so that annotations are spliced into the
partner's own bytes instead of a re-serialised tree.

Lexbor (highlights.py) decides what the text nodes are, as a browser does; but neither it nor
html5lib reports where a node came from (html5lib's tokenizer knows lines and columns only for
its errors, after normalising line breaks). So this module scans the source for its text runs
itself: the data between tags, comments and declarations; the content of the raw text elements
(`script`, `style`, `noscript` as with scripting, ...) as it is; that of `title` and
`textarea` with character references decoded. Each run is decoded into literal pieces (a
character that is itself in the source) and replaced ones (a character reference, a `CRLF`
the parser turns into `LF`). The parser's text nodes are then found in order in the decoded
runs; a node that cannot be found at a run boundary (the parser moved it, as it moves text out
of a table, or the scan read the markup differently) is left unmapped, and so is a match that
does not begin and end at a character of the source, or that spans markup: such a highlight is
skipped rather than broken. A match with a character reference inside (`renter&#8217;s
insurance`, as WordPress writes every apostrophe) maps to the source around it.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

# How many runs past the last node found the next one is looked for: text the tree has and the
# scan does not (a `textarea`'s first line break, text a parser moved far) is given up on after
# this many, so that a page of such nodes costs linear time, not quadratic. (Counted in runs
# that are not blank, as the nodes looked for are, not in characters: a large inline script is
# one run, an SVG sprite's white space none.)
SEARCH_RUNS = 256
RAW_TEXT = ("script", "style", "xmp", "iframe", "noembed", "noframes", "noscript")
ESCAPABLE_RAW_TEXT = ("title", "textarea")
_MARKUP_RE = re.compile(
    r"<!--.*?(?:-->|\Z)"  # a comment (an unclosed one runs to the end)
    r"|<[!?].*?(?:>|\Z)"  # a doctype, CDATA or bogus comment
    # A tag, read as a browser's tokenizer reads it, one attribute at a time (atomic groups: no
    # other reading is tried). A name runs to white space, `/`, `>` or `=`, and may begin with
    # `=`; quotes are part of it (`a"b`). After `=` comes a quoted value, which may hold `>`, or
    # an unquoted one, which runs to white space or `>` and may hold `=` and quotes. Read any
    # other way, text the browser takes for an attribute value could be taken for the page's.
    r"|</?([A-Za-z][^\t\n\f\r />]*)"
    r"(?>[\t\n\f\r /]+|[^\t\n\f\r />][^\t\n\f\r />=]*"
    r"(?>[\t\n\f\r ]*=[\t\n\f\r ]*(?:\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)|[^\t\n\f\r >]*))?)*(?:>|\Z)",
    re.DOTALL,
)
# A character reference as html.unescape reads it, and the line breaks the parser normalises.
_REPLACED_RE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)|\r\n?")


@dataclass(frozen=True)
class Piece:
    """Decoded text at `decoded`, `length` characters long, from `source` in the source, where it
    is `written` characters long: the same text when they are equal and the piece is literal,
    else a character reference or a line break the parser normalised."""

    decoded: int
    source: int
    length: int
    written: int
    literal: bool = True


class SourceText:
    """The decoded text runs of an HTML source, and where their literal characters are."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = ""
        self.run_starts: set[int] = set()
        self.run_ends: set[int] = set()
        self._all_run_ends: list[int] = []  # in order
        self._run_ends: list[int] = []  # of the runs that are not blank, in order
        self._pieces: list[Piece] = []
        self._decoded_starts: list[int] = []
        self.end_of_body: int | None = None
        self.tags: list[tuple[str, int, bool]] = []  # (name, where it starts, an end tag), in order
        # Where a comment, a tag or an element of raw text starts that the source never closes:
        # it runs to the end, and what is written after it would be inside it.
        self.open_from: int | None = None
        parts: list[str] = []
        length = 0
        for start, end, decode in _runs(source, self):
            if start == end:
                continue
            run, pieces = (
                decode_run(source, start, end, length)
                if decode
                else (source[start:end], [Piece(length, start, end - start, end - start)])
            )
            self.run_starts.add(length)
            parts.append(run)
            self._pieces += pieces
            length += len(run)
            self.run_ends.add(length)
            self._all_run_ends.append(length)
            if run.strip():
                self._run_ends.append(length)
        self.text = "".join(parts)
        self._decoded_starts = [piece.decoded for piece in self._pieces]

    def find_node(self, text: str, cursor: int) -> int:
        """Where a text node's `text` starts in the runs from `cursor` on (within SEARCH_RUNS),
        spanning whole runs; -1 if nowhere."""
        runs = self._run_ends
        last = bisect.bisect_right(runs, cursor) + SEARCH_RUNS
        limit = runs[min(last, len(runs) - 1)] if runs else 0
        position = self.text.find(text, cursor, limit)
        while position != -1:
            if position in self.run_starts and position + len(text) in self.run_ends:
                return position
            position = self.text.find(text, position + 1, limit)
        return -1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where the decoded text [start, end) is in the source, if it is in one run of text
        (no markup inside) and begins and ends at a character of the source: a literal one, or
        the start of a character reference (the end of one, for `end`); else None."""
        run = bisect.bisect_right(self._all_run_ends, start)
        if run < len(self._all_run_ends) and end > self._all_run_ends[run]:
            return None
        first = self._source_at(start, at_end=False)
        last = self._source_at(end, at_end=True)
        return None if first is None or last is None else (first, last)

    def _source_at(self, position: int, at_end: bool) -> int | None:
        """The source position of the decoded `position`: the start of a character (or, with
        `at_end`, the end of the one before it)."""
        index = bisect.bisect_right(self._decoded_starts, position - 1 if at_end else position) - 1
        if index < 0:
            return None
        piece = self._pieces[index]
        offset = position - piece.decoded
        if piece.literal and 0 <= offset <= piece.length:
            return piece.source + offset
        # A replaced piece maps at its edges only: its start, or (for an end) its end.
        if offset == (piece.length if at_end else 0):
            return piece.source + (piece.written if at_end else 0)
        return None

    def end_of_element(self, name: str, index: int) -> int | None:
        """Where the end tag of the `index`-th `name` element (from 0, in document order) starts,
        if the source has its start and end tags; else None (the parser made the element, or
        closed it without an end tag)."""
        starts = [at for at, (tag, _, end) in enumerate(self.tags) if tag == name and not end]
        if index >= len(starts):
            return None
        depth = 0
        for tag, position, end in self.tags[starts[index] :]:
            if tag == name:
                depth += -1 if end else 1
                if depth == 0:
                    return position
        return None


def decode_run(source: str, start: int, end: int, offset: int = 0) -> tuple[str, list[Piece]]:
    """The text of source[start:end] with character references and line breaks as the parser
    reads them, and its literal pieces (their decoded positions counted from `offset`)."""
    parts: list[str] = []
    pieces: list[Piece] = []
    decoded = offset
    position = start
    for found in _REPLACED_RE.finditer(source, start, end):
        if found.start() > position:
            length = found.start() - position
            pieces.append(Piece(decoded, position, length, length))
            parts.append(source[position : found.start()])
            decoded += length
        written = found.group()
        replaced = "\n" if written.startswith("\r") else html.unescape(written)
        pieces.append(Piece(decoded, found.start(), len(replaced), len(written), literal=False))
        parts.append(replaced)
        decoded += len(replaced)
        position = found.end()
    if end > position:
        pieces.append(Piece(decoded, position, end - position, end - position))
        parts.append(source[position:end])
    return "".join(parts), pieces


def _runs(source: str, found: SourceText) -> Iterable[tuple[int, int, bool]]:
    """(start, end, decode) for each text run of `source`; notes where `</body>` is."""
    position = 0
    while position < len(source):
        tag = _MARKUP_RE.search(source, position)
        if tag is None:
            yield position, len(source), True
            return
        yield position, tag.start(), True
        position = tag.end()
        if not source.endswith(">", tag.start(), tag.end()) or (
            source.startswith("<!--", tag.start()) and not source.endswith("-->", tag.start(), tag.end())
        ):
            found.open_from = tag.start()  # a comment, declaration or tag that runs to the end
        name = (tag.group(1) or "").lower()
        if name:
            found.tags.append((name, tag.start(), source.startswith("</", tag.start())))
        if source.startswith("</", tag.start()):
            if name == "body":
                found.end_of_body = tag.start()
            continue
        if name == "plaintext":
            yield position, len(source), False
            return
        if name in RAW_TEXT or name in ESCAPABLE_RAW_TEXT:
            close = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE).search(source, position)
            end = close.start() if close else len(source)
            if close is None:
                found.open_from = tag.start()
            yield position, end, name in ESCAPABLE_RAW_TEXT
            position = end
