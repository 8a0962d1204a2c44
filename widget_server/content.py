"""Loading and validating the glossary folder into one immutable snapshot.

The folder holds `categories.yml` and `terms/<slug>.md` (YAML front matter, then `## Section`
Markdown). Every problem is collected, with its file and line, so that one `check` run
reports everything an editor has to fix.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from widget_server.markup import unsafe_link_lines

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A name must start and end with a letter or digit so that whole-word matching is well defined.
NAME_EDGE_RE = re.compile(r"^\w(?:.*\w)?$", re.DOTALL)

SECTIONS = ("Definition", "Examples", "Misuse", "Benefits", "Conclusion")
REQUIRED_SECTIONS = ("Definition", "Misuse")
FRONT_MATTER_KEYS = {"title", "categories", "aliases", "case_sensitive", "related", "updated"}


@dataclass(frozen=True)
class ContentError:
    """One problem in the glossary folder, located to a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


class GlossaryInvalid(Exception):
    """Raised with every error found when the folder does not make a valid glossary."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Category:
    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class Term:
    slug: str
    title: str
    categories: tuple[str, ...]
    aliases: tuple[str, ...]
    case_sensitive: bool
    related: tuple[str, ...]
    updated: datetime.date
    # Section name -> Markdown; read-only, like the rest of the snapshot.
    sections: Mapping[str, str] = field(hash=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.title, *self.aliases)

    def matches_exactly(self, name: str) -> bool:
        """Whether `name` only matches with the same case in articles.

        All names of a case-sensitive term do; so does an acronym alias (APR, EOB) of any term,
        because its lowercase form is often an ordinary word ("arm", "Apr").
        """
        return self.case_sensitive or is_acronym(name)


@dataclass(frozen=True)
class Glossary:
    categories: tuple[Category, ...]
    terms: tuple[Term, ...]  # sorted by slug

    def term(self, slug: str) -> Term | None:
        return self._terms_by_slug.get(slug)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def terms_in(self, category: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if category in t.categories)

    def term_named(self, name: str) -> Term | None:
        """The term with `name` as its title or an alias (names are unique, see `name_key`)."""
        key = name_key(name)
        return next((t for t in self.terms if any(name_key(n) == key for n in t.names)), None)

    @cached_property
    def _terms_by_slug(self) -> dict[str, Term]:
        return {t.slug: t for t in self.terms}


def name_key(name: str) -> str:
    """What makes two names the same name: no two terms may share one, whatever the case."""
    return name.casefold()


def is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def display_path(path: Path) -> str:
    """The path relative to the working directory where possible, as editors expect."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_glossary(data_dir: Path) -> Glossary:
    """Load and validate `data_dir`; raise GlossaryInvalid listing every error."""
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    # With a broken categories file every term's categories would look unknown: check them only
    # against a file that loaded without errors.
    known_categories = None if errors else {c.slug for c in categories}
    terms_dir = data_dir / "terms"
    terms: list[tuple[Term, _Lines]] = []
    if not terms_dir.is_dir():
        errors.append(ContentError(terms_dir, 1, "missing folder of term files"))
    else:
        for path in sorted(terms_dir.glob("*.md")):
            loaded = _load_term(path, known_categories, errors)
            if loaded:
                terms.append(loaded)
    _check_across_terms(terms, errors)
    if errors:
        raise GlossaryInvalid(errors)
    return Glossary(categories=tuple(categories), terms=tuple(t for t, _ in terms))


def load_categories(data_dir: Path) -> list[Category]:
    """Only `categories.yml`; raise GlossaryInvalid if it is not valid."""
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    if errors:
        raise GlossaryInvalid(errors)
    return categories


