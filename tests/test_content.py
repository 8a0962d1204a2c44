"""The loader and validator: every error names its file and line; valid content loads."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic
from widget_server.content import load_glossary
from widget_server.model import Category, ContentError, Glossary, GlossaryInvalid, Term
from widget_server.names import CONTROL_RE, name_keys
from widget_server.parallel import PARALLEL_TERMS

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DATA = ROOT / "glossary_data"

CATEGORIES = """\
- slug: finance
  label: Finance
  description: Money matters.
- slug: healthcare
  label: Healthcare
  description: Care and its bills.
"""

BODY = """\
## Definition

What it is.

## Misuse

How it is abused.
"""


def term(title: str = "Alpha", fields: str = "", body: str = BODY) -> str:
    """A term file: front matter lines 1-5 (plus `fields`, from line 5 on), then `body`."""
    return f"---\ntitle: {title}\ncategories: [finance]\nupdated: 2024-05-01\n{fields}---\n{body}"


def write_glossary(root: Path, terms: dict[str, str], categories: str = CATEGORIES) -> Path:
    """`terms` maps a file name in terms/ to its text."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "categories.yml").write_text(categories, encoding="utf-8")
    (root / "terms").mkdir(exist_ok=True)
    for name, text in terms.items():
        (root / "terms" / name).write_text(text, encoding="utf-8")
    return root


def errors_of(root: Path) -> list[ContentError]:
    with pytest.raises(GlossaryInvalid) as raised:
        load_glossary(root)
    return raised.value.errors


def located(root: Path, file: str) -> str:
    return str(root / file)


