"""Loading and validating the glossary folder into one immutable snapshot.

The folder holds `categories.yml` and `terms/<slug>.md` (YAML front matter, then `## Section`
Markdown). Every problem is collected, with its file and line, so that one `check` run
reports everything an editor has to fix.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml

from widget_server.lines import MARKDOWN_BREAKS, YAML_BREAKS, EditorLines, split_lines
from widget_server.markup import unsafe_link_lines
from widget_server.names import contains_words, is_acronym, name_keys, name_problem, split_name
from widget_server.parallel import map_batches, worker_processes
from widget_server.placeholders import placeholder_at
from widget_server.suggest import did_you_mean
from widget_server.yaml_hints import LIST_ITEM_RUNS_ON, yaml_hint

if TYPE_CHECKING:
    from widget_server.sites import Site

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

SECTIONS = ("Definition", "Examples", "Misuse", "Benefits", "Conclusion")
REQUIRED_SECTIONS = ("Definition", "Misuse")
FRONT_MATTER_KEYS = {
    "title", "categories", "aliases", "case_sensitive", "related", "updated", "context"
}
CONTEXT_KEYS = ("needs", "near", "not")
FRONT_MATTER_LINE = 2  # the file's line of the front matter's first line, after `---`
# Term files handed to a worker process at a time.
LOAD_BATCH = 100


@dataclass(frozen=True)
class ContentError:
    """One problem in the glossary folder, located to a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


class NoGlossary(Exception):
    """Raised when there is no glossary folder at all: a list of file:line errors would invent
    lines in files that are not there, so only the folder and what is wrong with it are said."""

    def __init__(self, data_dir: Path, problem: str) -> None:
        super().__init__(f"{display_path(data_dir)} {problem}")
        self.data_dir = data_dir
        self.problem = problem


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
    # Default context words for the `needs` names of its terms that give no `near` of their own.
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """When the names of an ambiguous term count (docs/editors.md, "Context rules"): `needs`
    names only with one of the `near` words in the same block; no name inside a `refuse` phrase
    (`not`)."""

    needs: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    refuse: tuple[str, ...] = ()


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
    context: Context = Context()

    # Terms come back from the worker processes that load a large glossary by pickle, which
    # cannot copy the read-only view of the sections: it gets them as a dict.
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "sections": dict(self.sections)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, sections=MappingProxyType(state["sections"]))

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
    sites: tuple[Site, ...] = ()  # the registered partner sites (sites.py), sorted by id

    def term(self, slug: str) -> Term | None:
        return self._terms_by_slug.get(slug)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def terms_in(self, category: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if category in t.categories)

    def near_words(self, term: Term) -> tuple[str, ...]:
        """The context words of `term`'s `needs` names: its own, else its categories'."""
        if term.context.near:
            return term.context.near
        words = (w for slug in term.categories if (c := self.category(slug)) for w in c.context)
        return tuple(dict.fromkeys(words))

    def term_named(self, name: str) -> Term | None:
        """The term with a name that matches the same text as `name` (they are unique, see
        `name_keys`)."""
        keys = name_keys(name)
        return next(
            (t for t in self.terms if any(keys & name_keys(n, t.case_sensitive) for n in t.names)),
            None,
        )

    @functools.cached_property
    def _terms_by_slug(self) -> dict[str, Term]:
        return {t.slug: t for t in self.terms}


