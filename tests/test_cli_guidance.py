"""The command line tells people what to do: a URL it can use, a folder it can find, a port it
can take, a reload it can see, and `init` to start from."""

from __future__ import annotations

import functools
import http.server
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from widget_server.build import build_site
from widget_server.cli import main
from widget_server.content import load_glossary

FIXTURE_GLOSSARY = Path(__file__).resolve().parent / "fixtures" / "glossary"
LOOPBACK_WARNING = "warning: this tag loads the widget from http://127.0.0.1:8000/, which only"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --base-url


@pytest.mark.parametrize(
    "command",
    [
        ["serve", "--data", str(FIXTURE_GLOSSARY)],
        ["build", "--data", str(FIXTURE_GLOSSARY), "--out", "never-written"],
        ["embed", "--data", str(FIXTURE_GLOSSARY)],
    ],
)
@pytest.mark.parametrize("url", ["glossary.example.org", "/glossary/", "ftp://g.example/", "https://"])
def test_base_url_must_be_an_absolute_http_url(command: list[str], url: str) -> None:
    code, out, err = run(*command, "--base-url", url)

    assert code == 2
    assert out == ""
    assert (
        f"Invalid value for '--base-url': {url!r} is not an absolute http(s) URL such as https://glossary.example.org/"
    ) in err
    assert not Path("never-written").exists()


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://g.example/?v=1", "has a query or fragment"),
        ("https://g.example/#top", "has a query or fragment"),
        ("https://editor:secret@g.example/", "holds a user name or password"),
        ("https://g.example/my glossary/", "holds white space"),
        ("https://g.example/%zz/", "holds white space or a % that is not an escape"),
        ("https://g.example:http/", "does not have a valid port"),
    ],
)
def test_a_base_url_that_links_and_sitemaps_cannot_hold_is_refused(url: str, problem: str) -> None:
    code, _, err = run("build", "--data", str(FIXTURE_GLOSSARY), "--out", "never-written", "--base-url", url)

    assert code == 2
    assert f"Invalid value for '--base-url': {url!r} {problem}" in err
    assert not Path("never-written").exists()


