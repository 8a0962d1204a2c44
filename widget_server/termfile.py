"""One term file, `terms/<slug>.md`: YAML front matter, then `## Section` Markdown, read into a
Term with every problem reported at its line. The checks across terms are content.py's."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from widget_server.lines import MARKDOWN_BREAKS, EditorLines, split_lines
from widget_server.markup import link_problems, plain_text
from widget_server.model import REQUIRED_SECTIONS, SECTIONS, SLUG_RE, ContentError, Context, Term, report_to
from widget_server.names import (
    CONTROL_RE,
    NONCHARACTER_RE,
    contains_words,
    name_key,
    name_keys,
    name_problem,
    split_name,
)
from widget_server.placeholders import placeholder_at
from widget_server.suggest import did_you_mean
from widget_server.yaml_hints import LIST_ITEM_RUNS_ON
from widget_server.yamlsource import STR_TAG, Report, node_line, parse_yaml, read_text, text_value, value_nodes

FRONT_MATTER_KEYS = {"title", "categories", "aliases", "case_sensitive", "related", "updated", "context"}
CONTEXT_KEYS = ("needs", "near", "not")
FRONT_MATTER_LINE = 2  # the file's line of the front matter's first line, after `---`


@dataclass
class _Lines:
    """The front matter's key and value nodes by field: where each key and list item is, and how
    it was written."""

    key_nodes: dict[str, yaml.Node] = field(default_factory=dict)
    value_nodes: dict[str, yaml.Node] = field(default_factory=dict)

    def key(self, name: str) -> int:
        node = self.key_nodes.get(name)
        return _front_matter_line(node) if node else 1

    def item_node(self, name: str, index: int) -> yaml.Node | None:
        value = self.value_nodes.get(name)
        if isinstance(value, yaml.SequenceNode) and index < len(value.value):
            return value.value[index]
        return None

    def item(self, name: str, index: int) -> int:
        node = self.item_node(name, index)
        return _front_matter_line(node) if node else self.key(name)


@dataclass(frozen=True)
class TermLines:
    """Where a loaded term's names are written, for the check across terms
    (kept instead of the YAML nodes, of which a large glossary would keep hundreds of thousands)."""

    path: Path
    title: int
    aliases: tuple[int, ...]


def load_terms(
    paths: list[Path],
    known_categories: Mapping[str, tuple[str, ...]] | None,
    known_slugs: Collection[str],
) -> tuple[list[tuple[Term, TermLines]], list[ContentError]]:
    """The terms of `paths` that load, and the errors of those that do not.

    `known_slugs` are the stems of every file in terms/, which `related` may name: checked here,
    file by file, so that a file with other problems gets its misspelt related slugs reported in
    the same run rather than in the next one."""
    errors: list[ContentError] = []
    loaded = [_load_term(path, known_categories, known_slugs, errors) for path in paths]
    return [term for term in loaded if term], errors


def _load_term(
    path: Path,
    known_categories: Mapping[str, tuple[str, ...]] | None,
    known_slugs: Collection[str],
    errors: list[ContentError],
) -> tuple[Term, TermLines] | None:
    slug = path.stem
    lines = _Lines()
    count_before = len(errors)

    error = report_to(errors, path)

    if not SLUG_RE.match(slug):
        error(1, f"file name {path.name!r} is not a valid slug (lowercase letters, digits, hyphens)")
    text = read_text(path, error)
    if text is None:
        return None
    parts = _split_front_matter(text, error)
    if parts is None:
        return None
    front, body, body_line = parts
    meta = _parse_front_matter(front, lines, error)
    if meta is None:
        return None

    unknown_keys = sorted(set(meta) - FRONT_MATTER_KEYS)
    for key in unknown_keys:
        known_keys = ", ".join(sorted(FRONT_MATTER_KEYS))
        error(lines.key(key), f"unknown field {key!r} (known: {known_keys}){did_you_mean(key, FRONT_MATTER_KEYS)}")

    title = _title(meta, lines, error)

    categories = _string_list(meta, "categories", "category", lines, error)
    if "categories" not in meta:
        error(1, "missing categories")
    elif not meta["categories"]:
        error(lines.key("categories"), "categories must list at least one category")
    _check_listed_once("categories", "category", categories, lines, error)
    for index, category in categories:
        if known_categories is not None and category not in known_categories:
            known = ", ".join(sorted(known_categories))
            error(
                lines.item("categories", index),
                f"unknown category {category!r} (known: {known}){did_you_mean(category, known_categories)}",
            )

    before_aliases = len(errors)
    aliases = _aliases(meta, lines, error)
    # None once a name is reported: that error is enough, and the context rules checked against
    # the other names would be reported for naming it.
    names = None if title is None or len(errors) > before_aliases else [title, *(a for _, a in aliases)]

    case_sensitive = meta.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        error(lines.key("case_sensitive"), "case_sensitive must be true or false")
        case_sensitive = False
    _check_no_alias_repeats(title, aliases, case_sensitive, lines, error)

    defaults = None
    if known_categories is not None:
        defaults = [w for _, c in categories for w in known_categories.get(c, ())]
    context = _context(meta, lines, names, defaults, error)

    related = _string_list(meta, "related", "related term", lines, error)
    _check_listed_once("related", "related term", related, lines, error)
    updated = meta.get("updated")
    if not isinstance(updated, datetime.date) or isinstance(updated, datetime.datetime):
        error(lines.key("updated"), "updated must be a date written as YYYY-MM-DD")
        updated = datetime.date(1970, 1, 1)

    sections = _parse_sections(body, body_line, error)
    loads = len(errors) == count_before
    # After the rest: a misspelt related slug leaves the term in the check across terms.
    _check_related(slug, related, known_slugs, lines, error)
    if not loads or title is None:  # a title is None only once reported
        return None
    term = Term(
        slug=slug,
        title=title,
        categories=tuple(c for _, c in categories),
        aliases=tuple(a for _, a in aliases),
        case_sensitive=case_sensitive,
        related=tuple(r for _, r in related),
        updated=updated,
        sections=MappingProxyType(sections),
        context=context,
    )
    return term, TermLines(
        path=path,
        title=lines.key("title"),
        aliases=tuple(lines.item("aliases", index) for index, _ in aliases),
    )


def _title(meta: dict[str, Any], lines: _Lines, error: Report) -> str | None:
    """The title; None once what is wrong with it is reported."""
    written = text_value("title", meta.get("title"), lines.value_nodes.get("title"), lines.key("title"), error)
    if written is None:
        return None
    title = written.strip()
    if not title:
        error(lines.key("title"), "missing title")
        return None
    if problem := name_problem(title):
        error(lines.key("title"), f"title {title!r} {problem}")
        return None
    return title


def _aliases(meta: dict[str, Any], lines: _Lines, error: Report) -> list[tuple[int, str]]:
    """The aliases that are names, stripped, each with its index in the list; the others are
    reported."""
    aliases = []
    for index, written in _string_list(meta, "aliases", "alias", lines, error):
        alias = written.strip()
        if not alias:
            error(lines.item("aliases", index), "empty alias")
        elif problem := name_problem(alias):
            error(lines.item("aliases", index), f"alias {written!r} {problem}")
        else:
            aliases.append((index, alias))
    return aliases


def _check_no_alias_repeats(
    title: str | None, aliases: list[tuple[int, str]], case_sensitive: bool, lines: _Lines, error: Report
) -> None:
    """No alias matches only what the title or another alias matches already (compared as the
    check across terms compares names: any case, white space, a plural), which the term would
    publish twice for nothing. A singular alias of a plural title adds the singular: not one.
    Of two aliases that repeat each other, the later one is reported."""
    names = [("title", title, lines.key("title"))] if title is not None else []
    names += [("alias", alias, lines.item("aliases", index)) for index, alias in aliases]
    keys = [name_keys(name, case_sensitive) for _, name, _ in names]  # what each matches
    own = [name_key(name) for _, name, _ in names]  # each as written
    for index, (what, name, line) in enumerate(names):
        if what == "title":
            continue
        for other_index, (other_what, other, other_line) in enumerate(names):
            repeats_this_one = other_index > index and own[other_index] in keys[index]
            if other_index != index and own[index] in keys[other_index] and not repeats_this_one:
                error(line, f"alias {name!r} repeats the {other_what} {other!r} (line {other_line})")
                break


def _check_listed_once(key: str, what: str, items: list[tuple[int, str]], lines: _Lines, error: Report) -> None:
    """Each item of list field `key` is given once: a repeated one would be published twice."""
    first_lines: dict[str, int] = {}
    for index, item in items:
        line = lines.item(key, index)
        if item in first_lines:
            error(line, f"{what} {item!r} is listed twice (first on line {first_lines[item]})")
        else:
            first_lines[item] = line


def _check_related(
    slug: str, related: list[tuple[int, str]], known_slugs: Collection[str], lines: _Lines, error: Report
) -> None:
    """Every related slug names a file in terms/ (one that does not load is reported on its own,
    and a `notes.txt` on its own too: `notes` is not called missing) other than the term's own."""
    for index, other in related:
        if other not in known_slugs:
            error(
                lines.item("related", index), f"related term {other!r} does not exist{did_you_mean(other, known_slugs)}"
            )
        elif other == slug:
            error(lines.item("related", index), "a term cannot be related to itself")