def display_path(path: Path) -> str:
    """The path relative to the working directory where possible, as editors expect."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_glossary(data_dir: Path) -> Glossary:
    """Load and validate `data_dir`; raise GlossaryInvalid listing every error.

    The term files of a large glossary are read in batches by a worker process per core (their
    YAML takes most of the time), and checked against each other once all have loaded.
    """
    _require_folder(data_dir)
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    # With a broken categories file every term's categories would look unknown: check them only
    # against a file that loaded without errors.
    known_categories = None if errors else {c.slug: c.context for c in categories}
    terms_dir = data_dir / "terms"
    terms: list[tuple[Term, _TermLines]] = []
    paths: list[Path] = []
    others: list[ContentError] = []
    if not terms_dir.is_dir():
        errors.append(ContentError(terms_dir, 1, "missing folder of term files"))
    else:
        paths = sorted(terms_dir.glob("*.md"))
        others = _not_term_files(terms_dir, paths)
        errors += others
        batches = (paths[i : i + LOAD_BATCH] for i in range(0, len(paths), LOAD_BATCH))
        load = functools.partial(_load_terms, known_categories=known_categories)
        for loaded, batch_errors in map_batches(load, batches, worker_processes(len(paths))):
            terms += loaded
            errors += batch_errors
    # A term whose file does not load is reported on its own; the terms related to it are fine.
    # So is a file not named .md: the terms related to `notes.txt` are not told `notes` is missing.
    _check_related(terms, {path.stem for path in paths + [e.path for e in others]}, errors)
    _check_names_unique(terms, errors)
    # Imported here: sites.py reads its files with this module's machinery.
    from widget_server.sites import load_sites

    sites = load_sites(data_dir, known_categories, errors)
    if errors:
        raise GlossaryInvalid(errors)
    return Glossary(categories=tuple(categories), terms=tuple(t for t, _ in terms), sites=sites)


def load_categories(data_dir: Path) -> list[Category]:
    """Only `categories.yml`; raise GlossaryInvalid if it is not valid."""
    _require_folder(data_dir)
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    if errors:
        raise GlossaryInvalid(errors)
    return categories


def _require_folder(data_dir: Path) -> None:
    """Raise NoGlossary unless `data_dir` is a folder with a glossary's files in it."""
    if not data_dir.exists():
        raise NoGlossary(data_dir, "does not exist")
    if not data_dir.is_dir():
        raise NoGlossary(data_dir, "is a file, not a folder")
    if not any(data_dir.iterdir()):
        raise NoGlossary(data_dir, "is an empty folder")
    if not (data_dir / "categories.yml").exists() and not (data_dir / "terms").exists():
        raise NoGlossary(data_dir, "is not a glossary folder: it holds neither categories.yml "
                                   "nor terms/")


def _not_term_files(terms_dir: Path, term_files: list[Path]) -> list[ContentError]:
    """An error for each entry of `terms_dir` that is not a term file, which would otherwise be
    skipped in silence; hidden ones (.DS_Store, an editor's swap file) are left alone."""
    skipped = set(term_files)
    return [
        ContentError(path, 1, "is a folder; terms/ holds only term files, named <slug>.md"
                     if path.is_dir() else
                     f"{path.name!r} is not read: term files end in .md (rename it to "
                     f"{path.stem}.md, or move it out of terms/)")
        for path in sorted(terms_dir.iterdir())
        if path not in skipped and not path.name.startswith(".")
    ]


# Reports one problem at a line of the file being read.
_Report = Callable[[int, str], None]

CATEGORY_FIELDS = ("slug", "label", "description")


def _load_categories(path: Path, errors: list[ContentError]) -> list[Category]:
    def error(line: int, message: str) -> None:
        errors.append(ContentError(path, line, message))

    text = _read_text(path, error, missing="missing categories file")
    parsed = _parse_yaml(text, 1, error) if text is not None else None
    if parsed is None:
        return []
    node, items = parsed
    if not isinstance(node, yaml.SequenceNode):
        error(_line(node) if node else 1, "expected a list of {slug, label, description}")
        return []
    categories: list[Category] = []
    for item, data in zip(node.value, items, strict=True):
        category = _category(item, data, error)
        if category is None:
            continue
        if not SLUG_RE.match(category.slug):
            error(_line(item), f"category slug {category.slug!r} is not a valid slug")
        elif any(c.slug == category.slug for c in categories):
            error(_line(item), f"category {category.slug!r} is listed twice")
        else:
            categories.append(category)
    return categories