# (files beside a valid alpha.md and beta.md, file with the error, line, message fragment)
ERROR_CASES = {
    "yaml does not parse": (
        {"gamma.md": "---\ntitle: Gamma\ncategories: [finance]\nrelated: x: y\n---\n" + BODY},
        "terms/gamma.md",
        4,
        "YAML does not parse: mapping values are not allowed",
    ),
    "yaml list never closed, at the line that opens it": (
        {"gamma.md": term("Gamma", "aliases: [G, Gee\nrelated: [alpha]\n")},
        "terms/gamma.md",
        5,
        "YAML does not parse: did not find expected ',' or ']'",
    ),
    "yaml quote never closed, at the line that opens it": (
        {"gamma.md": term("Gamma", 'aliases: ["G\nrelated: [alpha]\n')},
        "terms/gamma.md",
        5,
        "YAML does not parse: found unexpected end of stream",
    ),
    "yaml field name without a colon, at its line": (
        {"gamma.md": term("Gamma", "aliases\nrelated: [alpha]\n")},
        "terms/gamma.md",
        5,
        "YAML does not parse: could not find expected ':'",
    ),
    "yaml list item badly indented, at the item": (
        {"gamma.md": term("Gamma", "aliases:\n  - G\n - Gee\n")},
        "terms/gamma.md",
        7,
        "YAML does not parse: did not find expected key",
    ),
    "yaml bad item in a list over several lines, at the item": (
        {"gamma.md": term("Gamma", "aliases: [\n  G,\n  Gee: a: b,\n  Geez,\n]\n")},
        "terms/gamma.md",
        7,
        "YAML does not parse: did not find expected ',' or ']' (in the list opened on line 5)",
    ),
    "yaml control character after other scripts, at its line": (
        {"gamma.md": term("Gamma", "aliases: [\u00e9t\u00e9, \u00c9t\u00e9s, \u4e2d\u6587]\nrelated: [alpha\x07]\n")},
        "terms/gamma.md",
        6,
        "YAML does not parse: unacceptable character #x0007",
    ),
    "yaml control character, at its line": (
        {"gamma.md": term("Gamma", "aliases: [G\x07]\n")},
        "terms/gamma.md",
        5,
        "YAML does not parse: unacceptable character #x0007",
    ),
    "field given twice": (
        {"gamma.md": term("Gamma", "aliases: [G]\nrelated: [alpha]\naliases: [Gee]\n")},
        "terms/gamma.md",
        7,
        "field 'aliases' is given twice (first on line 5)",
    ),
    "field given twice, as YAML reads keys": (
        {"gamma.md": term("Gamma", "case_sensitive: true\n'case_sensitive': false\n")},
        "terms/gamma.md",
        6,
        "field 'case_sensitive' is given twice (first on line 5)",
    ),
    "title that YAML reads as a number": (
        {"gamma.md": term("1.10")},
        "terms/gamma.md",
        2,
        'title 1.10 is read as a number; put it in quotes: "1.10"',
    ),
    "category that YAML reads as a boolean": (
        {"gamma.md": term("Gamma").replace("[finance]", "[finance, no]")},
        "terms/gamma.md",
        3,
        'category no is read as true or false; put it in quotes: "no"',
    ),
    "related slug that YAML reads as a date": (
        {"gamma.md": term("Gamma", "related:\n  - alpha\n  - 2024-05-01\n")},
        "terms/gamma.md",
        7,
        'related term 2024-05-01 is read as a date; put it in quotes: "2024-',
    ),
    "alias that YAML reads as null": (
        {"gamma.md": term("Gamma", "aliases: [G, ~]\n")},
        "terms/gamma.md",
        5,
        'alias ~ is read as null (no value); put it in quotes: "~"',
    ),
    "alias that is a list": (
        {"gamma.md": term("Gamma", "aliases: [[G]]\n")},
        "terms/gamma.md",
        5,
        "alias must be plain text",
    ),
    "title that does not end with a letter or digit": (
        {"gamma.md": term('"401(k)"')},
        "terms/gamma.md",
        2,
        "title '401(k)' must start and end with a letter or digit",
    ),
    "alias with a control character, written as an escape": (
        {"gamma.md": term("Gamma", 'aliases: ["pay\\0day"]\n')},
        "terms/gamma.md",
        5,
        "alias 'pay\\x00day' must not contain control characters",
    ),
    "alias with a control character that Python calls white space": (
        {"gamma.md": term("Gamma", 'aliases: ["pay\\x1cday"]\n')},
        "terms/gamma.md",
        5,
        "alias 'pay\\x1cday' must not contain control characters",
    ),
    "alias with a bidirectional override": (
        {"gamma.md": term("Gamma", 'aliases: ["pay\\u202eday"]\n')},
        "terms/gamma.md",
        5,
        "alias 'pay\\u202eday' must not contain bidirectional controls",  # escaped: it would reverse the line
    ),
    "noncharacter in a section, at its line": (
        {"gamma.md": term("Gamma", body=BODY.replace("How it is", "How\uffff it is"))},
        "terms/gamma.md",
        12,
        "a noncharacter (U+FFFF) is not text: delete it",
    ),
    "title longer than a name can be": (
        {"gamma.md": term("Gamma " + "x" * 95)},
        "terms/gamma.md",
        2,
        f"title 'Gamma {'x' * 95}' is 101 characters long; a name has at most 100",
    ),
    "control character in a section, at its line": (
        {"gamma.md": term("Gamma", body=BODY.replace("How it is", "How\x1b[31m it is"))},
        "terms/gamma.md",
        12,
        "a control character (U+001B) shows on no page: delete it",
    ),
    "missing title": (
        {"gamma.md": "---\ncategories: [finance]\nupdated: 2024-05-01\n---\n" + BODY},
        "terms/gamma.md",
        1,
        "missing title",
    ),
    "blank title": (
        {"gamma.md": term('"  "')},
        "terms/gamma.md",
        2,
        "missing title",
    ),
    "missing definition": (
        {"gamma.md": term("Gamma", body="## Misuse\n\nAbused.\n")},
        "terms/gamma.md",
        6,
        "missing '## Definition' section",
    ),
    "missing misuse": (
        {"gamma.md": term("Gamma", body="## Definition\n\nWhat.\n\n## Examples\n\n- One.\n")},
        "terms/gamma.md",
        6,
        "missing '## Misuse' section",
    ),
    "unknown category": (
        {"gamma.md": "---\ntitle: Gamma\ncategories:\n  - finance\n  - helthcare\nupdated: 2024-05-01\n---\n" + BODY},
        "terms/gamma.md",
        5,
        "unknown category 'helthcare' (known: finance, healthcare)",
    ),
    "related slug that does not exist": (
        {"gamma.md": term("Gamma", "related:\n  - alpha\n  - no-such-term\n")},
        "terms/gamma.md",
        7,
        "related term 'no-such-term' does not exist",
    ),
    "related to a term whose file does not load": (
        {"gamma.md": term("Gamma", "related: [alpha, delta]\n"), "delta.md": term("Delta", "colour: red\n")},
        "terms/delta.md",
        5,
        "unknown field 'colour'",
    ),
    "related to itself": (
        {"gamma.md": term("Gamma", "related: [gamma]\n")},
        "terms/gamma.md",
        5,
        "a term cannot be related to itself",
    ),
    "title claimed twice, other case": (
        {"gamma.md": term("ALPHA")},
        "terms/gamma.md",
        2,
        "name 'ALPHA' matches the same text as 'Alpha' of term 'alpha'",
    ),
    "alias claimed by another term's title": (
        {"gamma.md": term("Gamma", "aliases:\n  - g\n  - beta\n")},
        "terms/gamma.md",
        7,
        "name 'beta' matches the same text as 'Beta' of term 'beta'",
    ),
    "alias claimed by another term's alias": (
        {"gamma.md": term("Gamma", "aliases: [alpha RATE]\n")},
        "terms/gamma.md",
        5,
        "name 'alpha RATE' matches the same text as 'Alpha Rate' of term 'alpha'",
    ),
    "alias that is the plural of another term's alias": (
        {"gamma.md": term("Gamma", "aliases: [Alpha Rates]\n")},
        "terms/gamma.md",
        5,
        "name 'Alpha Rates' matches the same text as 'Alpha Rate' of term 'alpha'",
    ),
    "alias with other white space than another term's alias": (
        {"gamma.md": term("Gamma", 'aliases: ["alpha \\t rate"]\n')},
        "terms/gamma.md",
        5,
        "name 'alpha \\t rate' matches the same text as 'Alpha Rate'",
    ),
    "title whose plural is another term's title": (
        {"gamma.md": term("Alphas")},
        "terms/gamma.md",
        2,
        "name 'Alphas' matches the same text as 'Alpha' of term 'alpha'",
    ),
    "alias that repeats the title, as a plural": (
        {"gamma.md": term("Gamma", "aliases: [gamma rate, GAMMAS]\n")},
        "terms/gamma.md",
        5,
        "alias 'GAMMAS' repeats the title 'Gamma' (line 2)",
    ),
    "alias that repeats another alias, in another case and spacing": (
        {"gamma.md": term("Gamma", "aliases:\n  - gamma rate\n  - Gamma  Rate\n")},
        "terms/gamma.md",
        7,
        "alias 'Gamma  Rate' repeats the alias 'gamma rate' (line 6)",
    ),
    "alias that is the plural of a later alias": (
        {"gamma.md": term("Gamma", "aliases:\n  - gamma rates\n  - gamma rate\n")},
        "terms/gamma.md",
        6,
        "alias 'gamma rates' repeats the alias 'gamma rate' (line 7)",
    ),
    "category listed twice": (
        {"gamma.md": term("Gamma").replace("[finance]", "[finance, healthcare, finance]")},
        "terms/gamma.md",
        3,
        "category 'finance' is listed twice (first on line 3)",
    ),
    "related term listed twice": (
        {"gamma.md": term("Gamma", "related:\n  - alpha\n  - beta\n  - alpha\n")},
        "terms/gamma.md",
        8,
        "related term 'alpha' is listed twice (first on line 6)",
    ),
    "empty alias": (
        {"gamma.md": term("Gamma", 'aliases:\n  - ok\n  - ""\n')},
        "terms/gamma.md",
        7,
        "empty alias",
    ),
    "empty alias, bare list item": (
        {"gamma.md": term("Gamma", "aliases:\n  -\n  - ok\n")},
        "terms/gamma.md",
        6,
        "empty alias",
    ),
    "file name that is not a slug": (
        {"Gamma_Term.md": term("Gamma")},
        "terms/Gamma_Term.md",
        1,
        "file name 'Gamma_Term.md' is not a valid slug",
    ),
    "javascript link, after a blank line and within a paragraph": (
        {
            "gamma.md": term(
                "Gamma",
                body="## Definition\n\nWhat it is.\n\n## Misuse\n\nFirst line.\nSee [this](javascript:alert(1)).\n",
            )
        },
        "terms/gamma.md",
        13,
        "link with an unsafe URL in section 'Misuse'",
    ),
    "javascript link, upper case, as an autolink": (
        {"gamma.md": term("Gamma", body="## Definition\n\n<JavaScript:alert(1)>\n\n## Misuse\n\nAbused.\n")},
        "terms/gamma.md",
        8,
        "link with an unsafe URL in section 'Definition'",
    ),
    "file link": (
        {"gamma.md": term("Gamma", body=BODY + "See [the file](file:///etc/passwd).\n")},
        "terms/gamma.md",
        13,
        "link with an unsafe URL in section 'Misuse'",
    ),
    "javascript image in a list": (
        {
            "gamma.md": term(
                "Gamma",
                body="## Definition\n\nWhat.\n\n## Examples\n\n- One.\n"
                "- Two ![x](javascript:alert(1))\n\n"
                "## Misuse\n\nAbused.\n",
            )
        },
        "terms/gamma.md",
        13,
        "link with an unsafe URL in section 'Examples'",
    ),
    "image in a section": (
        {
            "gamma.md": term(
                "Gamma",
                body="## Definition\n\nWhat.\n![chart](https://tracker.example/p.png)\n\n## Misuse\n\nAbused.\n",
            )
        },
        "terms/gamma.md",
        9,
        "image (entries are text only: the pages would show it broken) in section 'Definition'",
    ),
    "unknown front-matter field": (
        {"gamma.md": term("Gamma", "colour: red\n")},
        "terms/gamma.md",
        5,
        "unknown field 'colour' (known: aliases, case_sensitive,",
    ),
    "unknown section": (
        {"gamma.md": term("Gamma", body=BODY + "\n## History\n\nOld.\n")},
        "terms/gamma.md",
        14,
        "unknown section 'History' (known: Definition, Examples,",
    ),
    "section twice": (
        {"gamma.md": term("Gamma", body=BODY + "\n## Misuse\n\nAgain.\n")},
        "terms/gamma.md",
        14,
        "section 'Misuse' appears twice",
    ),
    "empty section": (
        {"gamma.md": term("Gamma", body="## Definition\n\n## Misuse\n\nAbused.\n")},
        "terms/gamma.md",
        6,
        "section 'Definition' is empty",
    ),
    "section that renders to no text": (
        {"gamma.md": term("Gamma", body="## Definition\n\nWhat it is.\n\n## Misuse\n\n***\n")},
        "terms/gamma.md",
        10,
        "section 'Misuse' has no text, only Markdown marks",
    ),
    "code block never closed": (
        {"gamma.md": term("Gamma", body=BODY + "\n```\n## Benefits\n")},
        "terms/gamma.md",
        14,
        "the code block opened on this line is never closed: end it with a ``` line",
    ),
    "text before the first section": (
        {"gamma.md": term("Gamma", body="Intro.\n" + BODY)},
        "terms/gamma.md",
        6,
        "text before the first '## Definition' heading",
    ),
    "updated that is not a date": (
        {"gamma.md": "---\ntitle: Gamma\ncategories: [finance]\nupdated: last week\n---\n" + BODY},
        "terms/gamma.md",
        4,
        "updated must be a date written as YYYY-MM-DD",
    ),
    "updated that is an impossible date": (
        {"gamma.md": "---\ntitle: Gamma\ncategories: [finance]\nupdated: 2024-02-30\n---\n" + BODY},
        "terms/gamma.md",
        4,
        "updated must be a date written as YYYY-MM-DD",
    ),
    "updated missing": (
        {"gamma.md": "---\ntitle: Gamma\ncategories: [finance]\n---\n" + BODY},
        "terms/gamma.md",
        1,
        "updated must be a date written as YYYY-MM-DD",
    ),
    "case_sensitive not a boolean": (
        {"gamma.md": term("Gamma", "case_sensitive: maybe\n")},
        "terms/gamma.md",
        5,
        "case_sensitive must be true or false",
    ),
    "missing front matter": (
        {"gamma.md": BODY},
        "terms/gamma.md",
        1,
        "missing YAML front matter",
    ),
    "front matter never closed": (
        {"gamma.md": "---\ntitle: Gamma\n" + BODY},
        "terms/gamma.md",
        1,
        "the front matter opened on this line is never closed: end its fields with a '---' line",
    ),
    "categories.yml does not parse": (
        {"categories.yml": CATEGORIES + "- slug: privacy\n  label: Privacy: data\n"},
        "categories.yml",
        8,
        "YAML does not parse: mapping values are not allowed",
    ),
    "category without a label": (
        {"categories.yml": CATEGORIES + "- slug: privacy\n  description: Data.\n"},
        "categories.yml",
        7,
        "each category needs slug, label and description",
    ),
    "category with a field that is not known": (
        {"categories.yml": CATEGORIES + "- slug: privacy\n  label: Privacy\n  description: Data.\n  contxt: [data]\n"},
        "categories.yml",
        10,
        "unknown field 'contxt' (known: slug, label, description, context); did you mean 'context'?",
    ),
    "category with a field given twice": (
        {"categories.yml": CATEGORIES + "- slug: privacy\n  label: Privacy\n  label: Data\n  description: Data.\n"},
        "categories.yml",
        9,
        "field 'label' is given twice (first on line 8)",
    ),
    "category label that YAML reads as a boolean": (
        {"categories.yml": CATEGORIES + "- slug: privacy\n  label: Yes\n  description: Data.\n"},
        "categories.yml",
        8,
        'category label Yes is read as true or false; put it in quotes: "Yes"',
    ),
    # The index page's own ids: the main content, and each category's section and heading.
    "category slug that is an id of the index page": (
        {"categories.yml": CATEGORIES + "- slug: content\n  label: Content\n  description: Media.\n"},
        "categories.yml",
        7,
        "category slug 'content' is an id the glossary's pages use: choose another",
    ),
    "category slug that is another category's heading id": (
        {"categories.yml": CATEGORIES + "- slug: finance-heading\n  label: Money\n  description: Money.\n"},
        "categories.yml",
        7,
        "category slug 'finance-heading' is an id the glossary's pages use",
    ),
    "category slug that YAML reads as a number": (
        {"categories.yml": CATEGORIES + "- slug: 2024\n  label: New\n  description: New.\n"},
        "categories.yml",
        7,
        'category slug 2024 is read as a number; put it in quotes: "2024"',
    ),
    # Context rules (docs/editors.md, "Context rules").
    "context that is not a mapping": (
        {"gamma.md": term("Gamma", "context: [loan]\n")},
        "terms/gamma.md",
        5,
        "context must be a mapping of needs, near and not",
    ),
    "context key that is not needs, near or not": (
        {"gamma.md": term("Gamma", "context:\n  near: [loan]\n  nedds: [Gamma]\n")},
        "terms/gamma.md",
        7,
        "unknown context key 'nedds' (known: needs, near, not)",
    ),
    "context needs that is not a name of the term": (
        {"gamma.md": term("Gamma", "aliases: [Gamma Rate]\ncontext:\n  needs: [Gama]\n  near: [loan]\n")},
        "terms/gamma.md",
        7,
        "context needs 'Gama' is not a name of this term (names: 'Gamma', 'Gamma Rate')",
    ),
    "context needs without near words, own or the categories'": (
        {"gamma.md": term("Gamma", "context:\n  needs: [Gamma]\n")},
        "terms/gamma.md",
        6,
        "context needs names but gives no near words",
    ),
    "context near word that is not a valid name": (
        {"gamma.md": term("Gamma", "context:\n  needs: [Gamma]\n  near: [loan, '-x']\n")},
        "terms/gamma.md",
        7,
        "context near '-x' must start and end with a letter or digit",
    ),
    "context near word given twice": (
        {"gamma.md": term("Gamma", "context:\n  needs: [Gamma]\n  near: [loan, LOAN]\n")},
        "terms/gamma.md",
        7,
        "context near 'LOAN' is listed twice (as 'loan')",
    ),
    "context not phrase without a name of the term": (
        {"gamma.md": term("Gamma", "context:\n  not:\n    - gamma ray\n    - beta blocker\n")},
        "terms/gamma.md",
        8,
        "context not 'beta blocker' contains no name of this term",
    ),
    "context not phrase no longer than the name": (
        {"gamma.md": term("Gamma", "context:\n  not: [GAMMAS]\n")},
        "terms/gamma.md",
        6,
        "context not 'GAMMAS' must have more words than the name it contains",
    ),
    "category context word that is not a valid name": (
        {
            "categories.yml": CATEGORIES + "- slug: privacy\n  label: Privacy\n"
            "  description: Data.\n  context: [data, '!x']\n"
        },
        "categories.yml",
        10,
        "category context '!x' must start and end with a letter or digit",
    ),
}


