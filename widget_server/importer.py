"""`glossary-widget import`: the terms of a CSV or JSON file written as term files, all of them or
none.

The glossary is copied into a hidden folder inside it (its files as hard links, which cost no
space), the rows are written there as term files, and the loader checks that copy, the whole
glossary with the new files, as `check` would. Only when nothing is wrong does the copy's
`terms/` take the place of the glossary's, in one rename: a crash before it leaves the glossary
as it was, and after it the import is whole.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from widget_server.content import load_categories, load_glossary
from widget_server.model import ContentError, Glossary, GlossaryInvalid, Term, display_path
from widget_server.names import name_keys
from widget_server.tabular import COLUMNS, Problem, Row, read_rows
from widget_server.termwriter import term_parts, term_text


class ImportRefused(Exception):
    """Raised with every problem of the file, each at its row and column; nothing was written."""

    def __init__(self, source: Path, problems: list[Problem]) -> None:
        order = {column: index for index, column in enumerate(("", *COLUMNS))}
        problems = sorted(problems, key=lambda p: (p.row or 0, order.get(p.column, 0)))
        self.lines = [_located(source, problem) for problem in problems]
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Imported:
    created: tuple[str, ...]  # slugs
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]  # rows equal to their term: its file is left as it was
    comments_dropped: tuple[str, ...]  # updated terms whose files had comments, which rows do not hold


def import_terms(data_dir: Path, source: Path, file_format: str, update: bool) -> Imported:
    """Write the terms of `source` into `data_dir/terms/`, replacing existing ones only when
    `update`; raise ImportRefused (the file) or GlossaryInvalid (the glossary as it is, which
    must be valid first) and write nothing."""
    load_categories(data_dir)  # a folder with a valid categories.yml, or its errors
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ImportRefused(source, [Problem(None, "", f"cannot be read: {error.strerror}")]) from None
    rows, problems = read_rows(data, file_format)
    if not rows and not problems:
        problems.append(
            Problem(
                None,
                "",
                "no terms: the file has no rows below its column names"
                if file_format == "csv"
                else "no terms: the list is empty",
            )
        )
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=data_dir))
    try:
        before = _copy_glossary(data_dir, staging)
        glossary = _load(staging, data_dir)
        written = _write_rows(rows, staging / "terms", update, glossary, problems)
        try:
            load_glossary(staging)
        except GlossaryInvalid as invalid:
            problems += _row_problems(invalid.errors, written, glossary, problems, staging, data_dir)
        if problems:
            raise ImportRefused(source, problems)
        if _listing(data_dir / "terms") != before:
            raise ImportRefused(
                source,
                [Problem(None, "", f"{display_path(data_dir / 'terms')} changed during the import: run it again")],
            )
        # Read before the swap, from the files the import replaces.
        commented = tuple(
            row.term.slug
            for row in written.values()
            if glossary.term(row.term.slug) and _has_comments(data_dir / "terms" / f"{row.term.slug}.md")
        )
        _swap(staging / "terms", data_dir / "terms")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    slugs = [row.term.slug for row in written.values()]
    written_slugs = set(slugs)
    updated = tuple(s for s in slugs if glossary.term(s))
    return Imported(
        created=tuple(s for s in slugs if not glossary.term(s)),
        updated=updated,
        unchanged=tuple(row.term.slug for row in rows if row.term.slug not in written_slugs),
        comments_dropped=commented,
    )


def _located(source: Path, problem: Problem) -> str:
    where = [f"row {problem.row}"] if problem.row is not None else []
    where += [f"column {problem.column}"] if problem.column else []
    return ": ".join(
        [display_path(source), ", ".join(where), problem.message] if where else [display_path(source), problem.message]
    )


def _copy_glossary(data_dir: Path, staging: Path) -> dict[str, tuple[int, int]]:
    """Copy what the loader reads into `staging`, files as hard links where the file system
    has them; the listing of `terms/` as it was copied."""
    terms = data_dir / "terms"
    before = _listing(terms)
    for name in ("categories.yml", "sites", "terms"):
        if (data_dir / name).is_dir():
            shutil.copytree(data_dir / name, staging / name, copy_function=_link, symlinks=True)
        elif (data_dir / name).exists():
            _link(data_dir / name, staging / name)
    (staging / "terms").mkdir(exist_ok=True)
    return before


def _link(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Each entry of `folder` with its inode and modification time: what an edit changes."""
    if not folder.is_dir():
        return {}
    return {entry.name: (entry.inode(), entry.stat(follow_symlinks=False).st_mtime_ns) for entry in os.scandir(folder)}