def _category(node: yaml.Node, data: Any, error: _Report) -> Category | None:
    """One entry of categories.yml; None once what is wrong with it is reported."""
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        error(_line(node), "each category needs slug, label and description")
        return None
    value_nodes = _value_nodes(node)
    context = _word_list(data.get("context"), value_nodes.get("context"), _line(node), _line,
                         "category context", error)
    slug, label, description = (
        _text(f"category {key}", data.get(key), value_nodes.get(key),
              _line(value_nodes.get(key) or node), error)
        for key in CATEGORY_FIELDS
    )
    if slug is None or label is None or description is None:
        return None  # reported
    if not (slug.strip() and label.strip() and description.strip()):
        error(_line(node), "each category needs slug, label and description")
        return None
    return Category(slug, label.strip(), description.strip(),
                    tuple(word for word, _ in context or ()))


def _word_list(
    value: Any, node: yaml.Node | None, line: int, node_line: Callable[[yaml.Node], int],
    what: str, error: _Report,
) -> list[tuple[str, int]] | None:
    """A list of context words or phrases (valid names, each once), each with its line; None
    once reported. `line` is where to report a problem of the list itself, `node_line` the line
    of a node."""
    if value is None:
        return []
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        error(line, f"{what} must be a list, like [a, b]")
        return None
    words: list[tuple[str, int]] = []
    seen: dict[frozenset[str], str] = {}
    for item, item_node in zip(value, node.value, strict=True):
        text = _text(what, item, item_node, node_line(item_node), error)
        if text is None:
            continue
        word = text.strip()
        if problem := name_problem(word):
            error(node_line(item_node), f"{what} {text!r} {problem}")
        elif (keys := name_keys(word)) in seen:
            error(node_line(item_node), f"{what} {word!r} is listed twice (as {seen[keys]!r})")
        else:
            seen[keys] = word
            words.append((word, node_line(item_node)))
    return words


def _context(
    meta: dict[str, Any], lines: _Lines, names: list[str], defaults: list[str] | None,
    error: _Report,
) -> Context:
    """The term's `context` rules, each checked against its names (`defaults`: its categories'
    context words, None when categories.yml did not load)."""
    if meta.get("context") is None:
        return Context()
    node = lines.value_nodes.get("context")
    if not isinstance(meta["context"], dict) or not isinstance(node, yaml.MappingNode):
        error(lines.key("context"), "context must be a mapping of needs, near and not")
        return Context()
    data = meta["context"]
    nodes = _value_nodes(node)
    keys = {key.value: key for key, _ in node.value if key.tag == _STR_TAG}
    for key in sorted(set(data) - set(CONTEXT_KEYS), key=str):
        where = _front_matter_line(keys[key]) if key in keys else lines.key("context")
        error(where, f"unknown context key {key!r} (known: {', '.join(CONTEXT_KEYS)})"
                     f"{did_you_mean(str(key), CONTEXT_KEYS)}")
    parts = {
        key: _word_list(
            data.get(key), nodes.get(key),
            _front_matter_line(keys[key]) if key in keys else lines.key("context"),
            _front_matter_line, f"context {key}", error,
        ) or []
        for key in CONTEXT_KEYS
    }
    needs_line = _front_matter_line(keys["needs"]) if "needs" in keys else 0
    for need, line in parts["needs"]:
        if need not in names:
            error(line, f"context needs {need!r} is not a name of this term "
                  f"(names: {', '.join(repr(n) for n in names)})")
    if parts["needs"] and not parts["near"] and defaults is not None and not defaults:
        error(needs_line, "context needs names but gives no near words, and none of the "
                          "term's categories has context words in categories.yml")
    for phrase, where in parts["not"]:
        inside = [name for name in names if contains_words(phrase, name)]
        if not inside:
            error(where, f"context not {phrase!r} contains no name of this term as whole words")
        elif all(len(split_name(phrase)[0]) <= len(split_name(name)[0]) for name in inside):
            error(where, f"context not {phrase!r} must have more words than the name it contains")
    needs, near, refuse = (tuple(word for word, _ in parts[key]) for key in CONTEXT_KEYS)
    return Context(needs, near, refuse)


