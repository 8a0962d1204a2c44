"""Site files (glossary_data/sites/): `check` reports every mistake with file:line, `build`
refuses them, the API publishes enabled sites and only hashes of switched-off origins; the
`sites` and `embed --site` commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from test_cli import run

from widget_server.app import create_app
from widget_server.content import load_glossary
from widget_server.sites import SITE_FIELDS, origin_hash

GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"

# Every kind of mistake, each on its own line (the line is the number after the file name).
BAD_SITE = """\
name: Bad Site
origins:
  - https://bad.example.com/path
  - ftp://files.example.com
  - http://plain.example.com
  - https://Upper.Example.com
categories: [healthcare, helthcare]
occurrences: some
max: -3
root: "main["
exclude: "p::before"
theme: blue
link_target: _top
feedback: maybe
enabled: "no"
colour: red
"""
EXPECTED = [
    (3, "origin 'https://bad.example.com/path' must be only the scheme, the host and the port"),
    (4, "origin 'ftp://files.example.com' must be https://host or https://host:port"),
    (5, "origin 'http://plain.example.com' must use https"),
    (6, "origin 'https://Upper.Example.com' must be written as the browser writes it: https://upper.example.com"),
    (7, "unknown category 'helthcare'"),
    (8, "occurrences must be one of first, all, not 'some'"),
    (9, "max must be a whole number of at least 1"),
    (10, "root 'main[' is not a valid CSS selector"),
    (11, "exclude 'p::before' is not a valid selector here: it names a pseudo-element"),
    (12, "theme must be one of light, dark, auto, not 'blue'"),
    (13, "link_target must be one of _self, _blank, not '_top'"),
    (14, "feedback must be on or off"),
    (15, "enabled must be true or false"),
    (16, "unknown field 'colour'"),
]


@pytest.fixture
def glossary_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GLOSSARY_DATA, tmp_path / "glossary_data"))


def test_a_shared_origin_is_said_with_the_files_other_mistakes(glossary_copy: Path) -> None:
    """Not one check run later, once the rest is mended."""
    (glossary_copy / "sites" / "copy.yml").write_text(
        "name: Copy\norigins: [https://news.example.com]\ntheme: blue\n", "utf-8"
    )

    code, _, err = run("check", "--data", str(glossary_copy))

    assert code == 1
    assert "copy.yml:3: theme must be one of light, dark, auto, not 'blue'" in err
    assert "copy.yml:2: origin https://news.example.com is also one of site 'example-news'" in err


def test_an_origin_listed_twice_in_one_file_is_one_mistake(glossary_copy: Path) -> None:
    (glossary_copy / "sites" / "twice.yml").write_text(
        "name: Twice\norigins:\n  - https://twice.example.org\n  - https://twice.example.org\n", "utf-8"
    )

    code, _, err = run("check", "--data", str(glossary_copy))

    assert code == 1
    assert [line for line in err.splitlines() if "twice.yml" in line] == [
        f"{glossary_copy / 'sites' / 'twice.yml'}:4: origin https://twice.example.org is listed twice (also at line 3)"
    ]


@pytest.mark.parametrize("selector", [":lang(fr)", "main:dir(ltr)", "form:focus-within"])
def test_a_selector_the_python_side_cannot_apply_is_refused(glossary_copy: Path, selector: str) -> None:
    """Browsers take it, but annotate and scan, which apply the site's settings with lexbor,
    would fail on every page of the site."""
    (glossary_copy / "sites" / "lang.yml").write_text(
        f"name: Lang\norigins: [https://lang.example.org]\nexclude: '{selector}'\n", "utf-8"
    )

    code, _, err = run("check", "--data", str(glossary_copy))

    assert code == 1
    assert f"lang.yml:3: exclude '{selector}' is a selector that annotate cannot apply: its parser, lexbor," in err


def test_check_reports_every_mistake_of_a_site_file_with_its_line(glossary_copy: Path) -> None:
    (glossary_copy / "sites" / "bad-site.yml").write_text(BAD_SITE, "utf-8")
    (glossary_copy / "sites" / "broken.yml").write_text("name: [unclosed\norigins: x\n", "utf-8")
    (glossary_copy / "sites" / "kinds.yml").write_text(
        "name: 1.10\norigins: https://a.example.org\nmax: '5'\n", "utf-8"
    )
    (glossary_copy / "sites" / "Not_A_Slug.yml").write_text("origins: []\n", "utf-8")
    (glossary_copy / "sites" / "other-news.yml").write_text(
        "name: Copy\norigins: [https://news.example.com]\n", "utf-8"
    )

    code, out, err = run("check", "--data", str(glossary_copy))

    assert code == 1 and out == ""
    lines = err.splitlines()
    bad = [line for line in lines if "bad-site.yml" in line]
    assert len(bad) == len(EXPECTED), "\n".join(bad)
    for (number, message), line in zip(EXPECTED, sorted(bad, key=lambda text: int(text.split(":")[1])), strict=True):
        assert line.startswith(f"{glossary_copy / 'sites' / 'bad-site.yml'}:{number}: {message}"), line
    others = "\n".join(line for line in lines if "bad-site.yml" not in line)
    assert "broken.yml:1: YAML does not parse" in others
    assert "kinds.yml:1: name 1.10 is read as a number; put it in quotes" in others
    assert "kinds.yml:2: origins must be a list" in others
    assert "kinds.yml:3: max must be a whole number of at least 1" in others
    assert "Not_A_Slug.yml:1: file name 'Not_A_Slug.yml' is not a valid site id" in others
    assert "Not_A_Slug.yml:1: missing name" in others
    assert "Not_A_Slug.yml:1: origins must list at least one origin" in others
    # At both files: either may be the mistake.
    assert (
        "other-news.yml:2: origin https://news.example.com is also one of site 'example-news' (example-news.yml:4)"
    ) in others
    assert (
        "example-news.yml:4: origin https://news.example.com is also one of site 'other-news' (other-news.yml:2)"
    ) in others
    assert lines[-1] == f"{len(lines) - 1} errors in the glossary"


def test_build_refuses_a_bad_site_file(glossary_copy: Path, tmp_path: Path) -> None:
    (glossary_copy / "sites" / "bad-site.yml").write_text(BAD_SITE, "utf-8")
    code, _, err = run("build", "--data", str(glossary_copy), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "bad-site.yml:8: occurrences must be one of first, all" in err
    assert not (tmp_path / "out").exists()


def test_the_bundled_example_sites_are_valid() -> None:
    sites = {site.id: site for site in load_glossary(GLOSSARY_DATA).sites}
    assert sites["example-news"].enabled and sites["example-news"].categories == ("healthcare", "insurance")
    assert not sites["example-deals"].enabled


def test_api_publishes_enabled_sites_and_only_hashes_of_switched_off_origins() -> None:
    client = TestClient(create_app(GLOSSARY_DATA))
    site = client.get("/api/v1/sites/example-news.json")
    assert site.status_code == 200
    assert site.headers["access-control-allow-origin"] == "*"
    assert site.headers["cache-control"] == "public, max-age=300"
    assert site.json() == {
        "id": "example-news",
        "name": "Example News",
        "origins": ["https://news.example.com", "https://www.news.example.com"],
        "settings": {
            "categories": "healthcare,insurance",
            "occurrences": "all",
            "max": "40",
            "exclude": ".comments, aside",
            "theme": "light",
            "linkTarget": "_blank",
        },
    }
    missing = client.get("/api/v1/sites/example-deals.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "unknown site; the publisher registers sites in glossary_data/sites/"}
    categories = client.get("/api/v1/categories.json")
    assert categories.json()["disabled"] == [origin_hash("https://deals.example.net")]
    assert b"deals" not in categories.content


def test_origin_hash_is_32_bit_fnv_1a() -> None:
    # Reference values of FNV-1a (32 bits) from its authors' test suite.
    assert origin_hash("") == 0x811C9DC5
    assert origin_hash("a") == 0xE40C292C
    assert origin_hash("foobar") == 0xBF9CF968


def test_sites_lists_every_site_with_its_settings() -> None:
    code, out, err = run("sites", "--data", str(GLOSSARY_DATA))
    assert code == 0, err
    assert out.splitlines() == [
        "example-deals: Example Deals [SWITCHED OFF (enabled: false)]",
        "  origins: https://deals.example.net",
        "  settings: (the defaults)",
        "example-news: Example News [on]",
        "  origins: https://news.example.com, https://www.news.example.com",
        '  settings: data-categories="healthcare,insurance" data-occurrences="all" data-max="40" '
        'data-exclude=".comments, aside" data-theme="light" data-link-target="_blank"',
    ]


def test_embed_site_prints_the_tag_that_names_it() -> None:
    base = ["embed", "--data", str(GLOSSARY_DATA), "--base-url", "https://g.example.org/"]
    code, out, _ = run(*base, "--site", "example-news")
    assert code == 0
    assert out == '<script src="https://g.example.org/widget.js" data-site="example-news" defer></script>\n'
    code, out, _ = run(*base, "--site", "example-news", "--pinned")
    assert code == 0
    assert 'integrity="sha384-' in out and out.endswith('data-site="example-news" defer></script>\n')
    code, out, err = run(*base, "--site", "example-deals")
    assert code == 0 and "switched off" in err and 'data-site="example-deals"' in out
    code, _, err = run(*base, "--site", "nope")
    assert code == 2 and "unknown nope (known: example-deals, example-news)" in err


def test_the_docs_document_every_field_with_a_valid_example(glossary_copy: Path) -> None:
    docs = GLOSSARY_DATA.parent / "docs"
    editors = (docs / "editors.md").read_text("utf-8")
    section = editors[editors.index("## Registered sites: `sites/*.yml`") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n")]
    assert [line.split(":")[0] for line in example.splitlines() if not line.startswith(" ")] == list(SITE_FIELDS)
    (glossary_copy / "sites" / "readme-example.yml").write_text(
        example.replace("news.example.com", "readme.example.com"), "utf-8"
    )
    site = next(s for s in load_glossary(glossary_copy).sites if s.id == "readme-example")
    assert site.root == "main .story" and site.feedback and site.enabled
    assert "glossary-widget sites" in editors
    site_owners = (docs / "site-owners.md").read_text("utf-8")
    for usage in ("[--site SITE-ID]", "`data-site`"):
        assert usage in site_owners