def _load(staging: Path, data_dir: Path) -> Glossary:
    """The glossary as it is: an import adds to a valid glossary, or says what to fix first."""
    try:
        return load_glossary(staging)
    except GlossaryInvalid as invalid:
        raise GlossaryInvalid([_unstaged(e, staging, data_dir) for e in invalid.errors]) from None


def _unstaged(error: ContentError, staging: Path, data_dir: Path) -> ContentError:
    """The error at the glossary's own file rather than at its copy."""
    return replace(error, path=data_dir / error.path.relative_to(staging))


def _write_rows(
    rows: list[Row], terms: Path, update: bool, glossary: Glossary, problems: list[Problem]
) -> dict[Path, Row]:
    """Write each row's term file into the copy's `terms/`; the files written, with their rows.
    A row equal to its term in `glossary` leaves the file as it is, comments and layout and all:
    an export imported back with --update rewrites only what was edited."""
    written: dict[Path, Row] = {}
    first_row: dict[str, int] = {}
    for row in rows:
        slug = row.term.slug
        path = terms / f"{slug}.md"
        if slug in first_row:
            problems.append(Problem(row.number, row.slug_column, f"slug {slug!r} is also row {first_row[slug]}'s"))
            continue
        first_row[slug] = row.number
        if path.exists() and not update:
            problems.append(
                Problem(
                    row.number, row.slug_column, f"term {slug!r} exists (terms/{slug}.md): pass --update to replace it"
                )
            )
            continue
        if _same(glossary.term(slug), row.term):
            continue
        path.unlink(missing_ok=True)  # a hard link to the glossary's own file: never write into it
        path.write_text(term_text(row.term), encoding="utf-8", newline="")
        written[path] = row
    return written


def _same(existing: Term | None, term: Term) -> bool:
    """Whether the row's term is the glossary's (terms compare without their sections)."""
    return existing == term and existing is not None and dict(existing.sections) == dict(term.sections)


def _has_comments(path: Path) -> bool:
    """Whether the term file at `path` (as it was before the import) has a YAML comment in its
    front matter: a line that starts with `#`, or ` #` after a value outside quotes."""
    front = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    return bool(re.search(r"(^|\s)#", re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'", "", front)))


def _row_problems(
    errors: list[ContentError],
    written: dict[Path, Row],
    glossary: Glossary,
    problems: list[Problem],
    staging: Path,
    data_dir: Path,
) -> list[Problem]:
    """The loader's errors at the rows and columns they come from. An error in a column that
    already has a problem of the row's own is the same problem, said once."""
    found = {(p.row, p.column) for p in problems}
    located: list[Problem] = []
    for error in errors:
        row = written.get(error.path)
        if row is not None:
            problem = Problem(row.number, _column_at(row.term, error.line), error.message)
        else:
            problem = _clash(error, written, glossary) or Problem(None, "", str(_unstaged(error, staging, data_dir)))
        if (problem.row, problem.column) not in found:
            located.append(problem)
    return located


def _column_at(term: Term, line: int) -> str:
    """The column whose text is at `line` of the term's file ("" for its `---` lines)."""
    start = 1
    for column, text in term_parts(term):
        start += text.count("\n")
        if line < start:
            return column
    return ""


def _clash(error: ContentError, written: dict[Path, Row], glossary: Glossary) -> Problem | None:
    """A term of the glossary left as it was has an error only when a row's name matches the
    same text as one of its names (the loader reports a clash at the term that sorts last):
    that row's problem."""
    existing = glossary.term(error.path.stem)
    if existing is None:
        return None
    for row in written.values():
        names = [("title", row.term.title), *(("aliases", alias) for alias in row.term.aliases)]
        for column, name in names:
            for other in existing.names:
                if name_keys(name, row.term.case_sensitive) & name_keys(other, existing.case_sensitive):
                    return Problem(
                        row.number,
                        column,
                        f"name {name!r} matches the same text as {other!r} of term {existing.slug!r}",
                    )
    return None


# Linux swaps two folders in one step (renameat2 with RENAME_EXCHANGE, through the C library).
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _swap(new: Path, folder: Path) -> None:
    """Put `new` in the place of `folder` (which ends up where `new` was, to be deleted)."""
    if not folder.exists():
        new.rename(folder)
        return
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(folder), _RENAME_EXCHANGE) == 0:
            return
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(folder))
    # Elsewhere, two renames: a crash between them leaves no terms/, and the glossary's own in
    # the hidden .import-* folder, as terms.old.
    old = new.with_name(new.name + ".old")
    folder.rename(old)
    new.rename(folder)