def word_list(
    value: Any,
    node: yaml.Node | None,
    line: int,
    line_of: Callable[[yaml.Node], int],
    what: str,
    error: Report,
) -> list[tuple[str, int]] | None:
    """A list of context words or phrases (valid names, each once), each with its line; None
    once reported. `line` is where to report a problem of the list itself, `line_of` the line
    of a node."""
    if value is None:
        return []
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        error(line, f"{what} must be a list, like [a, b]")
        return None
    words: list[tuple[str, int]] = []
    seen: dict[frozenset[str], str] = {}
    for item, item_node in zip(value, node.value, strict=True):
        text = text_value(what, item, item_node, line_of(item_node), error)
        if text is None:
            continue
        word = text.strip()
        if problem := name_problem(word):
            error(line_of(item_node), f"{what} {text!r} {problem}")
        elif (keys := name_keys(word)) in seen:
            error(line_of(item_node), f"{what} {word!r} is listed twice (as {seen[keys]!r})")
        else:
            seen[keys] = word
            words.append((word, line_of(item_node)))
    return words


def _context(
    meta: dict[str, Any],
    lines: _Lines,
    names: list[str] | None,
    defaults: list[str] | None,
    error: Report,
) -> Context:
    """The term's `context` rules, each checked against its names (None when one of them was
    reported: then they are not) and `defaults`, its categories' context words (None when
    categories.yml did not load)."""
    if meta.get("context") is None:
        return Context()
    node = lines.value_nodes.get("context")
    if not isinstance(meta["context"], dict) or not isinstance(node, yaml.MappingNode):
        error(lines.key("context"), "context must be a mapping of needs, near and not")
        return Context()
    data = meta["context"]
    nodes = value_nodes(node)
    keys = {key.value: key for key, _ in node.value if key.tag == STR_TAG}
    for key in sorted(set(data) - set(CONTEXT_KEYS), key=str):
        where = _front_matter_line(keys[key]) if key in keys else lines.key("context")
        error(
            where,
            f"unknown context key {key!r} (known: {', '.join(CONTEXT_KEYS)}){did_you_mean(str(key), CONTEXT_KEYS)}",
        )
    parts = {
        key: word_list(
            data.get(key),
            nodes.get(key),
            _front_matter_line(keys[key]) if key in keys else lines.key("context"),
            _front_matter_line,
            f"context {key}",
            error,
        )
        or []
        for key in CONTEXT_KEYS
    }
    needs_line = _front_matter_line(keys["needs"]) if "needs" in keys else 0
    if names is not None:
        _check_context_names(parts["needs"], parts["not"], names, error)
    if parts["needs"] and not parts["near"] and defaults is not None and not defaults:
        error(
            needs_line,
            "context needs names but gives no near words, and none of the "
            "term's categories has context words in categories.yml",
        )
    needs, near, refuse = (tuple(word for word, _ in parts[key]) for key in CONTEXT_KEYS)
    return Context(needs, near, refuse)