@pytest.mark.parametrize(("files", "where", "line", "message"), ERROR_CASES.values(), ids=list(ERROR_CASES))
def test_each_error_names_file_and_line(
    tmp_path: Path, files: dict[str, str], where: str, line: int, message: str
) -> None:
    files = dict(files)
    categories = files.pop("categories.yml", CATEGORIES)
    terms = {"alpha.md": term("Alpha", "aliases: [Alpha Rate]\n"), "beta.md": term("Beta"), **files}
    write_glossary(tmp_path, terms, categories)

    errors = errors_of(tmp_path)

    assert len(errors) == 1, errors
    assert str(errors[0]).startswith(f"{located(tmp_path, where)}:{line}: {message}")


# Characters str.splitlines() ends a line at, but editors and grep do not. YAML reads the first
# three as line breaks; it refuses the others, which Markdown keeps as text. (A lone \r is read
# as a line end, as most editors show it: the file is read with universal newlines.)
YAML_LINE_BREAKS = ["\x85", "\u2028", "\u2029"]
NOT_LINE_BREAKS = [*YAML_LINE_BREAKS, "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


def error_lines(root: Path) -> dict[str, int]:
    """The line of each error, by its message up to the first quote."""
    return {error.message.split("'")[0]: error.line for error in errors_of(root)}


@pytest.mark.parametrize("char", YAML_LINE_BREAKS, ids=ascii)
def test_a_line_break_of_yaml_in_front_matter_moves_no_line(tmp_path: Path, char: str) -> None:
    write_glossary(
        tmp_path,
        {
            "alpha.md": (
                f'---\ntitle: "Al{char}pha"\naliases: ["A{char}B", "{char}"]\ncategories: [finance]\n'
                f"# {char}{char}\nupdated: 2024-05-01\nextra: 1\ntitle: Again\n---\n"
            )
            + BODY
        },
    )

    assert error_lines(tmp_path) == {"empty alias": 3, "unknown field ": 7, "field ": 8}


@pytest.mark.parametrize("char", YAML_LINE_BREAKS, ids=ascii)
@pytest.mark.parametrize(
    ("broken", "line"),
    [
        ("categories: [finance\nupdated: 2024-05-01\n", 4),  # reported where the [ opens
        ("categories: [finance]\nupdated: x: y\n", 5),
    ],
)
def test_yaml_errors_after_a_line_break_of_yaml_are_at_their_line(
    tmp_path: Path, char: str, broken: str, line: int
) -> None:
    text = f'---\ntitle: "Al{char}pha"\n# {char}{char}\n{broken}---\n' + BODY
    write_glossary(tmp_path, {"alpha.md": text})

    errors = errors_of(tmp_path)

    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(line, "YAML does not parse")]


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e"], ids=ascii)
def test_a_character_yaml_refuses_is_reported_at_its_line(tmp_path: Path, char: str) -> None:
    text = f"---\ntitle: Alpha\ncategories: [finance]\naliases: [A{char}B]\nupdated: 2024-05-01\n---\n"
    write_glossary(tmp_path, {"alpha.md": text + BODY})

    assert [(e.line, "unacceptable character" in e.message) for e in errors_of(tmp_path)] == [(4, True)]


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=ascii)
def test_no_other_line_separator_in_the_body_moves_a_line(tmp_path: Path, char: str) -> None:
    body = (
        f"## Definition\n\nWhat{char} it is.\nMore{char}{char} text [a](javascript:x) here.\n\n"  # 6-9
        f"## Misuse\n\nHow{char} [x](javascript:alert(1)) it is{char} abused\n"  # 11-13
        f"and [y](data:text/html,x).\n\n## Nonsense{char}\n\ntext\n"  # 14-16
    )
    write_glossary(tmp_path, {"alpha.md": term("Alpha", body=body)})

    errors = sorted((e.line, e.message) for e in errors_of(tmp_path))

    # The control characters among them are refused, at their lines too.
    expected = sorted(
        [(line, "a control character") for line in (8, 9, 13, 16) if CONTROL_RE.search(char)]
        + [(9, "link with an unsafe URL"), (13, "link with an unsafe URL"), (14, "link with an unsafe URL")]
        + [(16, "unknown section")]
    )
    assert len(errors) == len(expected), errors
    starts = [(line, message[: len(start)]) for (line, message), (_, start) in zip(errors, expected, strict=True)]
    assert starts == expected


