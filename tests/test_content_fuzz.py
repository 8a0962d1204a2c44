"""The content loader under generated term files (Hypothesis): random Unicode, random YAML, random
Markdown. It never fails but with the errors it reports; every error's line is in the file; and
where the generator knows the line of a problem, the error is on that line."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from widget_server.content import load_glossary
from widget_server.model import ContentError, GlossaryInvalid
from widget_server.names import CONTROL_RE

CATEGORIES = "- slug: finance\n  label: Finance\n  description: Money matters.\n"
VALID_TERM = (
    "---\ntitle: Alpha\ncategories: [finance]\nupdated: 2024-05-01\n---\n"
    "## Definition\n\nWhat it is.\n\n## Misuse\n\nHow it is abused.\n"
)

# What str.splitlines() or YAML read as line breaks, and editors do not; and the syntax of
# YAML and Markdown.
SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SYNTAX = "-:[]{}#&*!|>'\"%@`,?\\<()=~_+. \t"
ANY_CHARACTER = st.characters(codec="utf-8")  # no lone surrogates: the file is UTF-8
RANDOM_TEXT = st.text(st.one_of(st.sampled_from(SEPARATORS + SYNTAX + "\n\r"), ANY_CHARACTER))

# Text YAML keeps inside a double-quoted value: printable for YAML (its line breaks included,
# which it folds), no quote or backslash.
YAML_PRINTABLE_RE = re.compile("[\t\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
YAML_FILLER = st.text(
    st.one_of(st.sampled_from("\x85\u2028\u2029 "), ANY_CHARACTER).filter(
        lambda c: YAML_PRINTABLE_RE.fullmatch(c) is not None and c not in '"\\'
    ),
    max_size=12,
)
# Text inside a Markdown paragraph line, after a word: anything but a line end, and no `:` (so no
# unsafe URL is written by chance).
MARKDOWN_FILLER = st.text(
    st.one_of(st.sampled_from(SEPARATORS + SYNTAX), ANY_CHARACTER).filter(lambda c: c not in "\n\r:"),
    max_size=16,
)

YAML_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.dates() | RANDOM_TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["title", "categories", "aliases", "related", "updated", "case_sensitive", "other"])
            | RANDOM_TEXT,
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@st.composite
def random_yaml(draw: st.DrawFn) -> str:
    return yaml.dump(
        draw(YAML_DATA),
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([None, True, False])),
    )


@st.composite
def random_markdown(draw: st.DrawFn) -> str:
    blocks = st.one_of(
        st.sampled_from(["## Definition", "## Misuse", "## Examples", "## Other", "#", "---"]),
        st.builds(lambda t: f"- {t}", RANDOM_TEXT),
        st.builds(
            lambda t, u: f"[{t}]({u})",
            RANDOM_TEXT,
            st.sampled_from(["javascript:x", "data:x", " JavaScript:x", "https://x", ""]),
        ),
        RANDOM_TEXT,
    )
    return "\n".join(draw(st.lists(blocks, max_size=8)))


@st.composite
def random_term_files(draw: st.DrawFn) -> str:
    front = draw(st.one_of(RANDOM_TEXT, random_yaml()))
    body = draw(st.one_of(RANDOM_TEXT, random_markdown()))
    return draw(st.sampled_from([f"---\n{front}\n---\n{body}", f"---\n{front}---\n{body}", front + body]))


def load_errors(files: dict[str, bytes]) -> list[ContentError]:
    """Load a glossary of `files` (path -> bytes); its errors, none if it is valid. Nothing but
    GlossaryInvalid may come out of the loader."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "terms").mkdir()
        for name, data in {"categories.yml": CATEGORIES.encode(), **files}.items():
            (root / name).write_bytes(data)
        try:
            load_glossary(root)
        except GlossaryInvalid as invalid:
            return invalid.errors
    return []


