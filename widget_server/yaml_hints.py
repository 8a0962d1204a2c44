"""What to do about the YAML mistakes editors make most, said beside the parser's message.

The parser says what it found ("mapping values are not allowed in this context"); an editor
needs to know what to change on the line (put the title in quotes).
"""

from __future__ import annotations

import json
import re

# `key: value` with another `: ` in the value: YAML reads a second field on the same line.
_FIELD_RE = re.compile(r"^\s*(?:-\s+)?([\w-]+):\s+(.*\S)\s*$")
# What the parsers say of a line indented unlike the ones around it.
_MISINDENTED = ("did not find expected key", "expected <block end>", "expected '-' indicator")


def yaml_hint(problem: str, context: str, line_text: str) -> str | None:
    """What to do, for a parser `problem` (and its `context`) reported at `line_text`."""
    indent = line_text[: len(line_text) - len(line_text.lstrip())]
    if ("cannot start any token" in problem or "tab" in problem) and "\t" in line_text:
        return "indent with spaces: YAML does not allow a tab in indentation"
    if "while scanning a quoted scalar" in context:
        return "a quote opened on this line is never closed: end the text with the same quote"
    if "while parsing a flow sequence" in context:
        return "a [ opened on this line is never closed: end the list with ]"
    if "while parsing a flow mapping" in context:
        return "a { opened on this line is never closed: end it with }"
    if "mapping values are not allowed" in problem:
        field = _FIELD_RE.match(line_text)
        if field and ": " in field.group(2):
            quoted = json.dumps(field.group(2), ensure_ascii=False)
            return f"text with ': ' in it must be in quotes, or YAML reads a second field: {field.group(1)}: {quoted}"
        if indent:
            return "this field is indented more than the one above: indent both alike"
    if any(words in problem for words in _MISINDENTED):
        if line_text.lstrip().startswith("-"):
            return "give every '- ' item of a list the same indentation as the first"
        return "this field is indented unlike the one above: indent both alike"
    return None


LIST_ITEM_RUNS_ON = (
    "runs on over two lines; a '- ' item indented deeper than the one above "
    "continues it: give every item the same indentation"
)