def _load_categories(path: Path, errors: list[ContentError]) -> list[Category]:
    try:
        node, items = _parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(ContentError(path, 1, "missing categories file"))
        return []
    except yaml.YAMLError as exc:
        message = f"YAML does not parse: {_yaml_problem(exc)}"
        errors.append(ContentError(path, _yaml_error_line(exc), message))
        return []
    if not isinstance(node, yaml.SequenceNode):
        message = "expected a list of {slug, label, description}"
        errors.append(ContentError(path, _line(node) if node else 1, message))
        return []
    categories: list[Category] = []
    for item, data in zip(node.value, items, strict=True):
        line = _line(item)
        if not isinstance(data, dict) or not all(
            isinstance(data.get(key), str) and data[key].strip()
            for key in ("slug", "label", "description")
        ):
            message = "each category needs slug, label and description"
            errors.append(ContentError(path, line, message))
            continue
        if not SLUG_RE.match(data["slug"]):
            message = f"category slug {data['slug']!r} is not a valid slug"
            errors.append(ContentError(path, line, message))
        elif any(c.slug == data["slug"] for c in categories):
            errors.append(ContentError(path, line, f"category {data['slug']!r} is listed twice"))
        else:
            categories.append(
                Category(data["slug"], data["label"].strip(), data["description"].strip())
            )
    return categories


@dataclass
class _Lines:
    """Where each front-matter key, list item and section of one term file starts."""

    path: Path
    keys: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)

    def key(self, name: str) -> int:
        return self.keys.get(name, 1)

    def item(self, name: str, index: int) -> int:
        lines = self.items.get(name, [])
        return lines[index] if index < len(lines) else self.key(name)


