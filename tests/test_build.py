"""The static export: same bytes as the server, deterministic, validated, precompressed, small."""

from __future__ import annotations

import dataclasses
import gzip
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import brotli
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, GLOSSARY_DATA, ROOT
from starlette.testclient import TestClient

from benchmarks.synthetic import synthetic_terms, write_glossary
from tests.support.nginx import running_nginx
from widget_server.app import create_app
from widget_server.assets import Assets, build_assets, integrity
from widget_server.build import BuildError, build_site
from widget_server.cli import main
from widget_server.compress import BEST_MAX_BYTES, ONE_PACKET, compressed_copies
from widget_server.parallel import PARALLEL_TERMS

WIDGET_BUDGET_BROTLI = 7168
NGINX_CONF = ROOT / "examples" / "deploy" / "nginx.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")


# The export and the server know their public URL, so that both have sitemap.xml and robots.txt.
BASE_URL = "https://glossary.example.org/"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    build_site(GLOSSARY_DATA, out, BASE_URL)
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(GLOSSARY_DATA, base_url=BASE_URL)
    return TestClient(app)


def tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def url_of(path: str) -> str:
    """The server URL that answers with the export's file at `path`."""
    return "/" + path.removesuffix("index.html")


def test_every_exported_file_is_byte_for_byte_what_the_server_answers(export: Path, client: TestClient) -> None:
    files = {
        path: body
        for path, body in tree(export).items()
        if not path.endswith((".br", ".gz")) and path not in ("manifest.json", "404.html")
    }
    assert len([p for p in files if p.startswith("api/v1/terms/")]) >= 120
    for path, body in files.items():
        response = client.get(url_of(path), headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, path
        assert response.content == body, path


def test_export_has_the_documented_layout(export: Path) -> None:
    manifest = json.loads((export / "manifest.json").read_bytes())
    pinned = manifest["widget"]["pinned"]
    for path in (
        "widget.js",
        pinned,
        "api/v1/categories.json",
        "api/v1/terms.json",
        "api/v1/terms/physical-therapy.json",
        "api/v1/index/healthcare.json",
        "glossary/index.html",
        "glossary/physical-therapy/index.html",
        "snippets/physical-therapy.html",
        "sitemap.xml",
        "robots.txt",
    ):
        assert (export / path).is_file(), path
    assert any(p.name.startswith("glossary.") for p in (export / "static").glob("*.css"))
    assert (export / pinned).read_bytes() == (export / "widget.js").read_bytes()
    assert manifest["widget"]["integrity"] == integrity((export / "widget.js").read_bytes())
    assert manifest["counts"]["terms"] == len(list((export / "api/v1/terms").glob("*.json")))
    listed = manifest["files"]["api/v1/terms.json"]
    assert listed["bytes"] == (export / "api/v1/terms.json").stat().st_size


@pytest.fixture(scope="module")
def nginx(export: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """nginx on a free port with the server block of examples/deploy/nginx.conf, serving `export`."""
    server = NGINX_CONF.read_text().replace("root /srv/glossary;", f"root {export};")
    # As the config's comment says: without the module, drop brotli_static and keep gzip_static.
    brotli = f"load_module {BROTLI_MODULE};\n" if BROTLI_MODULE.exists() else ""
    if not brotli:
        server = server.replace("brotli_static on;", "")
    with running_nginx(server, tmp_path_factory.mktemp("nginx"), modules=brotli) as address:
        yield address


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/glossary",
        "/glossary/",
        "/glossary/physical-therapy",
        "/glossary/physical-therapy/",
        "/api/v1/terms/physical-therapy.json",
        "/api/v1/terms/nope.json",
        "/api/v1/index/nope.json",
        "/api/v1/",
        "/api/v1",
        "/nope",
        "/widget.js",
        "/sitemap.xml",
        "/robots.txt",
    ],
)
def test_example_nginx_config_answers_like_the_server(nginx: tuple[str, int], client: TestClient, path: str) -> None:
    """Same status, redirect target, type and bytes; a JSON error for API misses."""
    connection = http.client.HTTPConnection(*nginx, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    expected = client.get(path, headers={"Accept-Encoding": "identity"}, follow_redirects=False)

    assert answer.status == expected.status_code
    # Where each redirect leads (the server's are relative, nginx's from the root).
    here = f"http://{nginx[0]}:{nginx[1]}{path}"
    assert urljoin(here, answer.getheader("Location") or "") == urljoin(here, expected.headers.get("location", ""))
    if expected.is_redirect:
        return
    assert answer.getheader("Access-Control-Allow-Origin") == "*"
    if answer.status == 404:  # not kept by caches: the term may be published a minute later
        assert answer.getheader("Cache-Control") == expected.headers["cache-control"] == "no-store"
    kind = answer.getheader("Content-Type", "").split(";")[0]
    assert kind == expected.headers["content-type"].split(";")[0]
    if kind == "application/json" and answer.status == 404:
        assert "error" in json.loads(body)  # the server's message names the categories; nginx's cannot
    else:
        assert body == expected.content


@pytest.mark.parametrize("path", ["/widget.js", "{pinned}", "/api/v1/terms.json", "/api/v1/index/finance.json"])
def test_example_nginx_config_answers_a_preflight_like_the_server(
    nginx: tuple[str, int], client: TestClient, path: str
) -> None:
    """A partner page's fetch with headers of its own (a tracing library's) is preflighted: the
    export behind nginx must allow it as `serve` does, or the browser never sends the GET."""
    path = path.format(pinned="/" + build_assets().widget)
    asked = {
        "Origin": "https://partner.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "traceparent",
    }
    connection = http.client.HTTPConnection(*nginx, timeout=10)
    connection.request("OPTIONS", path, headers=asked)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    expected = client.options(path, headers=asked)

    assert answer.status == expected.status_code == 204
    for name in ("Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"):
        assert answer.getheader(name) == expected.headers[name], name


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "X-Robots-Tag",
)