def _read_text(path: Path, error: _Report, missing: str = "missing file") -> str | None:
    """The file's text; None once the reason it cannot be read is reported."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = exc.object[exc.start]
        error(line, f"not UTF-8 text ({exc.reason}: byte {byte:#04x}); save the file as UTF-8")
    except FileNotFoundError:
        error(1, missing)
    except IsADirectoryError:
        error(1, "is a folder, not a file")
    except OSError as exc:
        error(1, f"cannot be read: {exc.strerror or exc}")
    return None


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
class _TermLines:
    """Where a loaded term's names and related terms are written, for the checks across terms
    (kept instead of the YAML nodes, of which a large glossary would keep hundreds of thousands)."""

    path: Path
    title: int
    aliases: tuple[int, ...]
    related: tuple[int, ...]


def _load_terms(
    paths: list[Path], known_categories: Mapping[str, tuple[str, ...]] | None
) -> tuple[list[tuple[Term, _TermLines]], list[ContentError]]:
    """The terms of `paths` that load, and the errors of those that do not."""
    errors: list[ContentError] = []
    loaded = [_load_term(path, known_categories, errors) for path in paths]
    return [term for term in loaded if term], errors


def _load_term(
    path: Path, known_categories: Mapping[str, tuple[str, ...]] | None, errors: list[ContentError]
) -> tuple[Term, _TermLines] | None:
    slug = path.stem
    lines = _Lines()
    count_before = len(errors)

    def error(line: int, message: str) -> None:
        errors.append(ContentError(path, line, message))

    if not SLUG_RE.match(slug):
        error(1, f"file name {path.name!r} is not a valid slug "
                 "(lowercase letters, digits, hyphens)")
    text = _read_text(path, error)
    if text is None:
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
        error(lines.key(key), f"unknown field {key!r} (known: {known_keys})"
                              f"{did_you_mean(key, FRONT_MATTER_KEYS)}")

    written_title = _text("title", meta.get("title"), lines.value_nodes.get("title"),
                          lines.key("title"), error)
    title = (written_title or "").strip()
    if written_title is not None and not title:
        error(lines.key("title"), "missing title")
    elif title and (problem := name_problem(title)):
        error(lines.key("title"), f"title {title!r} {problem}")

    categories = _string_list(meta, "categories", "category", lines, error)
    if "categories" not in meta:
        error(1, "missing categories")
    elif not meta["categories"]:
        error(lines.key("categories"), "categories must list at least one category")
    for index, category in categories:
        if known_categories is not None and category not in known_categories:
            known = ", ".join(sorted(known_categories))
            error(lines.item("categories", index),
                  f"unknown category {category!r} (known: {known})"
                  f"{did_you_mean(category, known_categories)}")

    aliases = _string_list(meta, "aliases", "alias", lines, error)
    for index, alias in aliases:
        if not alias.strip():
            error(lines.item("aliases", index), "empty alias")
        elif problem := name_problem(alias.strip()):
            error(lines.item("aliases", index), f"alias {alias!r} {problem}")

    case_sensitive = meta.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        error(lines.key("case_sensitive"), "case_sensitive must be true or false")
        case_sensitive = False

    names = [title, *(a.strip() for _, a in aliases)]
    defaults = None
    if known_categories is not None:
        defaults = [w for _, c in categories for w in known_categories.get(c, ())]
    context = _context(meta, lines, names, defaults, error)

    related = _string_list(meta, "related", "related term", lines, error)
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
        categories=tuple(c for _, c in categories),
        aliases=tuple(a.strip() for _, a in aliases),
        case_sensitive=case_sensitive,
        related=tuple(r for _, r in related),
        updated=updated,
        sections=MappingProxyType(sections),
        context=context,
    )
    return term, _TermLines(
        path=path,
        title=lines.key("title"),
        aliases=tuple(lines.item("aliases", index) for index, _ in aliases),
        related=tuple(lines.item("related", index) for index, _ in related),
    )


# libyaml's parser where installed: it parses a 5,000-term glossary about ten times faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class _YamlLoader(_SafeLoader):  # type: ignore[misc]
    """SafeLoader that keeps an impossible date (2024-02-30) as text instead of raising ValueError,
    so that the field's own check reports it with its line, and that notes every key a mapping
    gives twice, which YAML would silently settle by keeping the last value."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated_keys: list[tuple[yaml.Node, yaml.Node]] = []  # (first, again)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
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
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _YamlLoader.construct_yaml_timestamp)