def test_a_base_url_in_other_scripts_is_written_as_urls_are(tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, _, err = run(
        "build",
        "--data",
        str(FIXTURE_GLOSSARY),
        "--out",
        str(site),
        "--base-url",
        "https://bücher.example/café",
        "--quiet",
    )

    assert code == 0, err
    assert "<loc>https://xn--bcher-kva.example/caf%C3%A9/glossary/</loc>" in (site / "sitemap.xml").read_text("utf-8")


def test_build_adds_the_trailing_slash_to_the_base_url(tmp_path: Path) -> None:
    code, _, err = run(
        "build",
        "--data",
        str(FIXTURE_GLOSSARY),
        "--out",
        str(tmp_path / "site"),
        "--base-url",
        "https://g.example/words",
        "--quiet",
    )

    assert code == 0, err
    page = (tmp_path / "site" / "glossary" / "premium" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://g.example/words/glossary/premium/">' in page


# embed


def test_embed_warns_on_stderr_for_a_loopback_base_url() -> None:
    code, out, err = run("embed", "--data", str(FIXTURE_GLOSSARY))

    assert code == 0
    assert out == '<script src="http://127.0.0.1:8000/widget.js" defer></script>\n'
    assert err.startswith(LOOPBACK_WARNING)
    assert "--base-url" in err


@pytest.mark.parametrize("url", ["http://localhost:8000", "http://[::1]:8000/", "http://127.3.2.1/"])
def test_embed_warns_for_every_loopback_address(url: str) -> None:
    assert "only this computer can reach" in run("embed", "--data", str(FIXTURE_GLOSSARY), "--base-url", url)[2]


def test_embed_with_a_public_base_url_says_nothing_else() -> None:
    code, out, err = run(
        "embed", "--data", str(FIXTURE_GLOSSARY), "--base-url", "https://g.example", "--categories", "finance"
    )

    assert code == 0
    assert out == ('<script src="https://g.example/widget.js" data-categories="finance" defer></script>\n')
    assert err == ""


@pytest.fixture
def exported_glossary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the fixture glossary's static export, served over HTTP."""
    site = tmp_path_factory.mktemp("export") / "site"
    build_site(FIXTURE_GLOSSARY, site)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_glossary_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no ./glossary_data
    return tmp_path


@pytest.mark.usefixtures("no_glossary_here")
def test_embed_without_a_folder_checks_categories_at_the_base_url(exported_glossary: str) -> None:
    code, out, _ = run("embed", "--base-url", exported_glossary, "--categories", "finance,privacy")

    assert code == 0
    assert f'src="{exported_glossary}widget.js" data-categories="finance,privacy"' in out

    code, out, err = run("embed", "--base-url", exported_glossary, "--categories", "finanse")

    assert code == 2
    assert out == ""
    assert (
        "Invalid value for --categories: unknown finanse (known: insurance, finance, "
        "healthcare, employment-law, privacy); did you mean 'finance'?"
    ) in err


@pytest.mark.usefixtures("no_glossary_here")
def test_embed_without_a_folder_says_when_the_base_url_has_no_glossary(
    exported_glossary: str,
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    code, _, err = run("embed", "--base-url", closed, "--categories", "finance")

    assert code == 1
    assert err.startswith(
        f"Error: cannot check --categories: no glossary folder here, and cannot fetch "
        f"{closed}api/v1/categories.json: [Errno 111] Connection refused; pass --data DIR, or a "
        "--base-url where the glossary is served"
    )

    code, _, err = run("embed", "--base-url", exported_glossary + "elsewhere/", "--categories", "x")

    assert code == 1
    assert f"{exported_glossary}elsewhere/api/v1/categories.json answered 404" in err


@pytest.mark.usefixtures("no_glossary_here")
def test_embed_without_a_folder_needs_one_for_a_site() -> None:
    code, _, err = run("embed", "--base-url", "https://g.example/", "--site", "news")

    assert code == 2
    assert "Invalid value for --site: needs the glossary folder" in err


# No glossary folder, and init


@pytest.mark.parametrize(
    ("make", "says", "init"),
    [
        (lambda folder: None, "glossary_data does not exist", True),
        (lambda folder: folder.mkdir(), "glossary_data is an empty folder", True),
        (lambda folder: folder.write_text("", "utf-8"), "glossary_data is a file, not a folder", False),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["check"], ["serve"], ["build", "--out", "site"], ["sites"], ["new", "Late Fee", "--category", "finance"]],
)
def test_no_glossary_folder_says_where_it_looked(  # type: ignore[no-untyped-def]
    no_glossary_here: Path, command: list[str], make, says: str, init: bool
) -> None:
    make(no_glossary_here / "glossary_data")

    code, out, err = run(*command)

    assert code == 1
    assert out == ""
    start = ", or start one with: glossary-widget init glossary_data" if init else ""
    assert err == (
        f"Error: no glossary: {says}\n"
        f"  looked for {no_glossary_here / 'glossary_data'} (working directory {no_glossary_here})\n"
        f"  point at your glossary folder with --data DIR{start}\n"
    )
    assert ":1:" not in err


def test_init_writes_a_glossary_that_check_accepts(no_glossary_here: Path) -> None:
    code, out, err = run("init")

    assert code == 0, err
    assert out == ("Created glossary_data with 3 example terms; edit them, then run: glossary-widget check\n")
    assert run("check") == (0, "ok: 3 terms (finance 2, insurance 2)\n", "")
    glossary = load_glossary(no_glossary_here / "glossary_data")
    assert [t.slug for t in glossary.terms] == ["deductible", "grace-period", "late-fee"]
    assert all({"Definition", "Misuse"} <= set(t.sections) for t in glossary.terms)


def test_init_into_a_named_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "words").mkdir()

    code, out, _ = run("init", str(tmp_path / "words"))

    assert code == 0
    assert out.endswith(f"glossary-widget check --data {tmp_path / 'words'}\n")
    assert run("check", "--data", str(tmp_path / "words"))[0] == 0


def test_new_names_the_folder_in_the_check_to_run_next(tmp_path: Path) -> None:
    folder = tmp_path / "my words"
    run("init", str(folder))

    code, out, _ = run("new", "Surprise Bill", "--category", "insurance", "--data", str(folder))

    assert code == 0
    assert out == (
        f"Created {folder / 'terms' / 'surprise-bill.md'}; fill in its sections, "
        f"then run: glossary-widget check --data '{folder}'\n"
    )


@pytest.mark.parametrize("existing", ["categories.yml", "notes.txt", ".git/HEAD"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine", "utf-8")
    before = sorted(tmp_path.rglob("*"))

    code, _, err = run("init", str(tmp_path))

    assert code == 1
    assert err == f"Error: {tmp_path} is not empty; give init a new or empty folder\n"
    assert sorted(tmp_path.rglob("*")) == before
    assert (tmp_path / existing).read_text("utf-8") == "mine"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine", "utf-8")

    assert run("init", str(tmp_path / "file"))[:2] == (1, "")
    assert (tmp_path / "file").read_text("utf-8") == "mine"


def test_init_and_new_say_what_they_cannot_write_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine", "utf-8")
    glossary = tmp_path / "glossary"
    assert run("init", str(glossary))[0] == 0
    shutil.rmtree(glossary / "terms")
    (glossary / "terms").write_text("not a folder", "utf-8")

    init = run("init", str(tmp_path / "file" / "glossary"))
    new = run("new", "--data", str(glossary), "Wage Floor", "--category", "finance")

    assert init == (1, "", f"Error: cannot write {tmp_path / 'file' / 'glossary'}: Not a directory\n")
    assert new == (1, "", f"Error: cannot write into {glossary / 'terms'}: File exists\n")


# serve


def test_serve_on_a_busy_port_fails_before_printing_urls(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code, out, err = run("serve", "--data", str(FIXTURE_GLOSSARY), "--port", str(port), "--no-feedback")

    assert code == 1
    assert out == ""
    assert err == (
        f"Error: port {port} on 127.0.0.1 is already in use (another serve?); stop "
        "what listens there, or choose another port with --port\n"
    )


def test_serve_on_a_busy_port_leaves_no_new_store_behind(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        state = tmp_path / "state"

        code, _, err = run("serve", "--data", str(FIXTURE_GLOSSARY), "--port", str(port), "--state", str(state))

    assert code == 1 and "already in use" in err
    assert not state.exists()


def test_serve_says_an_empty_admin_password_gives_no_admin_page(tmp_path: Path) -> None:
    """An empty GLOSSARY_ADMIN_PASSWORD (a template's unset variable) would pass unnoticed."""
    with socket.socket() as taken:  # so that serve stops before it serves
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        serve = ["serve", "--data", str(FIXTURE_GLOSSARY), "--port", str(port)]
        answers = [run(*serve, "--admin-password", ""), run(*serve, env={"GLOSSARY_ADMIN_PASSWORD": ""})]

    for code, _, err in answers:
        assert code == 1
        assert err.startswith("warning: no /admin/: the admin password is empty\nError: port")


def test_serve_says_an_admin_password_is_unused_without_feedback(tmp_path: Path) -> None:
    with socket.socket() as taken:  # so that serve stops before it serves
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        arguments = ["serve", "--data", str(FIXTURE_GLOSSARY), "--port", str(port), "--no-feedback"]

        code, out, err = run(*arguments, "--admin-password", "s3cret")

    assert code == 1
    assert err.startswith("warning: no /admin/ with --no-feedback: it shows the feedback store\nError: port")


def test_serve_on_an_address_it_cannot_have_says_why() -> None:
    code, out, err = run("serve", "--data", str(FIXTURE_GLOSSARY), "--host", "192.0.2.1", "--no-feedback")

    assert (code, out) == (1, "")
    assert err == "Error: cannot listen on 192.0.2.1:8000: Cannot assign requested address\n"


def test_serve_reload_logs_each_good_reload_with_the_time(tmp_path: Path) -> None:
    data = Path(shutil.copytree(FIXTURE_GLOSSARY, tmp_path / "data"))
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "widget_server",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
            "--reload",
            "--no-feedback",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()

    def line_matching(pattern: str, edit: Callable[[], object] = lambda: None) -> str:
        """The next line logged that matches; `edit` is made again every half second meanwhile,
        as the watcher starts in the background and does not see an edit made before it."""
        deadline = time.monotonic() + 30
        edited = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() - edited >= 0.5:
                edit()
                edited = time.monotonic()
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if re.search(pattern, line):
                return line
        raise AssertionError(f"serve logged no line matching {pattern!r}")

    try:
        line_matching("Uvicorn running on")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
        late_fee = data / "terms" / "late-fee.md"
        reloaded = line_matching(
            "glossary reloaded",
            lambda: late_fee.write_text(
                "---\ntitle: Late Fee\ncategories: [finance]\nupdated: 2026-01-01\n---\n"
                "## Definition\n\nA charge.\n\n## Misuse\n\nToo high.\n",
                "utf-8",
            ),
        )
        refused = line_matching("glossary not reloaded", lambda: late_fee.write_text("---\ntitle: [\n---\n", "utf-8"))
    finally:
        process.terminate()
        process.wait(timeout=15)

    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.fullmatch(rf"INFO: +{stamp} glossary reloaded: 13 terms\n", reloaded)
    assert re.fullmatch(rf"ERROR: +{stamp} glossary not reloaded; still serving .*\n", refused)