@pytest.mark.parametrize(
    "path",
    [
        "/glossary/",
        "/glossary/physical-therapy/",
        "/nope",
        "/glossary/nope/",
        "/snippets/physical-therapy.html",
        "/api/v1/terms.json",
        "/api/v1/nope.json",
        "/widget.js",
    ],
)
def test_example_nginx_config_sends_the_servers_security_headers(
    nginx: tuple[str, int], client: TestClient, path: str
) -> None:
    """The export's pages get the server's page headers; the API and widget files none."""
    connection = http.client.HTTPConnection(*nginx, timeout=10)
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    expected = client.get(path)

    for name in SECURITY_HEADERS:
        assert answer.getheader(name) == expected.headers.get(name), name
    is_page = expected.headers["content-type"].startswith("text/html")
    assert ("Content-Security-Policy" in expected.headers) == is_page


def test_text_files_are_precompressed_and_decompress_to_the_original(export: Path) -> None:
    for name in ("widget.js", "api/v1/index/healthcare.json", "glossary/index.html"):
        original = (export / name).read_bytes()
        assert brotli.decompress((export / f"{name}.br").read_bytes()) == original
        assert gzip.decompress((export / f"{name}.gz").read_bytes()) == original


@pytest.mark.parametrize(
    "name",
    [
        "widget.js",
        "api/v1/matcher.json",
        "api/v1/matcher/healthcare.json",
        "api/v1/index.json",
        "api/v1/index/privacy.json",
    ],
)
def test_what_partner_pages_download_on_every_view_is_compressed_at_brotli_best(export: Path, name: str) -> None:
    assert (export / f"{name}.br").read_bytes() == brotli.compress((export / name).read_bytes(), quality=11)


def test_a_matcher_too_large_for_brotli_best_in_seconds_gets_quality_9() -> None:
    """The matcher of tens of thousands of terms: the best setting would keep a reader's first
    request waiting for seconds in `serve`."""
    large = json.dumps({"names": {f"word{n}": [[f"term-{n}", 0, 0, 0, f"word{n}s", f"word{n}"]] for n in range(30000)}})
    assert len(large) > BEST_MAX_BYTES

    copies = compressed_copies("api/v1/matcher.json", large.encode())

    assert copies["br"] == brotli.compress(large.encode(), quality=9)


def test_files_that_fit_in_a_packet_are_not_precompressed(export: Path) -> None:
    term = export / "api/v1/terms/physical-therapy.json"
    assert term.stat().st_size < ONE_PACKET
    assert not term.with_name(term.name + ".br").exists()
    assert not term.with_name(term.name + ".gz").exists()


