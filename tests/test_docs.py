"""The docs cover everything a user can type, call or set, as Datasette's documentation test does:
every command and option of `glossary-widget`, every path of the OpenAPI document, every `data-*`
attribute the widget reads; and every relative link in README.md and docs/ leads somewhere.
Adding one of them without documenting it fails here, with its name."""

from __future__ import annotations

import re
from pathlib import Path

import click
from conftest import FIXTURES, ROOT

from widget_server.cli import main
from widget_server.content import load_glossary
from widget_server.openapi import openapi_document

DOCS = ROOT / "docs"
WIDGET_JS = ROOT / "widget_js"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "patch", "trace"}  # HEAD goes with GET

# Linked before they exist: written on another branch in parallel, merged by the lead. Remove an
# entry once its file is in the tree (the test says so).
WRITTEN_ON_ANOTHER_BRANCH: dict[Path, str] = {}


def docs() -> dict[str, str]:
    return {f"docs/{path.name}": path.read_text("utf-8") for path in sorted(DOCS.glob("*.md"))}


def mentions(text: str, name: str) -> bool:
    """`name` as a whole token: `--site` is not found in `--site-id`, nor `data-max` in `data-maxi`."""
    return re.search(rf"(?<![\w-]){name}(?![\w-])", text) is not None


def kebab(name: str) -> str:
    """A `dataset` property as its attribute: `linkTarget` is `link-target`."""
    return re.sub(r"[A-Z]", lambda upper: "-" + upper[0].lower(), name)


# ---- Commands and options -------------------------------------------------------------------


def commands() -> dict[str, click.Command]:
    """Every command by how it is typed; the group itself has options too (`--version`)."""
    assert isinstance(main, click.Group)
    return {"glossary-widget": main} | {
        f"glossary-widget {name}": command for name, command in sorted(main.commands.items())
    }


def option_names(command: click.Command) -> list[str]:
    return [
        name
        for param in command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    ]


def pages_naming(command: str) -> list[str]:
    typed = re.escape(command).replace(r"\ ", r"\s+")
    return [page for page, text in docs().items() if mentions(text, typed)]


def test_every_command_is_documented() -> None:
    missing = [command for command in commands() if not pages_naming(command)]
    assert not missing, f"commands no docs/*.md mentions: {', '.join(missing)}"


def test_every_option_is_documented_with_its_command() -> None:
    """An option counts where its command is described: `--since` must be in a page that names
    `glossary-widget stats`, not merely somewhere."""
    pages = docs()
    missing = [
        f"{command} {option}"
        for command, click_command in commands().items()
        for option in option_names(click_command)
        if not any(mentions(pages[page], re.escape(option)) for page in pages_naming(command))
    ]
    assert not missing, f"options not in the docs page of their command: {', '.join(missing)}"


# ---- API paths ------------------------------------------------------------------------------


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


def test_every_api_path_and_method_is_in_the_api_docs() -> None:
    """Each path of the OpenAPI document has a row of its own in a table of docs/api.md, written
    as the document templates it (`/api/v1/terms/{slug}.json`), with every method it answers."""
    document = openapi_document(load_glossary(FIXTURES / "glossary"))
    rows = table_rows((DOCS / "api.md").read_text("utf-8"))
    missing = []
    for path, item in document["paths"].items():
        row = next((row for row in rows if f"`{path}`" in row), None)
        if row is None:
            missing.append(f"{path} (no table row)")
            continue
        missing += [
            f"{method.upper()} {path} (not in its row)"
            for method in sorted(HTTP_METHODS & set(item))
            if f"`{method.upper()}`" not in " ".join(row)
        ]
    assert not missing, f"API paths and methods missing from docs/api.md: {', '.join(missing)}"


# ---- data-* attributes ----------------------------------------------------------------------


def widget_attributes() -> set[str]:
    """Every data-* attribute named in the widget's source: written out (`data-glossary-toggle`,
    in selectors, messages and comments), as a `dataset` property, or as a setting of the tag
    that config.js reads from `data` (the tag's dataset over a registered site's settings) or
    through `setting("name", ...)`."""
    found: set[str] = set()
    for path in sorted(WIDGET_JS.glob("*.js")):
        source = path.read_text("utf-8")
        found |= set(re.findall(r"\bdata-[a-z][a-z0-9]*(?:-[a-z0-9]+)*", source))
        names = re.findall(r"\bdataset\.(\w+)", source) + re.findall(r'\bsetting\("(\w+)"', source)
        if path.name == "config.js":
            names += re.findall(r"\bdata\.(\w+)", source)
        found |= {"data-" + kebab(name) for name in names}
    return found


def test_the_attribute_collector_sees_the_tags_settings() -> None:
    """Otherwise the next test could pass by finding nothing: each way of reading one is seen."""
    assert {
        "data-glossary-toggle",
        "data-glossary-term",
        "data-api",
        "data-link-target",
        "data-max",
    } <= widget_attributes()


def test_every_data_attribute_the_widget_reads_is_in_the_site_owners_docs() -> None:
    text = (DOCS / "site-owners.md").read_text("utf-8")
    missing = sorted(name for name in widget_attributes() if not mentions(text, name))
    assert not missing, f"data-* attributes missing from docs/site-owners.md: {', '.join(missing)}"


# ---- Links ----------------------------------------------------------------------------------

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`]*`")
LINK = re.compile(r"\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")


def prose(text: str) -> str:
    """The text outside code, where a link is a link (`[x](javascript:...)` in a code span is not)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """The ids GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.+)$", FENCE.sub("", path.read_text("utf-8")), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(prose(page.read_text("utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not a file here
            continue
        file, _, fragment = target.partition("#")
        resolved = (page.parent / file).resolve() if file else page
        if resolved in WRITTEN_ON_ANOTHER_BRANCH:
            continue
        if not resolved.exists():
            broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    return broken


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    broken = [link for page in pages for link in broken_links(page)]
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_pages_written_on_another_branch_are_not_yet_here() -> None:
    """Once the branch is merged, its page exists and its link is checked like any other."""
    merged = [str(path.relative_to(ROOT)) for path in WRITTEN_ON_ANOTHER_BRANCH if path.exists()]
    assert not merged, f"remove from WRITTEN_ON_ANOTHER_BRANCH in {Path(__file__).name}: {merged}"