def _check_context_names(
    needs: list[tuple[str, int]], refuse: list[tuple[str, int]], names: list[str], error: Report
) -> None:
    """Each `needs` entry is a name of the term; each `not` phrase holds one, and more words."""
    for need, line in needs:
        if need not in names:
            error(
                line, f"context needs {need!r} is not a name of this term (names: {', '.join(repr(n) for n in names)})"
            )
    for phrase, where in refuse:
        inside = [name for name in names if contains_words(phrase, name)]
        if not inside:
            error(where, f"context not {phrase!r} contains no name of this term as whole words")
        elif all(len(split_name(phrase)[0]) <= len(split_name(name)[0]) for name in inside):
            error(where, f"context not {phrase!r} must have more words than the name it contains")


def _split_front_matter(text: str, error: Report) -> tuple[str, str, int] | None:
    """Split into (front matter, body, line number of the body's first line); None once
    reported."""
    text = text.removeprefix("\ufeff")
    all_lines = split_lines(text)
    if not all_lines or all_lines[0].rstrip() != "---":
        error(1, "missing YAML front matter (a '---' line, the fields, then another '---' line)")
        return None
    for index, line in enumerate(all_lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(all_lines[1:index]), "".join(all_lines[index + 1 :]), index + 2
    error(1, "the front matter opened on this line is never closed: end its fields with a '---' line")
    return None


def _parse_front_matter(front: str, lines: _Lines, error: Report) -> dict[str, Any] | None:
    parsed = parse_yaml(front, FRONT_MATTER_LINE, error)
    if parsed is None:
        return None
    node, meta = parsed
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        error(FRONT_MATTER_LINE, "front matter must be a mapping of fields (title: ..., categories: [...])")
        return None
    for key_node, value_node in node.value:
        if key_node.tag != STR_TAG:
            error(_front_matter_line(key_node), "field names must be text, like title or aliases")
        else:
            lines.key_nodes[key_node.value] = key_node
            lines.value_nodes[key_node.value] = value_node
    return {key: value for key, value in meta.items() if isinstance(key, str)}


def _string_list(meta: dict[str, Any], key: str, what: str, lines: _Lines, error: Report) -> list[tuple[int, str]]:
    """The text items of list field `key`, each with its index in the list (the others are
    reported), so that a later problem with an item still finds its line."""
    value = meta.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list):
        error(lines.key(key), f"{key} must be a list, like [a, b]")
        return []
    items = []
    # Only a block list (`- item` lines) can take in a misindented item.
    block = not getattr(lines.value_nodes.get(key), "flow_style", True)
    for index, item in enumerate(value):
        node = lines.item_node(key, index)
        text = text_value(what, item, node, lines.item(key, index), error)
        if text is not None and block and _runs_on(node, text):
            error(lines.item(key, index), f"{what} {text!r} {LIST_ITEM_RUNS_ON}")
        elif text is not None:
            items.append((index, text))
    return items


