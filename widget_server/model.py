"""The glossary as the rest of the code sees it: categories, terms, sites, and the errors of
loading them. Immutable, so that one loaded snapshot can be shared by every request."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from widget_server.names import is_acronym, name_keys

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(title: str) -> str:
    """The slug `new` and `import` give a title: its ASCII letters and digits, lowercase."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


SECTIONS = ("Definition", "Examples", "Misuse", "Benefits", "Conclusion")
REQUIRED_SECTIONS = ("Definition", "Misuse")


@dataclass(frozen=True)
class ContentError:
    """One problem in the glossary folder, located to a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"


def report_to(errors: list[ContentError], path: Path) -> Callable[[int, str], None]:
    """Reports a problem at a line of `path` into `errors`."""
    return lambda line, message: errors.append(ContentError(path, line, message))


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
    names only with one of the `near` words in their block or the block before it; no name inside
    a `refuse` phrase (`not`)."""

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
class Site:
    """One registered partner site; unset settings (None) fall back to the widget's defaults."""

    id: str
    name: str
    origins: tuple[str, ...]
    categories: tuple[str, ...] = ()
    occurrences: str | None = None
    max: int | None = None
    root: str | None = None
    exclude: str | None = None
    theme: str | None = None
    link_target: str | None = None
    feedback: bool = True
    enabled: bool = True

    def attributes(self) -> dict[str, str]:
        """The settings as the tag's data-* attributes would give them (attribute -> text), so
        that the widget reads a site file and a tag with one code path and one set of checks."""
        values = {
            "data-categories": ",".join(self.categories),
            "data-occurrences": self.occurrences,
            "data-max": None if self.max is None else str(self.max),
            "data-root": self.root,
            "data-exclude": self.exclude,
            "data-theme": self.theme,
            "data-link-target": self.link_target,
            "data-feedback": None if self.feedback else "off",
        }
        return {name: value for name, value in values.items() if value}


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
    """The path relative to the working directory where possible, as editors expect; else as
    given. Not resolved: the errors of a linked file are the link's, which the editor named
    (a resolved link names its target, or whatever a dangling one points at)."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