def test_widget_fits_its_size_budget(export: Path) -> None:
    widget = (export / "widget.js").read_bytes()
    size = len(brotli.compress(widget, quality=11))
    assert size <= WIDGET_BUDGET_BROTLI, f"widget.js is {size} bytes brotli"
    assert len((export / "widget.js.br").read_bytes()) == size


def test_two_builds_are_identical(tmp_path: Path) -> None:
    build_site(FIXTURES / "glossary", tmp_path / "one")
    build_site(FIXTURES / "glossary", tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


BUILD_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from widget_server import build, parallel
if sys.argv[3] == "alone":
    parallel.PARALLEL_TERMS = 10**9
print(parallel.worker_processes(len(build.load_glossary(Path(sys.argv[1])).terms)))
build.build_site(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_large_export_written_by_worker_processes_is_the_one_written_alone(tmp_path: Path) -> None:
    """From PARALLEL_TERMS terms, worker processes compress and write the files: the export is
    the same, byte for byte. (Built in a process of its own: this one runs threads, so its
    builds never fork.)"""
    data = write_glossary(tmp_path / "data", synthetic_terms(PARALLEL_TERMS))

    def built(how: str) -> tuple[int, dict[str, bytes]]:
        out = tmp_path / how
        done = subprocess.run(
            [sys.executable, "-c", BUILD_IN_A_FRESH_PROCESS, data, out, how],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(done.stdout), tree(out)

    workers, parallel = built("parallel")
    alone, serial = built("alone")
    assert (workers, alone) == (len(os.sched_getaffinity(0)), 0)
    assert parallel == serial
    assert len(parallel) > 3 * PARALLEL_TERMS  # every term's files


def test_rebuild_replaces_the_previous_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _copy_glossary(FIXTURES / "glossary", data)
    build_site(data, tmp_path / "site")
    (data / "terms" / "tax.md").unlink()
    build_site(data, tmp_path / "site")
    assert not (tmp_path / "site" / "api/v1/terms/tax.json").exists()
    assert (tmp_path / "site" / "api/v1/terms/premium.json").exists()


def test_export_folder_is_as_readable_as_any_folder_the_user_makes(tmp_path: Path) -> None:
    """A web server running as its own user must be able to read the site (mkdtemp's 0700 not)."""
    build_site(FIXTURES / "glossary", tmp_path / "site")
    (tmp_path / "made").mkdir()
    assert (tmp_path / "site").stat().st_mode == (tmp_path / "made").stat().st_mode


def test_broken_glossary_builds_nothing_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _copy_glossary(FIXTURES / "glossary", data)
    broken = data / "terms" / "tax.md"
    broken.write_text(broken.read_text().replace("[finance]", "[fnance]"))
    out = tmp_path / "site"

    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])

    assert result.exit_code == 1
    assert "tax.md:3: unknown category 'fnance'" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [data]  # no staging folder left behind either


def test_broken_glossary_leaves_an_earlier_export_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _copy_glossary(FIXTURES / "glossary", data)
    build_site(data, tmp_path / "site")
    before = tree(tmp_path / "site")
    (data / "terms" / "tax.md").write_text("no front matter")

    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(tmp_path / "site")])

    assert result.exit_code == 1
    assert tree(tmp_path / "site") == before


def test_build_refuses_to_replace_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")

    result = _build(FIXTURES / "glossary", out)

    assert result.exit_code == 1
    assert "not empty" in result.output and "(thesis.txt)" in result.output
    assert (out / "thesis.txt").read_text() == "precious"


def test_build_refuses_a_folder_whose_manifest_json_is_not_ours(tmp_path: Path) -> None:
    out = tmp_path / "pwa"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "My app", "start_url": "/"}')
    (out / "index.html").write_text("<h1>My app</h1>")
    before = tree(tmp_path)

    result = _build(FIXTURES / "glossary", out)

    assert result.exit_code == 1
    assert "holds no manifest.json of an earlier build (index.html, manifest.json)" in result.output
    assert tree(tmp_path) == before


def test_build_refuses_an_earlier_build_with_files_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "gh-pages"
    build_site(FIXTURES / "glossary", out)
    (out / "CNAME").write_text("glossary.example.org")
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages")
    (out / ".git" / "objects" / "empty").mkdir()
    (out / "glossary" / "notes.md").write_text("mine")
    for name in ("a", "b", "c"):
        (out / "api" / f"{name}.txt").write_text(name)
    before = tree(tmp_path)

    result = _build(FIXTURES / "glossary", out)

    assert result.exit_code == 1
    assert (
        f"{out}/ holds files an earlier build did not write "
        "(.git/, CNAME, api/a.txt, api/b.txt, api/c.txt and 1 more); "
        "choose an empty or new folder, or remove them"
    ) in result.output
    assert tree(tmp_path) == before
    assert (out / ".git" / "objects" / "empty").is_dir()