@pytest.mark.parametrize("categories", ["[", "- [", "- slug: x\n  label: [\n\n"])
def test_yaml_that_ends_too_soon_is_reported_at_a_line_of_the_file(tmp_path: Path, categories: str) -> None:
    """YAML marks a problem at the end of the text on the line after the last: the loader
    reports the last line that holds text instead (found by the loader fuzz)."""
    write_glossary(tmp_path, {"alpha.md": term("Alpha")}, categories)

    (error,) = errors_of(tmp_path)

    assert error.line == categories.rstrip("\n").count("\n") + 1
    assert error.message.startswith("YAML does not parse")


def test_errors_are_collected_across_files(tmp_path: Path) -> None:
    write_glossary(
        tmp_path,
        {
            "alpha.md": term("Alpha"),
            "bad-category.md": term("Gamma", body=BODY).replace("[finance]", "[helthcare]"),
            "no-misuse.md": term("Delta", body="## Definition\n\nWhat.\n"),
            "unsafe.md": term("Epsilon", body=BODY + "[x](javascript:void(0))\n"),
        },
    )

    errors = errors_of(tmp_path)

    assert sorted(str(e) for e in errors) == [
        f"{located(tmp_path, 'terms/bad-category.md')}:3: unknown category 'helthcare' "
        "(known: finance, healthcare); did you mean 'healthcare'?",
        f"{located(tmp_path, 'terms/no-misuse.md')}:6: missing '## Misuse' section",
        f"{located(tmp_path, 'terms/unsafe.md')}:13: link with an unsafe URL in section 'Misuse'",
    ]


