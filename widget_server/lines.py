"""Line numbers as editors and grep count them: a line ends at `\\n` and nowhere else.

`str.splitlines()` also ends lines at `\\r`, `\\x0b`, `\\x0c`, `\\x1c`-`\\x1e`, `\\x85`, U+2028 and
U+2029; YAML's marks count `\\r`, `\\x85`, U+2028 and U+2029 as line breaks, and markdown-it reads a
lone `\\r` as one. Each such character in a term file would move every later line `check` reports
by one, so the content loader splits on `\\n` only and converts the lines the parsers report.
"""

from __future__ import annotations

import bisect
import re

# Where YAML (PyYAML and libyaml alike) ends a line: `\r\n` is one break.
YAML_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
# Where markdown-it ends a line: it reads `\r\n` and a lone `\r` as `\n`.
MARKDOWN_BREAKS = re.compile(r"\r\n?|\n")
# The characters by which a parser's lines may differ from an editor's.
_OTHER_BREAKS = re.compile(r"[\r\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its `\\n`, as an editor shows them."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


class EditorLines:
    """Converts a parser's 0-based line numbers in `text`, where lines end at `breaks`, to the
    0-based lines of an editor."""

    def __init__(self, text: str, breaks: re.Pattern[str]) -> None:
        # The usual file has no other break, and its lines are the same for every reader.
        self._starts: list[int] | None = None
        if _OTHER_BREAKS.search(text):
            newlines = [match.start() for match in re.finditer("\n", text)]
            # The parser's line i starts after its i-th break: the editor's line is the number of
            # `\n` before that point.
            self._starts = [0] + [bisect.bisect_left(newlines, match.end()) for match in breaks.finditer(text)]

    def __call__(self, line: int) -> int:
        if self._starts is None:
            return line
        return self._starts[min(line, len(self._starts) - 1)]