def test_build_refuses_an_out_folder_that_holds_the_glossary(tmp_path: Path) -> None:
    data = tmp_path / "self" / "glossary_data"
    _copy_glossary(FIXTURES / "glossary", data)
    (tmp_path / "self" / "manifest.json").write_text("{}")
    before = tree(tmp_path)

    result = _build(data, tmp_path / "self")

    assert result.exit_code == 1
    assert "is or contains the glossary folder" in result.output
    assert tree(tmp_path) == before


def test_build_refuses_the_current_folder_even_if_it_is_an_earlier_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_site(FIXTURES / "glossary", out)
    before = tree(tmp_path)
    monkeypatch.chdir(out / "glossary")

    for given in (out, Path(".."), Path("../..")):
        result = _build(FIXTURES / "glossary", given)
        assert result.exit_code == 1, given
        assert "is or contains the current folder" in result.output, given
    assert tree(tmp_path) == before


def test_build_replaces_an_earlier_build_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert _build(FIXTURES / "glossary", out).exit_code == 0
    (out / "api/v1/terms.json").write_text("stale")

    result = _build(FIXTURES / "glossary", out)

    assert result.exit_code == 0, result.output
    assert json.loads((out / "api/v1/terms.json").read_bytes())


def test_build_prints_a_summary_with_the_widget_size(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--data", str(FIXTURES / "glossary"), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "files" in result.output and "bytes brotli" in result.output
    assert "widget.js" in result.output

    quiet = CliRunner().invoke(
        main, ["build", "--quiet", "--data", str(FIXTURES / "glossary"), "--out", str(tmp_path / "site")]
    )
    assert quiet.exit_code == 0 and quiet.output == ""


def test_embed_prints_stable_and_pinned_tags(client: TestClient) -> None:
    stable = CliRunner().invoke(
        main, ["embed", "--categories", "healthcare,insurance", "--base-url", "https://glossary.example.org"]
    )
    assert stable.output.strip() == (
        '<script src="https://glossary.example.org/widget.js" data-categories="healthcare,insurance" defer></script>'
    )
    pinned = CliRunner().invoke(main, ["embed", "--pinned", "--base-url", "https://g.example/"])
    widget = client.app.state.site.assets  # type: ignore[attr-defined]
    assert f'src="https://g.example/{widget.widget}"' in pinned.output
    assert f'integrity="{integrity(widget.files[widget.widget])}"' in pinned.output
    assert 'crossorigin="anonymous"' in pinned.output

    unknown = CliRunner().invoke(main, ["embed", "--categories", "helthcare"])
    assert unknown.exit_code == 2 and "helthcare" in unknown.output


def _build(data: Path, out: Path) -> Result:
    return CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])


def _copy_glossary(source: Path, target: Path) -> None:
    (target / "terms").mkdir(parents=True)
    (target / "categories.yml").write_bytes((source / "categories.yml").read_bytes())
    for term in (source / "terms").glob("*.md"):
        (target / "terms" / term.name).write_bytes(term.read_bytes())


def an_earlier_widget(monkeypatch: pytest.MonkeyPatch, module: object) -> str:
    """Makes `module`'s build_assets also give the widget of an earlier release, as it would
    have been built then; returns its path."""
    old = "static/widget.000000000000.js"
    real = build_assets

    def with_earlier() -> Assets:
        assets = real()
        return dataclasses.replace(assets, files={**assets.files, old: b"/* an earlier widget */" * 100})

    monkeypatch.setattr(module, "build_assets", with_earlier)
    return old


