"""Terms as rows of a spreadsheet (CSV) or of a JSON list, one row per term, and back.

`read_rows` turns a file's bytes into Terms, each problem at its row and column; `write_rows`
writes terms so that `read_rows` gives them back equal (docs/import-export.md). The checks a
term file gets (categories, names, related slugs, context rules) are not made here: the
importer writes the terms as files and lets the loader check them.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from widget_server.model import SECTIONS, SLUG_RE, Context, Term, slugify
from widget_server.suggest import did_you_mean
from widget_server.termfile import CONTEXT_KEYS
from widget_server.termwriter import context_fields

# The columns, in the order export writes them.
COLUMNS = (
    "slug",
    "title",
    "categories",
    "aliases",
    "definition",
    "examples",
    "misuse",
    "benefits",
    "conclusion",
    "related",
    "updated",
    "case_sensitive",
    "context",
)
REQUIRED_COLUMNS = ("title", "categories", "definition", "misuse", "updated")

# A line that starts a Markdown list item: an Examples cell with one is Markdown as written.
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LINE_END_RE = re.compile(r"\r\n|\r|\n")
# A byte that is not UTF-8, as decoding with surrogateescape keeps it.
_NOT_UTF8_RE = re.compile("[\udc80-\udcff]")
SAVE_AS_UTF8 = "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"
MAX_UNDECODABLE = 10
# What a spreadsheet reads as the start of a formula: export writes such a cell after a `'`,
# which spreadsheets show as text, and import drops that `'` again (OWASP's advice for CSV
# injection). The Examples cell of a nested list starts with "- ", which Excel would otherwise
# turn into a #NAME? error.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The largest cell read: csv's own limit (131,072 characters) is less than a long entry's
# section can be.
MAX_CELL = 16 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """What is wrong with the file (row None), a row (column ""), or one of its cells."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class Row:
    """One row that names a term file: the term (made of what could be read; a row with
    problems is never written) and its row number as the file's reader counts it."""

    number: int
    term: Term
    slug_column: str  # where the slug came from: "slug", or "title" when made from it


class ExportError(Exception):
    pass


# ---- Reading ------------------------------------------------------------------------------


