"""`glossary-widget new`: for any title it accepts, a file that `check` accepts once its
placeholder sentences are replaced (and refuses before), the title as text."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from widget_server.content import load_glossary
from widget_server.markup import plain_text
from widget_server.model import GlossaryInvalid
from widget_server.scaffold import ScaffoldError, new_term

CATEGORIES = "- slug: finance\n  label: Finance\n  description: Money matters.\n"
TODAY = datetime.date(2026, 1, 2)

# Titles an outside probe gave `new`: each made a file with an unsafe link that `check` refused.
LIVE_MARKDOWN_TITLES = [
    "Xn4 [link](javascript:alert(1)) end4",
    "Xn5 <javascript:alert(1)> end5",
    "Xn6 ![x](data:text/html,<script>alert(1)</script>) end6",
    "Xn7 [x][r] end7\n\n[r]: javascript:alert(1)",
    "Xn8 *emphasis* `code` <b>bold</b> &amp; end8",
    "Xn9\n## Misuse\n\nno9",
]


# What an editor does to each placeholder sentence: rewrites all but the title's part of it.
EDITS = {
    ", in two to four plain sentences a non-specialist understands.": ", in the editor's words.",
    "A short, concrete situation where a reader meets": "A reader meets",
    ", and what to watch for.": ", as the editor explains.",
    "One paragraph that sums the entry up.": "The editor's summary.",
}


def fill_in(path: Path) -> None:
    """Edit the scaffold at `path` as an editor would, leaving no placeholder sentence."""
    text = path.read_text("utf-8")
    for placeholder, edit in EDITS.items():
        text = text.replace(placeholder, edit)
    path.write_text(text, "utf-8")


def glossary_folder(root: Path) -> Path:
    (root / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    return root


def assert_new_writes_a_valid_file_or_refuses(title: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = glossary_folder(Path(folder))
        try:
            path = new_term(data_dir, title, ["finance"], TODAY)
        except ScaffoldError:
            return  # refused, with a message; nothing written
        with pytest.raises(GlossaryInvalid) as unedited:
            load_glossary(data_dir)
        assert [(e.path, e.message.partition(" still")[0]) for e in unedited.value.errors] == [
            (path, f"section {section!r}") for section in SECTIONS_WRITTEN
        ]
        fill_in(path)
        glossary = load_glossary(data_dir)  # raises GlossaryInvalid with every error
        (term,) = glossary.terms
        assert term.slug == path.stem
        assert term.title == title.strip()
        # The title reached the Markdown as text: the reader sees it, not markup made of it.
        words = " ".join(title.split())
        assert f"What {words} means" in plain_text(term.sections["Definition"])
        assert f"How {words} is used against" in plain_text(term.sections["Misuse"])


SECTIONS_WRITTEN = ("Definition", "Examples", "Misuse", "Conclusion")


def test_an_unedited_section_is_refused_at_its_placeholder(tmp_path: Path) -> None:
    path = new_term(glossary_folder(tmp_path), "Late Fee", ["finance"], TODAY)
    text = path.read_text("utf-8").replace(  # the editor wrote a definition, and rewrapped
        "What Late Fee means, in two", "A late fee is a charge.\n\nWhat Late Fee means,\nin two"
    )
    path.write_text(text.replace("One paragraph that sums the entry up.", "In short: pay on time."), "utf-8")

    with pytest.raises(GlossaryInvalid) as raised:
        load_glossary(tmp_path)

    assert [str(e).removeprefix(f"{path}:") for e in raised.value.errors] == [
        f"{line}: section {section!r} still holds the placeholder text that `new` wrote: "
        "replace it with the entry's own words"
        for line, section in [(12, "Definition"), (17, "Examples"), (21, "Misuse")]
    ]


def test_a_taken_name_is_refused_while_another_entry_is_unfinished(tmp_path: Path) -> None:
    """The glossary does not pass `check` (an entry started with `new` is not filled in yet),
    but the terms that load still keep their names."""
    data_dir = glossary_folder(tmp_path)
    fill_in(new_term(data_dir, "Surprise Bill", ["finance"], TODAY))
    new_term(data_dir, "Late Fee", ["finance"], TODAY)  # not filled in

    with pytest.raises(ScaffoldError, match="'surprise bills' matches the same text as a name of term 'surprise-bill'"):
        new_term(data_dir, "surprise bills", ["finance"], TODAY)
    assert not (data_dir / "terms" / "surprise-bills.md").exists()


@pytest.mark.parametrize("title", LIVE_MARKDOWN_TITLES)
def test_a_title_with_markdown_reaches_the_file_as_text(title: str) -> None:
    assert_new_writes_a_valid_file_or_refuses(title)


# Text with every kind of character: Markdown and YAML syntax, line and paragraph separators,
# control characters, lone surrogates (which a command line can pass).
TITLE_CHARACTERS = st.one_of(
    st.sampled_from("[]()<>!*_`#&;:\\-+=|{}~'\"%@ \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff"),
    st.characters(codec="utf-8"),
    st.characters(categories=["Cs", "Cc", "Zs", "Zl", "Zp", "Cf"]),
    st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(TITLE_CHARACTERS, max_size=40))
def test_new_writes_a_file_check_accepts_for_any_title_it_accepts(title: str) -> None:
    assert_new_writes_a_valid_file_or_refuses(title)


@pytest.mark.parametrize("title", ["Lone \udc80 surrogate", "Bad \ud800 end"])
def test_a_title_with_a_lone_surrogate_is_refused(tmp_path: Path, title: str) -> None:
    """A command line passes bytes that are not UTF-8 as lone surrogates: no file can hold them."""
    with pytest.raises(ScaffoldError, match="surrogate"):
        new_term(glossary_folder(tmp_path), title, ["finance"], TODAY)
    assert not (tmp_path / "terms").exists()