def _load_term(
    path: Path, known_categories: set[str] | None, errors: list[ContentError]
) -> tuple[Term, _Lines] | None:
    slug = path.stem
    lines = _Lines(path)
    count_before = len(errors)

    def error(line: int, message: str) -> None:
        errors.append(ContentError(path, line, message))

    if not SLUG_RE.match(slug):
        error(1, f"file name {path.name!r} is not a valid slug "
                 "(lowercase letters, digits, hyphens)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        error(1, f"not UTF-8 text ({exc.reason})")
        return None
    parts = _split_front_matter(text)
    if parts is None:
        error(1, "missing YAML front matter (a '---' line, the fields, then another '---' line)")
        return None
    front, body, body_line = parts
    meta = _parse_front_matter(front, lines, error)
    if meta is None:
        return None

    unknown_keys = sorted(set(meta) - FRONT_MATTER_KEYS)
    for key in unknown_keys:
        known_keys = ", ".join(sorted(FRONT_MATTER_KEYS))
        error(lines.key(key), f"unknown field {key!r} (known: {known_keys})")

    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        error(lines.key("title"), "missing title")
        title = ""
    title = title.strip()
    if title and not NAME_EDGE_RE.match(title):
        error(lines.key("title"), f"title {title!r} must start and end with a letter or digit")

    categories = _string_list(meta, "categories", lines, error)
    if not categories and "categories" in meta:
        error(lines.key("categories"), "categories must list at least one category")
    elif "categories" not in meta:
        error(1, "missing categories")
    for index, category in enumerate(categories):
        if known_categories is not None and category not in known_categories:
            known = ", ".join(sorted(known_categories))
            error(lines.item("categories", index),
                  f"unknown category {category!r} (known: {known})")

    aliases = _string_list(meta, "aliases", lines, error)
    for index, alias in enumerate(aliases):
        if not alias.strip():
            error(lines.item("aliases", index), "empty alias")
        elif not NAME_EDGE_RE.match(alias.strip()):
            error(lines.item("aliases", index),
                  f"alias {alias!r} must start and end with a letter or digit")

    case_sensitive = meta.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        error(lines.key("case_sensitive"), "case_sensitive must be true or false")
        case_sensitive = False

    related = _string_list(meta, "related", lines, error)
    updated = meta.get("updated")
    if not isinstance(updated, datetime.date) or isinstance(updated, datetime.datetime):
        error(lines.key("updated"), "updated must be a date written as YYYY-MM-DD")
        updated = datetime.date(1970, 1, 1)

    sections = _parse_sections(body, body_line, path, error)
    if len(errors) > count_before:
        return None
    term = Term(
        slug=slug,
        title=title,
        categories=tuple(categories),
        aliases=tuple(a.strip() for a in aliases),
        case_sensitive=case_sensitive,
        related=tuple(related),
        updated=updated,
        sections=MappingProxyType(sections),
    )
    return term, lines


# libyaml's parser where installed: it parses a 5,000-term glossary about ten times faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_SafeLoader):  # type: ignore[misc]
    """SafeLoader that keeps an impossible date (2024-02-30) as text instead of raising ValueError,
    so that the field's own check reports it with its line."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _YamlLoader.construct_yaml_timestamp)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (which knows the line of every key and item) and the data, in one parse."""
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split into (front matter, body, line number of the body's first line)."""
    text = text.removeprefix("\ufeff")
    all_lines = text.splitlines(keepends=True)
    if not all_lines or all_lines[0].rstrip() != "---":
        return None
    for index, line in enumerate(all_lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(all_lines[1:index]), "".join(all_lines[index + 1 :]), index + 2
    return None


def _parse_front_matter(front: str, lines: _Lines, error: Any) -> dict[str, Any] | None:
    try:
        node, meta = _parse_yaml(front)
    except yaml.YAMLError as exc:
        # The front matter starts on the file's second line.
        error(_yaml_error_line(exc) + 1, f"YAML does not parse: {_yaml_problem(exc)}")
        return None
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        error(2, "front matter must be a mapping of fields (title: ..., categories: [...])")
        return None
    for key_node, value_node in node.value:
        key = str(key_node.value)
        lines.keys[key] = _line(key_node) + 1
        if isinstance(value_node, yaml.SequenceNode):
            lines.items[key] = [_line(item) + 1 for item in value_node.value]
    return meta


def _string_list(meta: dict[str, Any], key: str, lines: _Lines, error: Any) -> list[str]:
    value = meta.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list):
        error(lines.key(key), f"{key} must be a list, like [a, b]")
        return []
    result = []
    for index, item in enumerate(value):
        if item is None:
            item = ""
        if not isinstance(item, str | int | float):
            error(lines.item(key, index), f"{key} entries must be plain text")
            continue
        result.append(str(item))
    return result


def _parse_sections(body: str, first_line: int, path: Path, error: Any) -> dict[str, str]:
    sections: dict[str, str] = {}
    starts: dict[str, int] = {}
    content_lines: dict[str, int] = {}  # section name -> line of its first non-blank line
    current: str | None = None
    chunk: list[str] = []

    def close() -> None:
        if current is not None:
            text = "".join(chunk)
            sections[current] = text.strip()
            # Blank lines under the heading are stripped; line numbers must still count them.
            skipped = text[: len(text) - len(text.lstrip())].count("\n")
            content_lines[current] = starts[current] + 1 + skipped

    for number, line in enumerate(body.splitlines(keepends=True), start=first_line):
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading:
            close()
            current, chunk = heading.group(1), []
            if current not in SECTIONS:
                error(number, f"unknown section {current!r} (known: {', '.join(SECTIONS)})")
            elif current in starts:
                error(number, f"section {current!r} appears twice")
            starts[current] = number
        elif current is None:
            if line.strip():
                error(number, "text before the first '## Definition' heading")
        else:
            chunk.append(line)
    close()

    for name in REQUIRED_SECTIONS:
        if name not in sections:
            error(first_line, f"missing '## {name}' section")
    for name, text in sections.items():
        if not text:
            error(starts[name], f"section {name!r} is empty")
        for offset in unsafe_link_lines(text):
            error(content_lines[name] + offset, f"link with an unsafe URL in section {name!r}")
    return {name: sections[name] for name in SECTIONS if name in sections}


def _check_across_terms(terms: list[tuple[Term, _Lines]], errors: list[ContentError]) -> None:
    slugs = {term.slug for term, _ in terms}
    claimed: dict[str, str] = {}
    for term, lines in terms:
        for index, slug in enumerate(term.related):
            if slug not in slugs:
                errors.append(ContentError(lines.path, lines.item("related", index),
                                           f"related term {slug!r} does not exist"))
            elif slug == term.slug:
                errors.append(ContentError(lines.path, lines.item("related", index),
                                           "a term cannot be related to itself"))
        for name, line in _names_with_lines(term, lines):
            owner = claimed.setdefault(name_key(name), term.slug)
            if owner != term.slug:
                errors.append(ContentError(lines.path, line,
                                           f"name {name!r} is already claimed by term {owner!r}"))


def _names_with_lines(term: Term, lines: _Lines) -> Iterator[tuple[str, int]]:
    yield term.title, lines.key("title")
    for index, alias in enumerate(term.aliases):
        yield alias, lines.item("aliases", index)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _yaml_error_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark else 1


def _yaml_problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).strip()
