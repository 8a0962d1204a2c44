"""The static export: same bytes as the server, deterministic, validated, precompressed, small."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, GLOSSARY_DATA
from starlette.testclient import TestClient

from widget_server.app import create_app
from widget_server.assets import integrity
from widget_server.build import build_site
from widget_server.cli import main

WIDGET_BUDGET_BROTLI = 6144


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    build_site(GLOSSARY_DATA, out)
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(GLOSSARY_DATA, assets_dir=tmp_path_factory.mktemp("assets"))
    return TestClient(app)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def url_of(path: str) -> str:
    """The server URL that answers with the export's file at `path`."""
    return "/" + path.removesuffix("index.html")


def test_every_exported_file_is_byte_for_byte_what_the_server_answers(
    export: Path, client: TestClient
) -> None:
    files = {path: body for path, body in tree(export).items()
             if not path.endswith((".br", ".gz")) and path not in ("manifest.json", "404.html")}
    assert len([p for p in files if p.startswith("api/v1/terms/")]) >= 120
    for path, body in files.items():
        response = client.get(url_of(path), headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, path
        assert response.content == body, path


def test_export_has_the_documented_layout(export: Path) -> None:
    manifest = json.loads((export / "manifest.json").read_bytes())
    pinned = manifest["widget"]["pinned"]
    for path in (
        "widget.js", pinned, "api/v1/categories.json", "api/v1/terms.json",
        "api/v1/terms/physical-therapy.json", "api/v1/index/healthcare.json",
        "glossary/index.html", "glossary/physical-therapy/index.html",
        "snippets/physical-therapy.html",
    ):
        assert (export / path).is_file(), path
    assert any(p.name.startswith("glossary.") for p in (export / "static").glob("*.css"))
    assert (export / pinned).read_bytes() == (export / "widget.js").read_bytes()
    assert manifest["widget"]["integrity"] == integrity((export / "widget.js").read_bytes())
    assert manifest["counts"]["terms"] == len(list((export / "api/v1/terms").glob("*.json")))
    listed = manifest["files"]["api/v1/terms.json"]
    assert listed["bytes"] == (export / "api/v1/terms.json").stat().st_size


def test_text_files_are_precompressed_and_decompress_to_the_original(export: Path) -> None:
    for name in ("widget.js", "api/v1/index/healthcare.json", "glossary/index.html"):
        original = (export / name).read_bytes()
        assert brotli.decompress((export / f"{name}.br").read_bytes()) == original
        assert gzip.decompress((export / f"{name}.gz").read_bytes()) == original


def test_widget_fits_its_size_budget(export: Path) -> None:
    widget = (export / "widget.js").read_bytes()
    size = len(brotli.compress(widget, quality=11))
    assert size <= WIDGET_BUDGET_BROTLI, f"widget.js is {size} bytes brotli"
    assert len((export / "widget.js.br").read_bytes()) == size


def test_two_builds_are_identical(tmp_path: Path) -> None:
    build_site(FIXTURES / "glossary", tmp_path / "one")
    build_site(FIXTURES / "glossary", tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_rebuild_replaces_the_previous_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _copy_glossary(FIXTURES / "glossary", data)
    build_site(data, tmp_path / "site")
    (data / "terms" / "tax.md").unlink()
    build_site(data, tmp_path / "site")
    assert not (tmp_path / "site" / "api/v1/terms/tax.json").exists()
    assert (tmp_path / "site" / "api/v1/terms/premium.json").exists()


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

    result = CliRunner().invoke(
        main, ["build", "--data", str(FIXTURES / "glossary"), "--out", str(out)]
    )

    assert result.exit_code == 1
    assert "not empty" in result.output
    assert (out / "thesis.txt").read_text() == "precious"


def test_build_prints_a_summary_with_the_widget_size(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", "--data", str(FIXTURES / "glossary"), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    assert "files" in result.output and "bytes brotli" in result.output
    assert "widget.js" in result.output

    quiet = CliRunner().invoke(
        main, ["build", "--quiet", "--data", str(FIXTURES / "glossary"), "--out", str(tmp_path / "site")]
    )
    assert quiet.exit_code == 0 and quiet.output == ""


def test_embed_prints_stable_and_pinned_tags(client: TestClient) -> None:
    stable = CliRunner().invoke(main, ["embed", "--categories", "healthcare,insurance",
                                       "--base-url", "https://glossary.example.org"])
    assert stable.output.strip() == (
        '<script src="https://glossary.example.org/widget.js" '
        'data-categories="healthcare,insurance" defer></script>'
    )
    pinned = CliRunner().invoke(main, ["embed", "--pinned", "--base-url", "https://g.example/"])
    widget = client.app.state.site.assets  # type: ignore[attr-defined]
    assert f'src="https://g.example/{widget.widget}"' in pinned.output
    assert f'integrity="{integrity(widget.files[widget.widget])}"' in pinned.output
    assert 'crossorigin="anonymous"' in pinned.output

    unknown = CliRunner().invoke(main, ["embed", "--categories", "helthcare"])
    assert unknown.exit_code == 2 and "helthcare" in unknown.output


def _copy_glossary(source: Path, target: Path) -> None:
    (target / "terms").mkdir(parents=True)
    (target / "categories.yml").write_bytes((source / "categories.yml").read_bytes())
    for term in (source / "terms").glob("*.md"):
        (target / "terms" / term.name).write_bytes(term.read_bytes())