def read_rows(data: bytes, file_format: str) -> tuple[list[Row], list[Problem]]:
    """The rows of a CSV or JSON file that name a term, and every problem found."""
    problems: list[Problem] = []
    advice = SAVE_AS_UTF8 if file_format == "csv" else "save the file as UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return [], [Problem(None, "", f"UTF-16 or UTF-32 text (Excel's Unicode Text), not UTF-8; {advice}")]
    # Bytes that are not UTF-8 are kept as lone surrogates, so that every cell holding one is
    # found (a file saved as Windows-1252 has many), not just the first.
    text = data.decode("utf-8-sig", errors="surrogateescape")
    records = _csv_records(text, problems) if file_format == "csv" else _json_records(text, problems)
    if _NOT_UTF8_RE.search(text):
        return [], _undecodable(text, records, problems, advice)
    rows = []
    for number, record in records:
        term = _term(number, record, problems)
        if term is not None:
            given = isinstance(record.get("slug"), str) and record["slug"].strip()
            rows.append(Row(number, term, "slug" if given else "title"))
    return rows, problems


def _undecodable(
    text: str, records: list[tuple[int, dict[str, Any]]], problems: list[Problem], advice: str
) -> list[Problem]:
    """Each cell (CSV) or line (JSON, or a CSV that does not parse) that holds bytes that are not
    UTF-8, the first MAX_UNDECODABLE of them; nothing else is checked in such a file."""

    def message(found: str) -> str:
        byte = ord(_NOT_UTF8_RE.findall(found)[0]) - 0xDC00
        return f"not UTF-8 text (byte {byte:#04x}); {advice}"

    found = [
        Problem(number, column, message(cell))
        for number, record in records
        for column, cell in record.items()
        if isinstance(cell, str) and _NOT_UTF8_RE.search(cell)
    ]
    if not found or problems:  # JSON, or a CSV whose rows could not all be read
        found = [
            Problem(None, "", f"line {number}: {message(line)}")
            for number, line in enumerate(text.split("\n"), start=1)
            if _NOT_UTF8_RE.search(line)
        ]
    more = len(found) - MAX_UNDECODABLE
    if more > 0:
        found = [*found[:MAX_UNDECODABLE], Problem(None, "", f"and {more} more places that are not UTF-8 text")]
    return found


def _delimiter(text: str) -> str:
    """The header line's separator: spreadsheets in many locales write `;` instead of `,`."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _column_name(name: str) -> str:
    """A header as a column name: `Case sensitive` is `case_sensitive`."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _check_columns(names: Iterable[str], row: int | None, problems: list[Problem]) -> bool:
    """Report unknown, repeated and missing columns; whether the rows can be read."""
    seen: set[str] = set()
    ok = True
    for name in names:
        if not name:
            continue  # a column without a name, which spreadsheets write; its cells are empty
        if name not in COLUMNS:
            problems.append(
                Problem(row, name, f"unknown column (known: {', '.join(COLUMNS)}){did_you_mean(name, COLUMNS)}")
            )
            ok = False
        elif name in seen:
            problems.append(Problem(row, name, "column given twice"))
            ok = False
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(Problem(row, name, f"missing column (required: {', '.join(REQUIRED_COLUMNS)})"))
            ok = False
    return ok


def _csv_records(text: str, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    """(row number, cells by column) of each row that holds anything; the header is row 1."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: list[list[str]] = []
    line = 0  # the last line of the last row read
    limit = csv.field_size_limit(MAX_CELL)
    try:
        for cells in reader:
            table.append([_unformula(cell) for cell in cells])
            line = reader.line_num
    except csv.Error as error:
        problems.append(_unreadable_row(text, delimiter, table, line, error))
        return []
    finally:
        csv.field_size_limit(limit)
    if not table:
        problems.append(Problem(None, "", "empty file: the first row names the columns"))
        return []
    header = [_column_name(name) for name in table[0]]
    if not set(header) & set(COLUMNS):
        problems.append(
            Problem(
                None, "", f"not a CSV file of terms: its first row names none of the columns ({', '.join(COLUMNS)})"
            )
        )
        return []
    if not _check_columns(header, 1, problems):
        return []
    records = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank row, which spreadsheets often write at the end
        unnamed = [cell for name, cell in zip(header, cells, strict=False) if not name]
        if len(cells) > len(header) or any(cell.strip() for cell in unnamed):
            problems.append(Problem(number, "", "text in a column without a name in row 1"))
            continue
        records.append((number, {name: cell for name, cell in zip(header, cells, strict=False) if name}))
    return records


def _unformula(cell: str) -> str:
    """A cell as export wrote it: without the `'` export put before it."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell[1:]) else cell


def _formula_like(cell: str) -> bool:
    """Whether export writes `cell` after a `'`: it starts as a formula does, after any `'`s of
    its own (which import would otherwise take for export's)."""
    return cell.lstrip("'").startswith(FORMULA_STARTS)


def _unreadable_row(text: str, delimiter: str, table: list[list[str]], line: int, error: csv.Error) -> Problem:
    """Where the row after `table`'s rows (it starts on the line after `line`) stops being CSV,
    and why: nearly always a quote, one opened and never closed (the rows after it were read
    into its cell) or one inside a quoted cell that is not doubled."""
    # Lines as csv counts them (its reader's file splits them at \r\n, \r or \n).
    starts = [0, *(found.end() for found in _LINE_END_RE.finditer(text))]
    cell, problem = _quote_problem(text, delimiter, starts, line)
    header = [_column_name(name) for name in table[0]] if table else []
    column = header[cell] if cell is not None and cell < len(header) else ""
    return Problem(len(table) + 1, column, problem or f"not CSV: {error} (the row starts on line {line + 1})")


def _quote_problem(text: str, delimiter: str, starts: list[int], line: int) -> tuple[int | None, str | None]:
    """The cell of the row on the line after `line` whose quotes are wrong, and what is wrong,
    as CSV reads quotes: only a quote that starts a cell opens it, `""` inside it is a quote,
    and the closing quote is followed by the separator or the end of the line. `starts` are
    where the text's lines start."""

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    fix = 'close it, or write a quote inside a cell as ""'
    cell = 0
    i = starts[min(line, len(starts) - 1)]
    while i < len(text):
        if text[i] == '"':
            opened = line_of(i)
            i += 1
            while True:
                close = text.find('"', i)
                if close < 0:
                    return cell, f"the quote that opens this cell (line {opened}) is never closed: {fix}"
                if text.startswith('""', close):
                    i = close + 2
                    continue
                if text[close + 1 : close + 2] not in ("", delimiter, "\r", "\n"):
                    if line_of(close) == opened:
                        return cell, (
                            f'a quote inside this quoted cell (line {opened}) must be written twice (""), '
                            "or the cell's closing quote is missing"
                        )
                    return cell, (
                        f"the quote that opens this cell (line {opened}) is followed on line "
                        f"{line_of(close)} by a quote with text after it: write a quote inside a cell "
                        'twice (""), or, if the cell ends sooner, add its closing quote (the lines '
                        "between were read into it)"
                    )
                i = close + 1
                break
        while i < len(text) and text[i] not in (delimiter, "\r", "\n"):
            i += 1
        if i >= len(text) or text[i] != delimiter:
            return None, None
        i += 1
        cell += 1
    return None, None


def _json_records(text: str, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    """(row number, values by column) of each object of the list; the first is row 1."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as error:
        problems.append(Problem(None, "", f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"))
        return []
    if not isinstance(data, list) or isinstance(data, _Object):
        problems.append(Problem(None, "", "the JSON must be a list of objects, one per term"))
        return []
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, _Object):
            problems.append(Problem(number, "", "not an object: the JSON is a list of objects, one per term"))
            continue
        names = [_column_name(key) for key, _ in item]
        if _check_columns(names, number, problems):
            records.append((number, dict(zip(names, (value for _, value in item), strict=True))))
    return records


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, so that a key given twice is seen, not dropped."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    return _Object(pairs)


def _kind(value: Any) -> str:
    """What a JSON value is, in words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "an object" if isinstance(value, _Object) else "a list"


def _term(number: int, record: dict[str, Any], problems: list[Problem]) -> Term | None:
    """The term of one row; None when it has no slug to name its file by."""

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    def value(column: str) -> Any:
        return record.get(column)

    title = _text("title", value("title"), problem)
    if not title and not _not_text(value("title")):
        problem("title", "empty title")
    slug = _text("slug", value("slug"), problem)
    if slug and not SLUG_RE.match(slug):
        problem("slug", f"{slug!r} is not a valid slug (lowercase letters, digits, hyphens)")
        slug = ""
    elif not slug:
        slug = slugify(title)
        if not slug and title:
            problem("title", f"cannot make a slug from {title!r}: give one in column slug")
    # The other columns are read either way, so that every problem of the row is said at once.
    sections = {
        name: _examples(value("examples"), problem)
        if name == "Examples"
        else _text(name.lower(), value(name.lower()), problem)
        for name in SECTIONS
    }
    term = Term(
        slug=slug,
        title=title,
        categories=_list("categories", value("categories"), problem),
        aliases=_list("aliases", value("aliases"), problem),
        case_sensitive=_flag(value("case_sensitive"), problem),
        related=_list("related", value("related"), problem),
        updated=_date(value("updated"), problem),
        # Definition and Misuse are written even when empty, so that the loader says so at
        # their column.
        sections=MappingProxyType(
            {name: text for name, text in sections.items() if text or name in ("Definition", "Misuse")}
        ),
        context=_context(value("context"), problem),
    )
    return term if slug else None


Report = Callable[[str, str], None]


def _cell(text: str) -> str:
    """A cell's text with its line breaks as the loader reads a file's: \\r\\n and \\r are \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _not_text(value: Any) -> bool:
    """Whether `_text` reports `value` as not text (and so nothing more need be said of it)."""
    return value is not None and not isinstance(value, str)


def _text(column: str, value: Any, problem: Report) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problem(column, f"must be text, not {_kind(value)}")
        return ""
    return _cell(value)


def _list(column: str, value: Any, problem: Report) -> tuple[str, ...]:
    """A list cell: its lines when it holds a line break, else its `;`-separated items; in
    JSON, an array of text (or such a cell)."""
    if isinstance(value, list) and not isinstance(value, _Object):
        items = [_text(column, item, problem) for item in value]
        return tuple(item for item in items if item)
    text = _text(column, value, problem)
    items = text.split("\n") if "\n" in text else text.split(";")
    items = [item.strip() for item in items if item.strip()]
    # No slug holds a comma: one in these is a list separated the usual way, not this file's.
    if column in ("categories", "related") and any("," in item for item in items):
        problem(column, "separate the items with ';' (or put one per line): a comma does not separate them")
        return ()
    return tuple(items)


def _flag(value: Any, problem: Report) -> bool:
    if isinstance(value, bool):
        return value
    text = _text("case_sensitive", value, problem).lower()
    if text in ("", "false", "no", "0"):
        return False
    if text in ("true", "yes", "1"):
        return True
    problem("case_sensitive", f"must be true or false, not {text!r}")
    return False


def _date(value: Any, problem: Report) -> datetime.date:
    text = _text("updated", value, problem)
    if _not_text(value):
        return datetime.date(1970, 1, 1)  # reported
    try:
        if _DATE_RE.match(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    problem(
        "updated",
        f"must be a date written as YYYY-MM-DD, not {text!r} (in a spreadsheet, format the column as text)"
        if text
        else "missing date (YYYY-MM-DD)",
    )
    return datetime.date(1970, 1, 1)


def _examples(value: Any, problem: Report) -> str:
    """The Examples section: one list item per line of the cell (or item of a JSON array), or
    the cell as it is when it is Markdown with list items of its own."""
    if isinstance(value, list) and not isinstance(value, _Object):
        items = [_text("examples", item, problem) for item in value]
        if any("\n" in item for item in items):
            problem("examples", "an example is one line of text")
        return "\n".join(f"- {item}" for item in items if item)
    text = _text("examples", value, problem)
    lines = text.split("\n")
    if any(_LIST_ITEM_RE.match(line) for line in lines):
        # Markdown would join a line that is not an item, nor indented under one, to the item
        # before it: two examples in one.
        if any(line.strip() and not _LIST_ITEM_RE.match(line) and not line[0].isspace() for line in lines):
            problem(
                "examples",
                "some lines are list items ('- ...') and some are not: start every example with '- ' "
                "(indent a line that goes on under an item), or none, one example per line",
            )
        return text
    return "\n".join(f"- {line.strip()}" for line in lines if line.strip())


def _context(value: Any, problem: Report) -> Context:
    """The context rules: a JSON object of needs, near and not (in a CSV cell, as JSON text)."""
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value, object_pairs_hook=dict)
        except json.JSONDecodeError as error:
            # Spreadsheets and word processors turn typed quotes into curly ones, which JSON's are not.
            curly = "; its quotes are curly ones (“ ”), JSON's are straight (\")" if re.search("[“”„]", value) else ""
            problem("context", f'not JSON: {error.msg}{curly} (like {{"needs": ["ARM"], "near": ["mortgage"]}})')
            return Context()
    elif isinstance(value, _Object):
        value = dict(value)
    if value is None or value == "":
        return Context()
    if not isinstance(value, dict):
        problem("context", "must be an object of needs, near and not")
        return Context()
    for key in value:
        if key not in CONTEXT_KEYS:
            problem(
                "context",
                f"unknown key {key!r} (known: {', '.join(CONTEXT_KEYS)}){did_you_mean(str(key), CONTEXT_KEYS)}",
            )
    words = {}
    for key in CONTEXT_KEYS:
        items = value.get(key) or []
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            problem("context", f"{key} must be a list of text")
            items = []
        words[key] = tuple(item.strip() for item in items)
    return Context(words["needs"], words["near"], words["not"])


# ---- Writing ------------------------------------------------------------------------------


def write_rows(terms: Iterable[Term], file_format: str) -> bytes:
    """The terms as a CSV file (UTF-8 with a BOM and CRLF rows, as spreadsheets write it) or
    a JSON list; `read_rows` reads them back into equal terms."""
    terms = list(terms)
    records = [_record(term) for term in terms]
    if file_format == "json":
        return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for term, record in zip(terms, records, strict=True):
        writer.writerow(_csv_cell(term, column, record[column]) for column in COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _record(term: Term) -> dict[str, Any]:
    """The term as JSON values, by column."""
    return {
        "slug": term.slug,
        "title": term.title,
        "categories": list(term.categories),
        "aliases": list(term.aliases),
        **{name.lower(): term.sections.get(name, "") for name in SECTIONS},
        "examples": _example_items(term.sections.get("Examples", "")),
        "related": list(term.related),
        "updated": term.updated.isoformat(),
        "case_sensitive": term.case_sensitive,
        "context": context_fields(term.context) or None,
    }


def _example_items(section: str) -> list[str] | str:
    """The examples one by one, when the section is a plain list of one-line items that reads
    back the same; else the section as written."""
    lines = section.split("\n") if section else []
    items = [line[2:] for line in lines]
    plain = all(
        line.startswith("- ") and item == item.strip() and item and not _LIST_ITEM_RE.match(item)
        for line, item in zip(lines, items, strict=True)
    )
    return items if plain else section


def _csv_cell(term: Term, column: str, value: Any) -> str:
    cell = _csv_text(term, column, value)
    return "'" + cell if _formula_like(cell) else cell


def _csv_text(term: Term, column: str, value: Any) -> str:
    if column == "context":
        return json.dumps(value, ensure_ascii=False) if value else ""
    if column == "case_sensitive":
        return "true" if value else "false"
    if column == "examples":
        return "\n".join(value) if isinstance(value, list) else value
    if not isinstance(value, list):
        return str(value)
    if any("\n" in item for item in value):
        raise ExportError(
            f"term {term.slug!r}: an item of {column} holds a line break, which a "
            "CSV cell cannot keep apart from the next item: export as JSON"
        )
    return "\n".join(value) if any(";" in item for item in value) else "; ".join(value)
