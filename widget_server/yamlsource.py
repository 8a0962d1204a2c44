"""Reading YAML as editors wrote it: every node with the line an editor sees (lines.py), a date
that does not exist or a key given twice reported rather than settled in silence, values that YAML
would read as something other than text named, and parser errors turned into the line to fix and
what to do there (yaml_hints.py). Term files, categories.yml and site files all go through here.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from widget_server.lines import YAML_BREAKS, EditorLines, split_lines
from widget_server.yaml_hints import yaml_hint

# Reports one problem at a line of the file being read.
Report = Callable[[int, str], None]


def read_text(path: Path, error: Report, missing: str = "missing file") -> str | None:
    """The file's text; None once the reason it cannot be read is reported."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = exc.object[exc.start]
        error(line, f"not UTF-8 text ({exc.reason}: byte {byte:#04x}); save the file as UTF-8")
    except FileNotFoundError:
        # A link to a file that is gone is listed all the same: say what it points at.
        error(1, f"is a link to {os.readlink(path)}, which does not exist" if path.is_symlink() else missing)
    except IsADirectoryError:
        error(1, "is a folder, not a file")
    except OSError as exc:
        error(1, _cannot_read(exc))
    return None


def read_folder(folder: Path, error: Report) -> list[Path]:
    """The entries of `folder`, sorted; [] once the reason it cannot be read is reported.

    Hidden ones are left out: .DS_Store, macOS's `._name` files, an editor's swap and lock files
    (`.#name.md`, often a link to nothing) are the system's or a tool's, not the editor's.
    """
    try:
        return sorted(path for path in folder.iterdir() if not path.name.startswith("."))
    except OSError as exc:
        error(1, _cannot_read(exc))
        return []


def _cannot_read(exc: OSError) -> str:
    return f"cannot be read: {exc.strerror or exc}"


# libyaml's parser where installed: it parses a 5,000-term glossary about ten times faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"


class _YamlLoader(_SafeLoader):
    """SafeLoader that keeps an impossible date (2024-02-30) as text instead of raising ValueError,
    so that the field's own check reports it with its line, and that notes every key a mapping
    gives twice, which YAML would silently settle by keeping the last value."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated_keys: list[tuple[yaml.Node, yaml.Node]] = []  # (first, again)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Keys compare as written, quotes aside: `title` and `'title'` are the same key.
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                first = seen.setdefault(key_node.value, key_node)
                if first is not key_node:
                    self.repeated_keys.append((first, key_node))
        return super().construct_mapping(node, deep)


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _YamlLoader.construct_yaml_timestamp)


def parse_yaml(text: str, first_line: int, error: Report) -> tuple[yaml.Node | None, Any] | None:
    """The node tree (which knows the line of every key and item) and the data, in one parse;
    None once the reason the text does not parse is reported. `first_line` is the file's line
    number of the text's first line."""
    loader = _YamlLoader(text)
    editor_lines = EditorLines(text, YAML_BREAKS)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        line, problem = _yaml_error(exc, text, first_line, editor_lines)
        # A problem found at the end of the stream is marked on the line after the last one.
        last_line = first_line + text.rstrip("\n").count("\n")
        line = min(line, last_line)
        line_text = (split_lines(text)[line - first_line : line - first_line + 1] or [""])[0]
        hint = yaml_hint(problem, str(getattr(exc, "context", None) or ""), line_text)
        error(line, f"YAML does not parse: {problem}" + (f"; {hint}" if hint else ""))
        return None
    finally:
        loader.dispose()
    if node is not None:
        _renumber_marks(node, editor_lines)
    for first, again in loader.repeated_keys:
        error(
            first_line + again.start_mark.line,
            f"field {again.value!r} is given twice (first on line "
            f"{first_line + first.start_mark.line}); only one can count",
        )
    return node, data


def _renumber_marks(root: yaml.Node, editor_lines: EditorLines) -> None:
    """Give every node of the tree the editor's line (see lines.py), once, so that every line
    read from a node from here on is the one to fix."""
    seen: set[int] = set()  # a node an alias repeats is in the tree more than once
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        mark = node.start_mark  # libyaml's marks cannot be changed: a new one replaces it
        node.start_mark = yaml.Mark(mark.name, mark.index, editor_lines(mark.line), mark.column, None, None)  # type: ignore[arg-type]  # no buffer, as libyaml's
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def value_nodes(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    """The value nodes of a mapping by their text keys."""
    return {key.value: value for key, value in node.value if key.tag == STR_TAG}


# What YAML reads instead of text when a value is not quoted: on, no -> a boolean; 1.10, 007 ->
# a number; ~, null -> null; 2024-05-01 -> a date.
_NOT_TEXT_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "true or false"),
    (int, "a number"),
    (float, "a number"),
    (type(None), "null (no value)"),
    (datetime.date, "a date"),
)


def text_value(what: str, value: Any, node: yaml.Node | None, line: int, error: Report) -> str | None:
    """`value` when YAML read it as text, "" when nothing is written; None once reported.

    Names, slugs and labels must be text as written: str() of what YAML makes of `on` or `1.10`
    ("True", "1.1") would silently change them, so the editor is asked to quote them instead.
    """
    if isinstance(value, str):
        return value
    written = node.value if isinstance(node, yaml.ScalarNode) else ""
    if value is None and not written:
        return ""
    kind = next((kind for kinds, kind in _NOT_TEXT_KINDS if isinstance(value, kinds)), None)
    if isinstance(value, dict) and len(value) == 1:  # `[Fees: late]` is a list of one mapping
        error(line, f"{what} with ': ' in it must be in quotes, or YAML reads a field")
    elif kind is None or not written:
        error(line, f"{what} must be plain text")
    else:
        error(line, f'{what} {written} is read as {kind}; put it in quotes: "{written}"')
    return None


def node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


# A construct that is never closed is found to be broken lines later (at the next field, or the
# end): the line to fix is where it opens, the context mark.
_OPENED_CONTEXTS = (
    "while parsing a flow",  # [ or { without ] or }
    "while scanning a quoted scalar",  # a quote that does not end
    "while scanning a simple key",  # a field name without its colon
)


def _yaml_error(exc: yaml.YAMLError, text: str, first_line: int, editor_lines: EditorLines) -> tuple[int, str]:
    """The file's line to fix and what is wrong there; `text` begins on line `first_line`."""
    context = str(getattr(exc, "context", None) or "")
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    # Without a `problem`, as for a character YAML refuses, the message's first line says it all.
    problem = str(getattr(exc, "problem", None) or str(exc).partition("\n")[0]).strip()
    if context_mark and context.startswith(_OPENED_CONTEXTS):
        opened = first_line + editor_lines(context_mark.line)
        yaml_lines = YAML_BREAKS.split(text)  # as the marks count them
        if (
            context.startswith("while parsing a flow")
            and problem_mark
            and yaml_lines[problem_mark.line :][:1]
            and yaml_lines[problem_mark.line][:1].isspace()
        ):
            # An indented line inside the list, not the next field: a bad item, not a missing ].
            return (first_line + editor_lines(problem_mark.line), f"{problem} (in the list opened on line {opened})")
        return opened, f"{problem} ({context})"
    if mark := problem_mark or context_mark:
        return first_line + editor_lines(mark.line), problem
    if isinstance(exc, yaml.reader.ReaderError):
        # Where the refused character is: libyaml's position counts bytes, not characters.
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        return first_line + text.count("\n", 0, found if found >= 0 else exc.position), problem
    return first_line, problem