def test_several_errors_in_one_file_are_all_reported(tmp_path: Path) -> None:
    write_glossary(
        tmp_path,
        {
            "gamma.md": "---\ncategories: [nope]\nupdated: soon\nextra: 1\n---\n## Misuse\n\nAbused.\n",
        },
    )

    messages = {str(e).split(": ", 1)[1] for e in errors_of(tmp_path)}

    assert {
        "missing title",
        "updated must be a date written as YYYY-MM-DD",
        "missing '## Definition' section",
    } <= messages
    assert any(m.startswith("unknown category 'nope'") for m in messages)
    assert any(m.startswith("unknown field 'extra'") for m in messages)


def test_field_names_that_are_not_text_are_errors(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"gamma.md": term("Gamma", "1: x\nfoo: y\n")})

    assert [str(e) for e in errors_of(tmp_path)] == [
        f"{located(tmp_path, 'terms/gamma.md')}:5: field names must be text, like title or aliases",
        f"{located(tmp_path, 'terms/gamma.md')}:6: unknown field 'foo' (known: aliases, "
        "case_sensitive, categories, context, related, title, updated)",
    ]


def test_every_name_yaml_would_change_is_reported(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"gamma.md": term("Gamma", "aliases:\n- ACV\n- on\n- 1.10\n- 007\n")})

    assert [str(e) for e in errors_of(tmp_path)] == [
        f"{located(tmp_path, 'terms/gamma.md')}:{line}: alias {written} is read as {kind}; "
        f'put it in quotes: "{written}"'
        for line, written, kind in [(7, "on", "true or false"), (8, "1.10", "a number"), (9, "007", "a number")]
    ]


