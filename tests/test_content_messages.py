"""Errors that say what to do: YAML mistakes explained, "did you mean", files that are not read,
and no glossary folder at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_content import BODY, errors_of, term, write_glossary
from widget_server.content import load_glossary
from widget_server.model import NoGlossary

# (front matter between the `---` lines, the line reported, what the message must say)
YAML_MISTAKES = {
    "a tab in indentation": (
        "title: Alpha\ncategories:\n\t- finance\nupdated: 2024-05-01\n",
        4,
        "found character that cannot start any token; indent with spaces: YAML does not allow a tab in indentation",
    ),
    "an unquoted ': ' in a title": (
        "title: Fees: late\ncategories: [finance]\nupdated: 2024-05-01\n",
        2,
        "mapping values are not allowed in this context; text with ': ' in it must be in quotes, "
        'or YAML reads a second field: title: "Fees: late"',
    ),
    "an unclosed double quote": (
        'title: "Alpha\ncategories: [finance]\nupdated: 2024-05-01\n',
        2,
        "a quote opened on this line is never closed: end the text with the same quote",
    ),
    "an unclosed single quote": (
        "title: Alpha\ncategories: [finance]\naliases: ['Alf]\nupdated: 2024-05-01\n",
        4,
        "a quote opened on this line is never closed: end the text with the same quote",
    ),
    "an unclosed bracket": (
        "title: Alpha\ncategories: [finance\nupdated: 2024-05-01\n",
        3,
        "did not find expected ',' or ']' (while parsing a flow sequence); a [ opened on this "
        "line is never closed: end the list with ]",
    ),
    "a list item indented less than the one above": (
        "title: Alpha\ncategories:\n  - finance\n - healthcare\nupdated: 2024-05-01\n",
        5,
        "did not find expected key; give every '- ' item of a list the same indentation as the first",
    ),
    "a list item indented more than the one above": (
        "title: Alpha\ncategories:\n- finance\n  - healthcare\nupdated: 2024-05-01\n",
        4,
        "category 'finance - healthcare' runs on over two lines; a '- ' item indented deeper "
        "than the one above continues it: give every item the same indentation",
    ),
    "a field indented under the one above": (
        "title: Alpha\n  categories: [finance]\nupdated: 2024-05-01\n",
        3,
        "this field is indented more than the one above: indent both alike",
    ),
    "an unquoted ': ' in a bracketed alias": (
        "title: Alpha\ncategories: [finance]\naliases: [Fees: late]\nupdated: 2024-05-01\n",
        4,
        "alias with ': ' in it must be in quotes, or YAML reads a field",
    ),
}

# (categories.yml, the line reported, what the message must say)
CATEGORY_MISTAKES = {
    "': ' in a label": (
        "- slug: finance\n  label: Money: all of it\n  description: M.\n",
        2,
        "text with ': ' in it must be in quotes, or YAML reads a second field: label: \"Money: all of it\"",
    ),
    "': ' in a slug line": (
        "- slug: finance: money\n  label: M\n  description: M.\n",
        1,
        "text with ': ' in it must be in quotes, or YAML reads a second field: slug: \"finance: money\"",
    ),
    "a field indented less": (
        "- slug: finance\n label: F\n  description: M.\n",
        2,
        "this field is indented unlike the one above: indent both alike",
    ),
    "a tab": (
        "- slug: finance\n\tlabel: F\n  description: M.\n",
        2,
        "indent with spaces: YAML does not allow a tab in indentation",
    ),
    "an entry indented": (
        "- slug: a\n  label: A\n  description: A.\n - slug: b\n  label: B\n  description: B.\n",
        4,
        "give every '- ' item of a list the same indentation as the first",
    ),
}


@pytest.mark.parametrize("mistake", CATEGORY_MISTAKES)
def test_frequent_yaml_mistakes_in_categories_say_what_to_do(tmp_path: Path, mistake: str) -> None:
    categories, line, says = CATEGORY_MISTAKES[mistake]
    write_glossary(tmp_path, {}, categories)

    (error,) = errors_of(tmp_path)

    assert (error.path.name, error.line) == ("categories.yml", line)
    assert error.message.endswith(says)


@pytest.mark.parametrize("mistake", YAML_MISTAKES)
def test_frequent_yaml_mistakes_say_what_to_do(tmp_path: Path, mistake: str) -> None:
    front, line, says = YAML_MISTAKES[mistake]
    write_glossary(tmp_path, {"alpha.md": f"---\n{front}---\n{BODY}"})

    (error,) = errors_of(tmp_path)

    assert (error.path.name, error.line) == ("alpha.md", line)
    assert error.message.endswith(says)


def test_a_yaml_error_without_a_known_cause_keeps_the_parsers_message(tmp_path: Path) -> None:
    write_glossary(
        tmp_path,
        {
            "alpha.md": "---\ntitle: Alpha\ncategories: [finance]\n"
            "updated: 2024-05-01\naliases: !!binary x\n---\n" + BODY
        },
    )

    (error,) = errors_of(tmp_path)

    assert "; " not in error.message.removeprefix("YAML does not parse: ")


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("notes.txt", "rename it to notes.md, or move it out of terms/"),
        ("Beta.MD", "rename it to Beta.md, or move it out of terms/"),
        ("gamma.md~", "rename it to gamma.md, or move it out of terms/"),
        ("gamma.md.bak", "rename it to gamma.md, or move it out of terms/"),
        # Never onto the term's own file.
        ("alpha.markdown", "move it out of terms/: alpha.md is there"),
        ("alpha.md.bak", "move it out of terms/: alpha.md is there"),
    ],
)
def test_a_file_in_terms_that_is_not_md_is_reported(tmp_path: Path, name: str, advice: str) -> None:
    write_glossary(
        tmp_path,
        {
            "alpha.md": term("Alpha"),
            "delta.md": term("Delta", f"related: [{Path(name).stem}]\n"),  # relates to it
            name: term("Other"),
            ".alpha.md.swp": "an editor's swap file",  # hidden: left alone
        },
    )

    (error,) = errors_of(tmp_path)

    assert (error.path.name, error.line) == (name, 1)
    assert error.message == f"{name!r} is not read: term files end in .md ({advice})"


def test_a_folder_in_terms_is_reported(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / "terms" / "drafts").mkdir()

    (error,) = errors_of(tmp_path)

    assert error.path.name == "drafts"
    assert error.message == "is a folder; terms/ holds only term files, named <slug>.md"


def test_unknown_names_get_a_did_you_mean(tmp_path: Path) -> None:
    write_glossary(
        tmp_path,
        {
            "alpha.md": term(
                "Alpha", "colour: red\nalias: [Alf]\n", BODY + "\n## Benefit\n\nSome.\n\n## examples\n\n- One.\n"
            ),
            "beta.md": term("Beta", "context:\n  needs: [Beta]\n  naer: [money]\n").replace(
                "[finance]", "[finanse, helth-care]"
            ),
            "gamma.md": term("Gamma", "related: [alpah, zzz]\n"),
        },
    )

    messages = [e.message for e in errors_of(tmp_path) if "unknown" in e.message or "does not exist" in e.message]

    assert messages == [
        "unknown field 'alias' (known: aliases, case_sensitive, categories, context, related, "
        "title, updated); did you mean 'aliases'?",
        # Nothing close: no suggestion.
        "unknown field 'colour' (known: aliases, case_sensitive, categories, context, related, title, updated)",
        "unknown section 'Benefit' (known: Definition, Examples, Misuse, Benefits, Conclusion); "
        "did you mean 'Benefits'?",
        "unknown section 'examples' (known: Definition, Examples, Misuse, Benefits, Conclusion); "
        "did you mean 'Examples'?",
        "unknown category 'finanse' (known: finance, healthcare); did you mean 'finance'?",
        "unknown category 'helth-care' (known: finance, healthcare); did you mean 'healthcare'?",
        "unknown context key 'naer' (known: needs, near, not); did you mean 'near'?",
        "related term 'alpah' does not exist; did you mean 'alpha'?",
        "related term 'zzz' does not exist",
    ]


def test_a_misspelt_related_slug_is_reported_beside_the_files_other_errors(tmp_path: Path) -> None:
    """One `check` run, one round of fixes: the related slug is not left for the next run."""
    write_glossary(
        tmp_path,
        {
            "alpha.md": term("Alpha"),
            "gamma.md": term("Gamma", "related: [alpah]\n").replace("[finance]", "[finanse]"),
        },
    )

    assert [(e.line, e.message) for e in errors_of(tmp_path)] == [
        (3, "unknown category 'finanse' (known: finance, healthcare); did you mean 'finance'?"),
        (5, "related term 'alpah' does not exist; did you mean 'alpha'?"),
    ]


def test_an_unknown_site_field_gets_a_did_you_mean(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha")})
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "news.yml").write_text(
        "name: News\norigins: [https://news.example.org]\ncategory: [finance]\n", "utf-8"
    )

    (error,) = errors_of(tmp_path)

    assert error.message.endswith("; did you mean 'categories'?")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda folder: None, "does not exist"),
        (lambda folder: folder.mkdir(), "is an empty folder"),
        (lambda folder: folder.write_text("", "utf-8"), "is a file, not a folder"),
        (
            lambda folder: (folder.mkdir(), (folder / "notes.txt").write_text("", "utf-8")),
            "is not a glossary folder: it holds neither categories.yml nor terms/",
        ),
    ],
)
def test_no_glossary_folder_is_said_without_a_line(tmp_path: Path, make, problem: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "glossary_data"
    make(folder)

    with pytest.raises(NoGlossary) as raised:
        load_glossary(folder)

    assert (raised.value.data_dir, raised.value.problem) == (folder, problem)


def test_an_item_of_a_bracketed_list_may_hold_a_dash_over_two_lines(tmp_path: Path) -> None:
    write_glossary(tmp_path, {"alpha.md": term("Alpha", "aliases: [pay - as\n  you go]\n")})

    assert load_glossary(tmp_path).terms[0].aliases == ("pay - as you go",)