def _parse_yaml(text: str, first_line: int, error: _Report) -> tuple[yaml.Node | None, Any] | None:
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
        error(first_line + again.start_mark.line,
              f"field {again.value!r} is given twice (first on line "
              f"{first_line + first.start_mark.line}); only one can count")
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
        node.start_mark = yaml.Mark(mark.name, mark.index, editor_lines(mark.line), mark.column,
                                    None, None)
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split into (front matter, body, line number of the body's first line)."""
    text = text.removeprefix("\ufeff")
    all_lines = split_lines(text)
    if not all_lines or all_lines[0].rstrip() != "---":
        return None
    for index, line in enumerate(all_lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(all_lines[1:index]), "".join(all_lines[index + 1 :]), index + 2
    return None


def _parse_front_matter(front: str, lines: _Lines, error: _Report) -> dict[str, Any] | None:
    parsed = _parse_yaml(front, FRONT_MATTER_LINE, error)
    if parsed is None:
        return None
    node, meta = parsed
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        error(FRONT_MATTER_LINE,
              "front matter must be a mapping of fields (title: ..., categories: [...])")
        return None
    for key_node, value_node in node.value:
        if key_node.tag != _STR_TAG:
            error(_front_matter_line(key_node), "field names must be text, like title or aliases")
        else:
            lines.key_nodes[key_node.value] = key_node
            lines.value_nodes[key_node.value] = value_node
    return {key: value for key, value in meta.items() if isinstance(key, str)}


def _value_nodes(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    """The value nodes of a mapping by their text keys."""
    return {key.value: value for key, value in node.value if key.tag == _STR_TAG}


def _string_list(
    meta: dict[str, Any], key: str, what: str, lines: _Lines, error: _Report
) -> list[tuple[int, str]]:
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
        text = _text(what, item, node, lines.item(key, index), error)
        if text is not None and block and _runs_on(node, text):
            error(lines.item(key, index), f"{what} {text!r} {LIST_ITEM_RUNS_ON}")
        elif text is not None:
            items.append((index, text))
    return items


def _runs_on(node: yaml.Node | None, text: str) -> bool:
    """Whether a plain list item took in the next line's `- item`, indented deeper than it."""
    return (isinstance(node, yaml.ScalarNode) and not node.style and " - " in text
            and node.end_mark.line > node.start_mark.line)


# What YAML reads instead of text when a value is not quoted: on, no -> a boolean; 1.10, 007 ->
# a number; ~, null -> null; 2024-05-01 -> a date.
_NOT_TEXT_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "true or false"),
    (int, "a number"),
    (float, "a number"),
    (type(None), "null (no value)"),
    (datetime.date, "a date"),
)


def _text(what: str, value: Any, node: yaml.Node | None, line: int, error: _Report) -> str | None:
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


def _parse_sections(body: str, first_line: int, path: Path, error: _Report) -> dict[str, str]:
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

    for number, line in enumerate(split_lines(body), start=first_line):
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading:
            close()
            current, chunk = heading.group(1), []
            if current not in SECTIONS:
                error(number, f"unknown section {current!r} (known: {', '.join(SECTIONS)})"
                              f"{did_you_mean(current, SECTIONS)}")
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
        placeholder = placeholder_at(name, text)
        if placeholder is not None:
            error(content_lines[name] + text.count("\n", 0, placeholder),
                  f"section {name!r} still holds the placeholder text that `new` wrote: "
                  "replace it with the entry's own words")
        editor_lines = EditorLines(text, MARKDOWN_BREAKS)
        for offset in unsafe_link_lines(text):
            error(content_lines[name] + editor_lines(offset),
                  f"link with an unsafe URL in section {name!r}")
    return {name: sections[name] for name in SECTIONS if name in sections}


def _check_related(
    terms: list[tuple[Term, _TermLines]], slugs: set[str], errors: list[ContentError]
) -> None:
    """Every related slug names a term file (`slugs`) other than the term's own."""
    for term, lines in terms:
        for slug, line in zip(term.related, lines.related, strict=True):
            if slug not in slugs:
                errors.append(ContentError(lines.path, line, f"related term {slug!r} does not "
                                           f"exist{did_you_mean(slug, slugs)}"))
            elif slug == term.slug:
                errors.append(ContentError(lines.path, line,
                                           "a term cannot be related to itself"))


def _check_names_unique(terms: list[tuple[Term, _TermLines]], errors: list[ContentError]) -> None:
    """No two terms have names that match the same text in an article (see `name_keys`)."""
    claimed: dict[str, tuple[str, str]] = {}  # name key -> (slug, name) of the first term with it
    for term, lines in terms:
        for name, line in zip(term.names, (lines.title, *lines.aliases), strict=True):
            keys = sorted(name_keys(name, term.case_sensitive))
            others = [claimed[k] for k in keys if k in claimed and claimed[k][0] != term.slug]
            if others:
                slug, other = others[0]
                message = f"name {name!r} matches the same text as {other!r} of term {slug!r}"
                errors.append(ContentError(lines.path, line, message))
            for key in keys:
                claimed.setdefault(key, (term.slug, name))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _front_matter_line(node: yaml.Node) -> int:
    """The file's line of a node of the front matter."""
    return FRONT_MATTER_LINE - 1 + _line(node)


# A construct that is never closed is found to be broken lines later (at the next field, or the
# end): the line to fix is where it opens, the context mark.
_OPENED_CONTEXTS = (
    "while parsing a flow",  # [ or { without ] or }
    "while scanning a quoted scalar",  # a quote that does not end
    "while scanning a simple key",  # a field name without its colon
)


def _yaml_error(
    exc: yaml.YAMLError, text: str, first_line: int, editor_lines: EditorLines
) -> tuple[int, str]:
    """The file's line to fix and what is wrong there; `text` begins on line `first_line`."""
    context = str(getattr(exc, "context", None) or "")
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    # Without a `problem`, as for a character YAML refuses, the message's first line says it all.
    problem = str(getattr(exc, "problem", None) or str(exc).partition("\n")[0]).strip()
    if context_mark and context.startswith(_OPENED_CONTEXTS):
        opened = first_line + editor_lines(context_mark.line)
        yaml_lines = YAML_BREAKS.split(text)  # as the marks count them
        if (context.startswith("while parsing a flow") and problem_mark
                and yaml_lines[problem_mark.line:][:1] and yaml_lines[problem_mark.line][:1].isspace()):
            # An indented line inside the list, not the next field: a bad item, not a missing ].
            return (first_line + editor_lines(problem_mark.line),
                    f"{problem} (in the list opened on line {opened})")
        return opened, f"{problem} ({context})"
    if problem_mark or context_mark:
        return first_line + editor_lines((problem_mark or context_mark).line), problem
    if isinstance(exc, yaml.reader.ReaderError):
        # Where the refused character is: libyaml's position counts bytes, not characters.
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        return first_line + text.count("\n", 0, found if found >= 0 else exc.position), problem
    return first_line, problem
