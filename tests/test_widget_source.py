"""The widget's source files say what each takes from the others (issue 26).

They are joined into one function scope (widget_server/assets.py), where nothing would stop a
file from calling another's function unannounced. So each file imports what it takes from the
files before it and exports what it gives, as ES modules do, and the build drops those lines.
These tests hold the files to that: the identifiers of each file (comments, strings and regular
expressions left out) that name another file's top-level declaration must be imported from it,
and only from a file before it in WIDGET_SOURCES. A name declared at the top of one file is
therefore never reused for a local variable of another, which would read as the same thing.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from widget_server.assets import WIDGET_SOURCES, bundle_widget, script_of, widget_imports, widget_source_dir

TOP_LEVEL = re.compile(r"^(export )?(?:async )?(?:function|const|let|class) ([A-Za-z_$][\w$]*)", re.MULTILINE)
IDENTIFIER = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)")
# After these, a `/` starts a regular expression rather than dividing.
BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {""}
KEYWORDS_BEFORE_REGEX = re.compile(r"\b(?:return|typeof|of|in)\s*$")


def source(name: str) -> str:
    return (widget_source_dir() / name).read_text(encoding="utf-8")


def code_words(code: str) -> set[str]:
    """The identifiers of `code` that are not a property (`.name`): comments, strings, the text
    of template literals (not their `${...}`) and regular expressions left out. A small scanner
    for this code's style, not a JavaScript parser."""
    kept: list[str] = []
    templates: list[int] = []  # per open `${`, the braces opened inside it
    last = ""  # the last character kept that is not white space
    i = 0
    while i < len(code):
        char = code[i]
        if code.startswith("//", i):
            i = code.find("\n", i) if "\n" in code[i:] else len(code)
        elif code.startswith("/*", i):
            i = code.index("*/", i) + 2
        elif char in "'\"":
            i = _end_of_string(code, i, char)
            kept.append(" ")
            last = char
        elif char == "`" or (char == "}" and templates and templates[-1] == 0):
            if char == "}":
                templates.pop()
            i, opened = _end_of_template_text(code, i + 1)
            if opened:
                templates.append(0)
            kept.append(" ")
            last = "`"
        elif char == "/" and (last in BEFORE_REGEX or KEYWORDS_BEFORE_REGEX.search("".join(kept[-12:]))):
            i = _end_of_regex(code, i + 1)
            kept.append(" ")
            last = "/"
        else:
            if templates and char in "{}":
                templates[-1] += 1 if char == "{" else -1
            kept.append(char)
            last = char if not char.isspace() else last
            i += 1
    return set(IDENTIFIER.findall("".join(kept)))


def _end_of_string(code: str, start: int, quote: str) -> int:
    i = start + 1
    while code[i] != quote:
        i += 2 if code[i] == "\\" else 1
    return i + 1


def _end_of_template_text(code: str, i: int) -> tuple[int, bool]:
    """Where a template literal's text ends: after its closing backtick, or after a `${`."""
    while True:
        if code[i] == "\\":
            i += 2
        elif code[i] == "`":
            return i + 1, False
        elif code.startswith("${", i):
            return i + 2, True
        else:
            i += 1


def _end_of_regex(code: str, i: int) -> int:
    in_class = False
    while code[i] != "/" or in_class:
        if code[i] == "\\":
            i += 1
        elif code[i] in "[]":
            in_class = code[i] == "["
        i += 1
    i += 1
    while i < len(code) and code[i].isalpha():  # the flags
        i += 1
    return i


@cache
def declared(name: str) -> dict[str, bool]:
    """The top-level names of a source file, each with whether it is exported."""
    return {found[2]: bool(found[1]) for found in TOP_LEVEL.finditer(source(name))}


def imported(name: str) -> dict[str, str]:
    """Each name a source file imports, with the file it imports it from."""
    return {item: file for file, items in widget_imports(source(name)) for item in items}


@pytest.mark.parametrize("name", WIDGET_SOURCES)
def test_a_file_imports_only_what_a_file_before_it_exports(name: str) -> None:
    earlier = WIDGET_SOURCES[: WIDGET_SOURCES.index(name)]
    for item, file in imported(name).items():
        assert file in earlier, f"{name} imports {item} from {file}, which is not before it in WIDGET_SOURCES"
        assert declared(file).get(item), f"{name} imports {item}, which {file} does not export"


@pytest.mark.parametrize("name", WIDGET_SOURCES)
def test_a_file_imports_every_name_it_takes_from_another_and_no_other(name: str) -> None:
    others = {item: file for file in WIDGET_SOURCES if file != name for item in declared(file)}
    used = code_words(script_of(name, source(name)))
    taken = {item: others[item] for item in used if item in others}
    assert taken == imported(name)


@pytest.mark.parametrize("name", WIDGET_SOURCES)
def test_a_file_exports_only_what_another_imports(name: str) -> None:
    wanted = {item for other in WIDGET_SOURCES for item, file in imported(other).items() if file == name}
    assert {item for item, exported in declared(name).items() if exported} == wanted


def test_no_two_files_declare_the_same_name() -> None:
    seen: dict[str, str] = {}
    for name in WIDGET_SOURCES:
        for item in declared(name):
            assert item not in seen, f"{item} is declared in both {seen[item]} and {name}"
            seen[item] = name


def test_the_bundle_has_no_module_line_and_keeps_every_file_line_at_its_place() -> None:
    bundle = bundle_widget(widget_source_dir())
    assert not re.search(r"^(import|export)\b", bundle, re.MULTILINE)
    for name in WIDGET_SOURCES:
        assert script_of(name, source(name)).count("\n") == source(name).count("\n")


def test_module_syntax_the_build_does_not_read_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"widget_js/main.js:2: .*import \* as config"):
        script_of("main.js", '// main\nimport * as config from "./config.js";\n')


def test_the_scanner_reads_past_strings_templates_and_regular_expressions() -> None:
    """The check above is only as good as this reading of the code."""
    code = 'const a = "b c"; // d\nconst e = `f ${g + `h${i}`} j`; const k = /l[/]m/u.test(n) / o;'
    assert code_words(code) == {"const", "a", "e", "g", "i", "k", "n", "o"}