def test_quoted_names_keep_their_text(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"gamma.md": term('"1.10"', """aliases: ["on", '007']\n""")})

    gamma = load_glossary(tmp_path).term("gamma")

    assert gamma is not None
    assert gamma.names == ("1.10", "on", "007")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "---\ntitle: Gamma\n# caf\xe9\n".encode("latin-1"),
            3,
            "not UTF-8 text (invalid continuation byte: byte 0xe9); save the file as UTF-8",
        ),
        (
            "---\ntitle: Gamma\n".encode("utf-16"),
            1,
            "not UTF-8 text (invalid start byte: byte 0xff); save the file as UTF-8",
        ),
    ],
)
def test_a_term_file_that_is_not_utf8_is_an_error(tmp_path: Path, content: bytes, line: int, message: str) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / "terms" / "gamma.md").write_bytes(content)

    assert [str(e) for e in errors_of(tmp_path)] == [f"{located(tmp_path, 'terms/gamma.md')}:{line}: {message}"]


def test_categories_that_are_not_utf8_are_an_error(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / "categories.yml").write_bytes(CATEGORIES.encode().replace(b"Money", b"M\xf6ney"))

    assert [str(e) for e in errors_of(tmp_path)] == [
        f"{located(tmp_path, 'categories.yml')}:3: not UTF-8 text (invalid start byte: byte 0xf6); "
        "save the file as UTF-8"
    ]


@pytest.mark.parametrize("folder", ["categories.yml", "terms/gamma.md"])
def test_a_folder_in_place_of_a_file_is_an_error(tmp_path: Path, folder: str) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / folder).unlink(missing_ok=True)
    (tmp_path / folder).mkdir()

    assert [str(e) for e in errors_of(tmp_path)] == [f"{located(tmp_path, folder)}:1: is a folder, not a file"]


# (a name of term alpha, whether alpha is case-sensitive, a name of term gamma, whether they
# match the same text in an article)
NAME_PAIRS = [
    ("Actual Cash Value", False, "Actual Cash Values", True),
    ("Actual Cash Value", False, "actual  cash\u00a0value", True),
    ("Actual Cash Values", False, "Actual Cash Value", True),  # gamma's plural is alpha's name
    ("Workers' Compensation", False, "workers\u2019 compensation", True),
    ("Re-education", False, "re\u2010educations", True),
    ("Policy", False, "policies", True),
    ("Policy", False, "Policie", True),  # both plurals are "policies"
    ("APR", False, "APRs", True),  # an acronym alias matches its plural
    ("tax", False, "taxes", True),
    ("HIPAA", True, "HIPAAs", False),  # a case-sensitive term gets no plural
    ("Widget", True, "Widgets", False),
    ("Actual Cash Value", False, "Actual Cash", False),
    ("Re-education", False, "Re education", False),  # a hyphen is not a space
    ("Policy", False, "Polices", False),
    ("Izmir", False, "İzmir", True),  # the widget folds İ to i
]


@pytest.mark.parametrize(("alpha", "case_sensitive", "gamma", "same"), NAME_PAIRS)
def test_names_of_two_terms_must_not_match_the_same_text(
    tmp_path: Path, alpha: str, case_sensitive: bool, gamma: str, same: bool
) -> None:
    flag = "case_sensitive: true\n" if case_sensitive else ""
    write_glossary(
        tmp_path,
        {
            "alpha.md": term(f'"{alpha}"', flag),
            "gamma.md": term("Gamma", f'aliases: ["{gamma}"]\n'),
        },
    )

    if same:
        assert [str(e) for e in errors_of(tmp_path)] == [
            f"{located(tmp_path, 'terms/gamma.md')}:5: name {gamma!r} matches the same text as "
            f"{alpha!r} of term 'alpha'"
        ]
    else:
        assert load_glossary(tmp_path).term("gamma") is not None


@pytest.mark.parametrize(
    ("name", "case_sensitive", "keys"),
    [
        ("Premium", False, {"premium", "premiums"}),
        ("Class  Action", False, {"class action", "class actions"}),
        ("Policy", False, {"policy", "policies"}),
        ("Day", False, {"day", "days"}),
        ("Type Y", False, {"type y", "type ys"}),  # a one-letter last word: no "-ies"
        ("Sales Tax", False, {"sales tax", "sales taxes"}),
        ("APR", False, {"apr", "aprs"}),
        ("ABS", False, {"abs", "abss"}),  # the widget keeps an acronym's case: ABS -> ABSs
        ("Workers\u2019 Comp\u2011Plan", False, {"workers' comp-plan", "workers' comp-plans"}),
        ("HIPAA", True, {"hipaa"}),
        ("İzmir", False, {"izmir", "izmirs"}),
    ],
)
def test_name_keys_read_names_as_the_widget_does(name: str, case_sensitive: bool, keys: set[str]) -> None:
    assert name_keys(name, case_sensitive) == keys


