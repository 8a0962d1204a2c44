"""The `glossary-widget` command line: check, new, serve's logging, and the help of every command."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.test_scaffold import fill_in
from widget_server.cli import main
from widget_server.content import load_glossary

GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"
FIXTURE_GLOSSARY = Path(__file__).resolve().parent / "fixtures" / "glossary"

BODY = "## Definition\n\nWhat it is.\n\n## Misuse\n\nHow it is abused.\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def glossary_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(GLOSSARY_DATA, tmp_path / "glossary_data"))


def test_check_bundled_glossary(tmp_path: Path) -> None:
    glossary = load_glossary(GLOSSARY_DATA)

    code, out, err = run("check", "--data", str(GLOSSARY_DATA))

    assert code == 0, err
    assert err == ""
    assert out.count("\n") == 1
    counts = ", ".join(f"{c.slug} {len(glossary.terms_in(c.slug))}" for c in glossary.categories)
    assert out == f"ok: {len(glossary.terms)} terms ({counts}); 2 sites (1 switched off)\n"
    assert re.fullmatch(
        r"ok: \d+ terms \(insurance \d+, finance \d+, healthcare \d+, employment-law \d+, "
        r"privacy \d+\); 2 sites \(1 switched off\)\n",
        out,
    )


def test_check_broken_glossary_prints_every_error(tmp_path: Path) -> None:
    (tmp_path / "categories.yml").write_text("- slug: finance\n  label: Finance\n  description: Money.\n", "utf-8")
    terms = tmp_path / "terms"
    terms.mkdir()
    front = "---\ntitle: {}\ncategories: [{}]\nupdated: 2024-05-01\n---\n"
    (terms / "alpha.md").write_text(front.format("Alpha", "finance") + BODY, "utf-8")
    (terms / "beta.md").write_text(front.format("Beta", "helthcare") + BODY, "utf-8")
    (terms / "gamma.md").write_text(front.format("alpha", "finance") + BODY, "utf-8")
    (terms / "delta.md").write_text(front.format("Delta", "finance") + BODY + "[x](javascript:alert(1))\n", "utf-8")

    code, out, err = run("check", "--data", str(tmp_path))

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{terms / 'beta.md'}:3: unknown category 'helthcare' (known: finance)",
        f"{terms / 'delta.md'}:13: link with an unsafe URL in section 'Misuse'",
        f"{terms / 'gamma.md'}:2: name 'alpha' matches the same text as 'Alpha' of term 'alpha'",
        "3 errors in the glossary",
    ]


def test_check_paths_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(GLOSSARY_DATA, tmp_path / "glossary_data")
    (tmp_path / "glossary_data" / "terms" / "Bad Name.md").write_text("", "utf-8")
    monkeypatch.chdir(tmp_path)

    code, _, err = run("check")  # --data defaults to ./glossary_data

    assert code == 1
    assert err.startswith("glossary_data/terms/Bad Name.md:1: file name 'Bad Name.md' is not")
    assert err.endswith("2 errors in the glossary\n")


def test_new_creates_a_term_that_check_accepts(glossary_copy: Path) -> None:
    before = load_glossary(glossary_copy)

    code, out, err = run("new", "Some Title", "--category", "healthcare", "--data", str(glossary_copy))

    assert code == 0, err
    created = glossary_copy / "terms" / "some-title.md"
    assert created.is_file()
    assert str(created) in out
    code, out, err = run("check", "--data", str(glossary_copy))
    assert code == 1  # until its placeholder sentences are replaced
    assert f"{created}:10: section 'Definition' still holds the placeholder text" in err
    assert err.endswith("4 errors in the glossary\n")
    fill_in(created)
    code, out, err = run("check", "--data", str(glossary_copy))
    assert code == 0, err
    after = load_glossary(glossary_copy)
    assert len(after.terms) == len(before.terms) + 1
    term = after.term("some-title")
    assert term is not None
    assert (term.title, term.categories) == ("Some Title", ("healthcare",))
    assert {"Definition", "Misuse"} <= set(term.sections)
    assert f"healthcare {len(before.terms_in('healthcare')) + 1}" in out


def test_new_with_several_categories_and_punctuation(glossary_copy: Path) -> None:
    code, _, err = run(
        "new",
        "Fees: Über-Late",
        "--category",
        "finance",
        "--category",
        "privacy",
        "--data",
        str(glossary_copy),
    )

    assert code == 0, err
    fill_in(glossary_copy / "terms" / "fees-uber-late.md")
    term = load_glossary(glossary_copy).term("fees-uber-late")
    assert term is not None
    assert (term.title, term.categories) == ("Fees: Über-Late", ("finance", "privacy"))


def test_new_refuses_to_overwrite(glossary_copy: Path) -> None:
    existing = glossary_copy / "terms" / "physical-therapy.md"
    original = existing.read_bytes()

    code, _, err = run("new", "Physical Therapy", "--category", "healthcare", "--data", str(glossary_copy))

    assert code == 1
    assert "already exists" in err
    assert existing.read_bytes() == original


def test_new_twice_refuses_the_second_time(glossary_copy: Path) -> None:
    args = ("new", "Some Title", "--category", "healthcare", "--data", str(glossary_copy))
    assert run(*args)[0] == 0
    created = glossary_copy / "terms" / "some-title.md"
    created.write_text(created.read_text("utf-8").replace("What Some Title", "Edited"), "utf-8")
    edited = created.read_bytes()

    code, _, err = run(*args)

    assert code == 1
    assert "already exists" in err
    assert created.read_bytes() == edited


def test_new_refuses_a_name_another_term_has(glossary_copy: Path) -> None:
    code, _, err = run("new", "Variable Rate Mortgage", "--category", "finance", "--data", str(glossary_copy))

    assert code == 1
    assert "matches the same text as a name of term 'adjustable-rate-mortgage'" in err
    assert not (glossary_copy / "terms" / "variable-rate-mortgage.md").exists()


def test_new_refuses_the_plural_of_another_terms_name(glossary_copy: Path) -> None:
    code, _, err = run("new", "Actual  cash values", "--category", "insurance", "--data", str(glossary_copy))

    assert code == 1
    assert "matches the same text as a name of term 'actual-cash-value'" in err
    assert not (glossary_copy / "terms" / "actual-cash-values.md").exists()


def test_new_refuses_a_title_check_would_refuse(glossary_copy: Path) -> None:
    code, _, err = run("new", "401(k)", "--category", "finance", "--data", str(glossary_copy))

    assert code == 1
    assert "title '401(k)' must start and end with a letter or digit" in err
    assert not (glossary_copy / "terms" / "401-k.md").exists()


@pytest.mark.parametrize("title", ["!!!", "&& ~", "日本語"])
def test_new_refuses_a_title_without_a_slug(glossary_copy: Path, title: str) -> None:
    code, _, err = run("new", title, "--category", "finance", "--data", str(glossary_copy))

    assert code == 1
    assert "cannot make a slug" in err


def test_new_requires_a_category(glossary_copy: Path) -> None:
    code, _, err = run("new", "Some Title", "--data", str(glossary_copy))

    assert code == 2
    assert "--category" in err
    assert not (glossary_copy / "terms" / "some-title.md").exists()


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ((), ["check", "serve", "new", "init", "build", "sites", "embed", "--version"]),
        (("init",), ["[DIR]", "starter glossary", "glossary_data"]),
        (("check",), ["--data", "file and line"]),
        (("serve",), ["--data", "--host", "--port", "--reload", "--examples", "127.0.0.1", "8000"]),
        (("new",), ["TITLE", "--category", "--data"]),
        (("build",), ["--out", "--data", "--base-url"]),
        (("embed",), ["--site", "--pinned", "--categories", "--base-url"]),
        (("sites",), ["--data", "registered sites"]),
    ],
)
def test_help(args: tuple[str, ...], mentions: list[str]) -> None:
    code, out, _ = run(*args, "--help")

    assert code == 0
    assert out.startswith("Usage: ")
    for word in mentions:
        assert word in out


def test_version() -> None:
    code, out, _ = run("--version")

    assert code == 0
    assert out.startswith("glossary-widget, version ")


def test_worker_processes_get_the_settings_serve_was_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`serve --workers N` starts uvicorn workers that rebuild the app from the environment."""
    from widget_server.app import SETTINGS_VARIABLE, create_app_from_environment

    settings = {
        "data_dir": str(FIXTURE_GLOSSARY),
        "base_url": "https://g.example/",
        "reload": False,
        "examples_dir": None,
        "state_dir": str(tmp_path),
        "database_url": None,
        "admin_password": "s3cret",
    }
    monkeypatch.setenv(SETTINGS_VARIABLE, json.dumps(settings))

    app = create_app_from_environment()

    with TestClient(app) as client:
        assert client.get("/healthz").json()["terms"] == 12
        page = client.get("/glossary/premium/").text
        assert '<link rel="canonical" href="https://g.example/glossary/premium/">' in page
        assert '<meta property="og:url" content="https://g.example/glossary/premium/">' in page
        assert client.post("/api/v1/feedback", content='{"term":"premium","helpful":true}').status_code == 204
        assert client.get("/admin/", auth=("admin", "s3cret")).status_code == 200
    assert (tmp_path / "feedback.sqlite3").is_file()


def served_output(*options: str) -> str:
    """What `glossary-widget serve` prints while it answers one request for /healthz."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = tempfile.mkdtemp(prefix="glossary-state-")  # not beside the fixtures, in the checkout
    command = [
        sys.executable,
        "-m",
        "widget_server",
        "serve",
        "--data",
        str(FIXTURE_GLOSSARY),
        "--port",
        str(port),
        "--state",
        state,
        *options,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.05)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
        shutil.rmtree(state)
    return output


@pytest.mark.parametrize(("options", "logged"), [((), False), (("--access-log",), True)])
def test_requests_are_logged_only_with_access_log(options: tuple[str, ...], logged: bool) -> None:
    output = served_output(*options)

    assert "Application startup complete" in output  # the server's own messages always show
    assert "Feedback:  SQLite " in output and "feedback.sqlite3" in output
    assert ('"GET /healthz HTTP/1.1" 200' in output) is logged