def test_a_build_keeps_the_hashed_files_of_the_build_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner that pinned the widget of an earlier release (SRI) keeps loading it after the
    export is rebuilt with a new widget, and so do the builds after that one."""
    from widget_server import build

    out = tmp_path / "site"
    old = an_earlier_widget(monkeypatch, build)
    build_site(FIXTURES / "glossary", out)
    earlier = (out / old).read_bytes()
    monkeypatch.undo()

    for _ in range(2):
        build_site(FIXTURES / "glossary", out)
        assert (out / old).read_bytes() == earlier
        assert brotli.decompress((out / f"{old}.br").read_bytes()) == earlier
        assert old in json.loads((out / "manifest.json").read_text())["files"]


def test_serve_keeps_the_hashed_files_it_has_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an upgrade, the pinned widget of the release before is still answered, from the
    state folder, with its year-long cache headers; without a state folder it cannot be."""
    from widget_server import app as app_module

    state = tmp_path / "state"
    old = an_earlier_widget(monkeypatch, app_module)
    earlier = TestClient(create_app(FIXTURES / "glossary", state_dir=state)).get(f"/{old}").content
    monkeypatch.undo()

    upgraded = TestClient(create_app(FIXTURES / "glossary", state_dir=state))
    answer = upgraded.get(f"/{old}", headers={"Accept-Encoding": "identity"})
    assert (answer.status_code, answer.content) == (200, earlier)
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert TestClient(create_app(FIXTURES / "glossary")).get(f"/{old}").status_code == 404


def test_an_earlier_manifest_reaches_no_file_but_a_hashed_one_in_static(tmp_path: Path) -> None:
    """The manifest of the build replaced is a file on disk: what it lists is carried over only
    if it is a hashed file directly in static/, never a path out of the folder or over a page."""
    out = tmp_path / "site"
    build_site(FIXTURES / "glossary", out)
    (tmp_path / "secret.txt").write_text("not the export's")
    (out / "static" / "notes.txt").write_text("no hash in its name")
    (out / "static" / "widget.aaaaaaaaaaaa.js").symlink_to(tmp_path / "secret.txt")
    manifest = json.loads((out / "manifest.json").read_text())
    page = (out / "glossary" / "index.html").read_bytes()
    for path in (
        "static/../../secret.txt",
        "static/../glossary/index.html",
        "static/notes.txt",
        "static/widget.aaaaaaaaaaaa.js",
    ):
        manifest["files"][path] = {"sha256": "0", "bytes": 0}
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "glossary" / "index.html").write_text("an earlier page")

    build_site(FIXTURES / "glossary", out)

    assert not (tmp_path / "secret.txt.br").exists() and not (tmp_path / "secret.txt.gz").exists()
    assert (out / "glossary" / "index.html").read_bytes() == page
    assert sorted(p.name for p in (out / "static").iterdir() if "aaaaaaaaaaaa" in p.name or p.suffix == ".txt") == []
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert not [path for path in listed if ".." in path or path.endswith(".txt")]


def test_serve_answers_only_the_hashed_files_kept_in_its_state_folder(tmp_path: Path) -> None:
    """A half-written copy (a `.part`), a file without a hash in its name and a symbolic link in
    the state folder are not answered as immutable files."""
    state = tmp_path / "state"
    TestClient(create_app(FIXTURES / "glossary", state_dir=state))
    (tmp_path / "secret.js").write_text("not ours")
    (state / "static" / ".tmp123.part").write_text("half")
    (state / "static" / "notes.js").write_text("no hash")
    (state / "static" / "widget.bbbbbbbbbbbb.js").symlink_to(tmp_path / "secret.js")

    client = TestClient(create_app(FIXTURES / "glossary", state_dir=state))
    for name in (".tmp123.part", "notes.js", "widget.bbbbbbbbbbbb.js"):
        assert client.get(f"/static/{name}").status_code == 404, name


def test_build_refuses_a_mount_point_and_touches_nothing(tmp_path: Path) -> None:
    """A mount point cannot be renamed or removed: replacing one used to delete the earlier site
    and then fail. /proc is a mount point on every Linux system."""
    with pytest.raises(BuildError, match="mount point"):
        build_site(FIXTURES / "glossary", Path("/proc"))
    assert not [path for path in Path("/").iterdir() if path.name.startswith(".proc-")]


def test_build_that_cannot_write_beside_its_folder_says_so(tmp_path: Path) -> None:
    """The staging folder goes beside --out: a parent that is a file gets a message, not a trace."""
    (tmp_path / "file").write_text("")

    result = _build(FIXTURES / "glossary", tmp_path / "file" / "site")

    assert result.exit_code == 1
    assert "cannot make a folder beside" in result.output and "Traceback" not in result.output