def _runs_on(node: yaml.Node | None, text: str) -> bool:
    """Whether a plain list item took in the next line's `- item`, indented deeper than it."""
    return (
        isinstance(node, yaml.ScalarNode)
        and not node.style
        and " - " in text
        and node.end_mark.line > node.start_mark.line
    )


def _parse_sections(body: str, first_line: int, error: Report) -> dict[str, str]:
    sections: dict[str, str] = {}
    starts: dict[str, int] = {}
    content_lines: dict[str, int] = {}  # section name -> line of its first non-blank line
    current: str | None = None
    chunk: list[str] = []
    fence = _Fence()

    def close() -> None:
        if current is not None:
            text = "".join(chunk)
            sections[current] = text.strip()
            # Blank lines under the heading are stripped; line numbers must still count them.
            skipped = text[: len(text) - len(text.lstrip())].count("\n")
            content_lines[current] = starts[current] + 1 + skipped

    for number, line in enumerate(split_lines(body), start=first_line):
        if control := CONTROL_RE.search(line):
            error(number, f"a control character (U+{ord(control.group()):04X}) shows on no page: delete it")
        elif noncharacter := NONCHARACTER_RE.search(line):
            error(number, f"a noncharacter (U+{ord(noncharacter.group()):04X}) is not text: delete it")
        # A `## ` line inside a fenced code block is code, as Markdown shows it; one indented by
        # up to three spaces is a heading, as it is to Markdown (CommonMark's ATX headings).
        heading = None if fence.holds(line, number) else _HEADING_RE.match(line)
        if heading:
            close()
            current, chunk = heading.group(1), []
            if current not in SECTIONS:
                error(
                    number,
                    f"unknown section {current!r} (known: {', '.join(SECTIONS)}){did_you_mean(current, SECTIONS)}",
                )
            elif current in starts:
                error(number, f"section {current!r} appears twice")
            starts[current] = number
        elif current is None:
            if line.strip():
                error(number, "text before the first '## Definition' heading")
        else:
            chunk.append(line)
    close()
    if fence.opened_on:
        error(fence.opened_on, f"the code block opened on this line is never closed: end it with a {fence.marker} line")

    for name in REQUIRED_SECTIONS:
        if name not in sections:
            error(first_line, f"missing '## {name}' section")
    for name, text in sections.items():
        if not text:
            error(starts[name], f"section {name!r} is empty")
        elif not plain_text(text):
            # What readers get: `***` alone is a rule, an empty list item nothing at all.
            error(starts[name], f"section {name!r} has no text, only Markdown marks")
        placeholder = placeholder_at(name, text)
        if placeholder is not None:
            error(
                content_lines[name] + text.count("\n", 0, placeholder),
                f"section {name!r} still holds the placeholder text that `new` wrote: "
                "replace it with the entry's own words",
            )
        editor_lines = EditorLines(text, MARKDOWN_BREAKS)
        for offset, problem in link_problems(text):
            error(content_lines[name] + editor_lines(offset), f"{problem} in section {name!r}")
    return {name: sections[name] for name in SECTIONS if name in sections}