def editor_line_count(data: bytes) -> int:
    """The lines an editor shows, as the loader reads the file (universal newlines)."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return text.count("\n") + 1


def assert_errors_within(errors: list[ContentError], files: dict[str, bytes]) -> None:
    for error in errors:
        data = files.get(f"{error.path.parent.name}/{error.path.name}", files.get(error.path.name))
        lines = editor_line_count(data) if data is not None else 1
        assert 1 <= error.line <= lines, (str(error), lines)


@settings(suppress_health_check=list(HealthCheck))
@given(text=random_term_files())
def test_any_term_file_loads_or_gets_errors_within_it(text: str) -> None:
    files = {"terms/alpha.md": text.encode()}
    assert_errors_within(load_errors(files), files)


@settings(suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=200) | random_yaml().map(str.encode))
def test_any_categories_file_loads_or_gets_errors_within_it(data: bytes) -> None:
    files = {"categories.yml": data, "terms/alpha.md": VALID_TERM.encode()}
    assert_errors_within(load_errors(files), files)


@settings(suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300))
def test_any_bytes_load_or_get_errors_within_the_file(data: bytes) -> None:
    files = {"terms/alpha.md": b"---\ntitle: Alpha\n" + data}
    assert_errors_within(load_errors(files), files)


class TermFile:
    """A term file written line by line, knowing the line of each problem put in it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.expected: list[tuple[int, str]] = []  # (line, start of the message)

    def add(self, line: str, *problems: str | None) -> None:
        self.lines.append(line)
        self.expected += [(len(self.lines), problem) for problem in problems if problem is not None]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@st.composite
def located_term_files(draw: st.DrawFn) -> TermFile:
    """A term file with separators in its values and paragraphs, and problems at known lines."""
    file = TermFile()
    file.add("---")
    file.add(f'title: "Alpha {draw(YAML_FILLER)} Omega"')
    file.add("categories:")
    listed: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        category = draw(st.sampled_from(["finance", "helthcare"]))
        file.add(
            f"  - {category}",
            "unknown category" if category == "helthcare" else None,
            f"category {category!r} is listed twice" if category in listed else None,
        )
        listed.add(category)
    file.add("aliases:")
    for index in range(draw(st.integers(0, 3))):
        file.add(f'  - "Beta{index} {draw(YAML_FILLER)} Zeta"')
    file.add("updated: 2024-05-01")
    if draw(st.booleans()):
        file.add("extra: 1", "unknown field")
    if draw(st.booleans()):
        # Never closed: YAML finds out at the end, and nothing else of the file is checked.
        file.add(f'note: "{draw(YAML_FILLER)}')
        file.expected = [(len(file.lines), "YAML does not parse")]
        broken = True
    else:
        broken = False
    file.add("---")

    def body(line: str, problem: str | None = None) -> None:
        control = "a control character" if CONTROL_RE.search(line) else None
        file.add(line, *([] if broken else [problem, control]))

    if draw(st.booleans()):
        body(f"Stray {draw(MARKDOWN_FILLER)}", "text before the first")
    for section in ("Definition", "Misuse"):
        body(f"## {section}")
        body("")
        for _ in range(draw(st.integers(1, 3))):
            for _ in range(draw(st.integers(1, 2))):  # a paragraph of one or two lines
                body(f"Text {draw(MARKDOWN_FILLER)}")
            body("")
        if draw(st.booleans()):
            url = draw(st.sampled_from(["javascript:alert(1)", "data:text/html,x", "vbscript:x"]))
            body(f"See [this]({url}) {draw(MARKDOWN_FILLER)}", "link with an unsafe URL")
            body("")
    if draw(st.booleans()):
        body("## Nonsense", "unknown section")
        body("")
        body("text")
    return file


@settings(suppress_health_check=list(HealthCheck))
@given(file=located_term_files())
def test_every_problem_is_reported_at_its_line(file: TermFile) -> None:
    errors = load_errors({"terms/alpha.md": file.text().encode()})

    reported = sorted((error.line, error.message) for error in errors)
    assert len(reported) == len(file.expected), (reported, file.expected)
    for (line, message), (expected_line, start) in zip(reported, sorted(file.expected), strict=True):
        assert (line, message[: len(start)]) == (expected_line, start), reported