def test_term_named_finds_a_name_by_its_plural(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha", "aliases: [Alpha Rate]\n")})
    glossary = load_glossary(tmp_path)

    assert glossary.term_named("alpha rates") is glossary.term("alpha")
    assert glossary.term_named("Alpha Ratio") is None


def test_missing_categories_and_terms_folder_are_errors(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("Not a glossary yet.\n", "utf-8")
    (tmp_path / "terms").write_text("", "utf-8")  # a file where the folder should be

    assert [(e.path.name, e.line) for e in errors_of(tmp_path)] == [("categories.yml", 1), ("terms", 1)]


def test_error_message_is_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_glossary(tmp_path / "data", {"gamma.md": term("Gamma", "colour: red\n")})
    monkeypatch.chdir(tmp_path)

    assert str(errors_of(tmp_path / "data")[0]).startswith("data/terms/gamma.md:5: unknown field")


def test_a_linked_term_file_is_reported_under_the_links_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / "terms" / "alpha-copy.md").symlink_to("alpha.md")
    (tmp_path / "terms" / "gone.md").symlink_to("moved-away.md")
    monkeypatch.chdir(tmp_path)

    assert [str(error) for error in errors_of(Path("."))] == [
        "terms/gone.md:1: is a link to moved-away.md, which does not exist",
        "terms/alpha-copy.md:2: name 'Alpha' matches the same text as 'Alpha' of term 'alpha'",
    ]


# A term whose names feed its context rules: premium.md of the bundled glossary, in small.
CONTEXT = "context:\n  needs: [Gamma]\n  near: [loan]\n  not: [gamma ray, a gamma of]\n"


@pytest.mark.parametrize(
    ("title", "aliases", "line", "message"),
    [
        ('""', "[]", 2, "missing title"),
        ("", "[]", 2, "missing title"),
        ('"???"', "[]", 2, "title '???' must start and end with a letter or digit"),
        ("[Gamma]", "[]", 2, "title must be plain text"),
        ("Gamma", '[""]', 5, "empty alias"),
        ("Gamma", '[gamma rate, "--"]', 5, "alias '--' must start and end with a letter or digit"),
    ],
)
def test_a_name_reported_is_not_used_by_the_context_rules(
    tmp_path: Path, title: str, aliases: str, line: int, message: str
) -> None:
    """Its error is enough: no traceback from the rules' checks, nor rules reported for naming it."""
    write_glossary(tmp_path, {"gamma.md": term(title, f"aliases: {aliases}\n{CONTEXT}")})

    assert [(e.line, e.message) for e in errors_of(tmp_path)] == [(line, message)]


@pytest.mark.parametrize(
    ("opening", "not_closing", "closing"),
    [("```", "~~~", "```"), ("~~~~", "~~~", "~~~~~"), ("````markdown", "```", "  ````")],
)
def test_a_heading_in_a_fenced_code_block_is_code(tmp_path: Path, opening: str, not_closing: str, closing: str) -> None:
    code = f"{opening}\n## Misuse\n{not_closing}\n## Examples\n{closing}"
    misuse = BODY[BODY.index("## Misuse") :]
    write_glossary(tmp_path, {"alpha.md": term(body=f"## Definition\n\nWhat it is:\n\n{code}\n\n{misuse}")})

    alpha = load_glossary(tmp_path).terms[0]

    assert alpha.sections == {"Definition": f"What it is:\n\n{code}", "Misuse": "How it is abused."}


@pytest.mark.parametrize("heading", [" ## Misuse", "   ## Misuse", "##\tMisuse", "## Misuse ##", "## Misuse  #"])
def test_a_section_heading_is_read_as_markdown_reads_it(tmp_path: Path, heading: str) -> None:
    """Indented up to three spaces, or closed by `#`s, it is still a heading to Markdown: read as
    text of the section before, it would show as a heading inside that section's card text."""
    body = BODY.replace("## Misuse", heading)
    write_glossary(tmp_path, {"alpha.md": term(body=body)})

    assert load_glossary(tmp_path).terms[0].sections == {"Definition": "What it is.", "Misuse": "How it is abused."}


def test_hidden_files_are_left_alone(tmp_path: Path) -> None:
    """As macOS (`._` files on other disks), editors (swap and lock files) and tools leave them."""
    write_glossary(tmp_path, {"alpha.md": term(), "._alpha.md": "\x00\x05\x16\x07", ".draft.md": "---\n"})
    (tmp_path / "terms" / ".#alpha.md").symlink_to("editor@host.4242:1700000000")
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "._news.yml").write_bytes(b"\x00\x05\x16\x07\xff")

    assert [t.slug for t in load_glossary(tmp_path).terms] == ["alpha"]


# Root reads any folder: as root (who runs the tests here), `check` runs without the two
# capabilities that let it, so that chmod 000 refuses it as it refuses anyone else.
AS_ANYONE = (
    ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
    if os.geteuid() == 0
    else []
)