_HEADING_RE = re.compile(r"^ {0,3}##[ \t]+(.+?)[ \t]*(?:[ \t]#+)?[ \t]*$")
# The line that opens a fenced code block (CommonMark: at most three spaces, then three or more
# backticks or tildes; a backtick fence's info string holds no backtick).
_FENCE_OPEN_RE = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_FENCE_CLOSE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")


@dataclass
class _Fence:
    """Follows the fenced code blocks of a body, line by line."""

    marker: str = ""  # the open fence's backticks or tildes; "" outside a block
    opened_on: int = 0  # the line that opened it, 0 outside a block

    def holds(self, line: str, number: int) -> bool:
        """Whether `line` (the body's line `number`) is a fence or inside a block."""
        if self.marker:
            # Closed by the same character, at least as many of it, and nothing else.
            closing = _FENCE_CLOSE_RE.match(line)
            if closing and closing.group(1).startswith(self.marker):
                self.marker, self.opened_on = "", 0
            return True
        if opening := _FENCE_OPEN_RE.match(line):
            self.marker, self.opened_on = opening.group(1), number
            return True
        return False


def _front_matter_line(node: yaml.Node) -> int:
    """The file's line of a node of the front matter."""
    return FRONT_MATTER_LINE - 1 + node_line(node)