@pytest.mark.parametrize("folder", ["terms", "sites"])
def test_a_folder_that_cannot_be_read_is_an_error(tmp_path: Path, folder: str) -> None:
    write_glossary(tmp_path, {"alpha.md": term()})
    (tmp_path / "sites").mkdir()
    (tmp_path / folder).chmod(0)
    try:
        command = [*AS_ANYONE, sys.executable, "-m", "widget_server", "check", "--data", str(tmp_path)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    finally:
        (tmp_path / folder).chmod(0o755)

    assert result.returncode == 1, result.stderr
    assert f"{folder}:1: cannot be read: Permission denied" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_valid_small_glossary_loads(tmp_path: Path) -> None:
    write_glossary(
        tmp_path,
        {
            "beta.md": term("Beta", "aliases: [B-rate]\nrelated: [alpha]\ncase_sensitive: true\n"),
            "alpha.md": term("Alpha", body=BODY + "\n## Benefits\n\nGood.\n\n## Examples\n\n- One.\n"),
        },
    )

    glossary = load_glossary(tmp_path)

    assert [c.slug for c in glossary.categories] == ["finance", "healthcare"]
    assert [t.slug for t in glossary.terms] == ["alpha", "beta"]
    beta = glossary.term("beta")
    assert beta is not None
    assert (beta.title, beta.aliases, beta.related, beta.case_sensitive) == ("Beta", ("B-rate",), ("alpha",), True)
    assert beta.updated == datetime.date(2024, 5, 1)
    alpha = glossary.term("alpha")
    assert alpha is not None
    # Sections come in the documented order whatever the file's order.
    assert list(alpha.sections) == ["Definition", "Examples", "Misuse", "Benefits"]
    assert alpha.sections["Definition"] == "What it is."
    assert glossary.terms_in("healthcare") == ()


def test_bundled_glossary_is_valid() -> None:
    glossary = load_glossary(GLOSSARY_DATA)

    assert len(glossary.terms) >= 120
    assert [c.slug for c in glossary.categories] == ["insurance", "finance", "healthcare", "employment-law", "privacy"]
    assert [c.label for c in glossary.categories] == ["Insurance", "Finance", "Healthcare", "Employment Law", "Privacy"]
    for category in glossary.categories:
        assert len(glossary.terms_in(category.slug)) >= 5, category.slug
    for slug in ("neuromuscular-re-education", "rehabilitation-program", "physical-therapy"):
        assert glossary.term(slug) is not None
    assert [t.slug for t in glossary.terms] == sorted(t.slug for t in glossary.terms)


def make_term(title: str, aliases: tuple[str, ...] = (), case_sensitive: bool = False) -> Term:
    return Term(
        slug="x",
        title=title,
        categories=("finance",),
        aliases=aliases,
        case_sensitive=case_sensitive,
        related=(),
        updated=datetime.date(2024, 1, 1),
        sections={},
    )


@pytest.mark.parametrize(
    ("name", "exact"),
    [
        ("APR", True),
        ("EOB", True),
        ("COBRA", True),
        ("401(k)", False),
        ("Annual Percentage Rate", False),
        ("apr", False),
        ("Apr", False),
        ("FICO score", False),
        ("A", False),  # a single capital letter is a word, not an acronym
    ],
)
def test_matches_exactly_for_acronym_aliases(name: str, exact: bool) -> None:
    assert make_term("Annual Percentage Rate", aliases=(name,)).matches_exactly(name) is exact


def test_matches_exactly_for_every_name_of_a_case_sensitive_term() -> None:
    hipaa = make_term("HIPAA", aliases=("Health Insurance Portability Act",), case_sensitive=True)

    assert all(hipaa.matches_exactly(name) for name in hipaa.names)


def test_bundled_acronym_aliases_match_exactly() -> None:
    apr = load_glossary(GLOSSARY_DATA).term("annual-percentage-rate")

    assert apr is not None
    assert apr.matches_exactly("APR")
    assert not apr.matches_exactly(apr.title)


def test_snapshot_is_immutable(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    glossary = load_glossary(tmp_path)
    alpha = glossary.terms[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        alpha.title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        glossary.terms = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        glossary.categories[0].label = "Changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        alpha.sections["Misuse"] = "Nothing to see."  # type: ignore[index]
    assert isinstance(glossary.terms, tuple)
    assert isinstance(glossary.categories, tuple)
    assert isinstance(alpha.aliases, tuple)
    assert isinstance(glossary, Glossary)
    assert isinstance(glossary.categories[0], Category)
    assert load_glossary(tmp_path).terms[0].sections["Misuse"] == "How it is abused."


LOAD_IN_A_FRESH_PROCESS = """
import json, sys
from pathlib import Path
from widget_server import content, parallel
if sys.argv[2] == "alone":
    parallel.PARALLEL_TERMS = 10**9
workers = parallel.worker_processes(len(list(Path(sys.argv[1]).glob("terms/*.md"))))
try:
    glossary = content.load_glossary(Path(sys.argv[1]))
    print(json.dumps([workers, [[repr(t), dict(t.sections)] for t in glossary.terms]]))
except content.GlossaryInvalid as invalid:
    print(json.dumps([workers, [str(error) for error in invalid.errors]]))
"""


def test_a_large_glossary_loaded_by_worker_processes_is_the_one_loaded_alone(
    tmp_path: Path,
) -> None:
    """From PARALLEL_TERMS terms, worker processes load batches of term files: the terms, and for
    a broken glossary its errors, are the same and in the same order, with the lines of names
    and related terms in other batches. (Loaded in a process of its own: this one runs
    threads, so its loads never fork.)"""
    data = tmp_path / "data"
    synthetic.write_glossary(data, synthetic.synthetic_terms(PARALLEL_TERMS))

    def loaded(how: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", LOAD_IN_A_FRESH_PROCESS, data, how],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    workers, terms = loaded("parallel")
    assert workers > 1
    assert loaded("alone") == [0, terms]
    assert len(terms) == PARALLEL_TERMS

    first, last = data / "terms/term-00000.md", data / f"terms/term-{PARALLEL_TERMS - 1:05}.md"
    title = (data / "terms/term-00001.md").read_text().split("\n")[1]  # title: "..."
    first.write_text(first.read_text().replace("categories: [", "categories: [nowhere, "))
    last.write_text(
        last.read_text()
        .replace("aliases: []", f"aliases: [{title[7:]}]")
        .replace("related: [", "related: [term-99999, ")
    )
    workers, errors = loaded("parallel")
    assert loaded("alone") == [0, errors]
    assert len(errors) == 3
    assert errors[0].endswith(
        "term-00000.md:3: unknown category 'nowhere' (known: employment-law, finance, healthcare, insurance, privacy)"
    )
    assert "term-99999" in errors[1] and "matches the same text" in errors[2]


def test_context_rules_load_with_category_defaults(tmp_path: Path) -> None:
    categories = CATEGORIES.replace(
        "  description: Money matters.\n", "  description: Money matters.\n  context: [loan, lender]\n"
    )
    write_glossary(
        tmp_path,
        {
            "arm.md": term(
                "Adjustable-Rate Mortgage",
                "aliases: [ARM]\ncontext:\n  needs: [ARM]\n  not: [ARM processor, ARM chips]\n",
            ),
            "premium.md": term("Premium", "context:\n  needs: [Premium]\n  near: [insurer]\n  not: [premium bonds]\n"),
            "claim.md": term("Denied Claim", "context:\n  not: [denied claims that]\n"),
        },
        categories,
    )

    glossary = load_glossary(tmp_path)

    arm, claim, premium = glossary.terms
    assert glossary.category("finance").context == ("loan", "lender")  # type: ignore[union-attr]
    assert arm.context.needs == ("ARM",)
    assert arm.context.refuse == ("ARM processor", "ARM chips")
    assert glossary.near_words(arm) == ("loan", "lender")
    assert glossary.near_words(premium) == ("insurer",)
    assert claim.context.refuse == ("denied claims that",)  # the name in the plural
