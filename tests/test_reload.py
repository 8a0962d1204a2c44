"""Reloading: a good edit swaps the snapshot, a bad one keeps the last good one and is logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from widget_server.app import create_app
from widget_server.content import load_glossary
from widget_server.model import GlossaryInvalid
from widget_server.snapshot import LiveSite

CATEGORIES = "- slug: finance\n  label: Finance\n  description: Money matters.\n"


def term(title: str, definition: str = "What it is.", fields: str = "") -> str:
    return (
        f"---\ntitle: {title}\ncategories: [finance]\n{fields}updated: 2024-05-01\n---\n"
        f"## Definition\n\n{definition}\n\n## Misuse\n\nHow it is abused.\n"
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "terms").mkdir(parents=True)
    (root / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    (root / "terms" / "alpha.md").write_text(term("Alpha"), encoding="utf-8")
    return root


@pytest.fixture
def app(data: Path, tmp_path: Path) -> Starlette:
    return create_app(data)


def site_of(app: Starlette) -> LiveSite:
    site = app.state.site
    assert isinstance(site, LiveSite)
    return site


def slugs(client: TestClient) -> list[str]:
    return [t["slug"] for t in client.get("/api/v1/terms.json").json()["terms"]]


def test_good_edit_swaps_the_snapshot(app: Starlette, data: Path) -> None:
    client = TestClient(app)
    old_etag = client.get("/api/v1/terms.json").headers["etag"]
    (data / "terms" / "beta.md").write_text(term("Beta", fields="related: [alpha]\n"), "utf-8")

    assert site_of(app).reload() is True

    assert slugs(client) == ["alpha", "beta"]
    beta = client.get("/api/v1/terms/beta.json")
    assert beta.status_code == 200
    assert beta.json()["related"] == [{"slug": "alpha", "title": "Alpha"}]
    assert client.get("/glossary/beta/").status_code == 200
    assert client.get("/api/v1/categories.json").json()["categories"][0]["count"] == 2
    assert client.get("/healthz").json()["terms"] == 2
    new = client.get("/api/v1/terms.json")
    assert new.headers["etag"] != old_etag
    # A client holding the old tag gets the new document.
    assert client.get("/api/v1/terms.json", headers={"If-None-Match": old_etag}).status_code == 200


def test_removed_term_disappears(app: Starlette, data: Path) -> None:
    client = TestClient(app)
    (data / "terms" / "beta.md").write_text(term("Beta"), "utf-8")
    site_of(app).reload()
    (data / "terms" / "beta.md").unlink()

    assert site_of(app).reload() is True

    assert slugs(client) == ["alpha"]
    assert client.get("/api/v1/terms/beta.json").status_code == 404
    assert client.get("/glossary/beta/").status_code == 404


def test_bad_edit_keeps_the_last_good_snapshot(app: Starlette, data: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(app)
    before = client.get("/api/v1/terms/alpha.json")
    snapshot = site_of(app).snapshot
    (data / "terms" / "alpha.md").write_text(term("Alpha", "Changed.", fields="categories_typo: [x]\n"), "utf-8")
    beta = term("Beta").replace("[finance]", "[helthcare]")
    (data / "terms" / "beta.md").write_text(beta, "utf-8")

    with caplog.at_level(logging.ERROR, logger="widget_server"):
        assert site_of(app).reload() is False

    assert site_of(app).snapshot is snapshot
    after = client.get("/api/v1/terms/alpha.json")
    assert after.status_code == 200
    assert after.content == before.content
    assert after.headers["etag"] == before.headers["etag"]
    assert slugs(client) == ["alpha"]
    assert client.get("/api/v1/terms/beta.json").status_code == 404
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert "still serving the last good version" in logged
    assert f"{data / 'terms' / 'alpha.md'}:4: unknown field 'categories_typo'" in logged
    assert f"{data / 'terms' / 'beta.md'}:3: unknown category 'helthcare'" in logged


def test_fixing_a_bad_edit_is_picked_up(app: Starlette, data: Path) -> None:
    client = TestClient(app)
    (data / "terms" / "alpha.md").write_text("not a term file", "utf-8")
    assert site_of(app).reload() is False
    assert client.get("/api/v1/terms/alpha.json").json()["definition"] == "What it is."

    (data / "terms" / "alpha.md").write_text(term("Alpha", "Fixed."), "utf-8")

    assert site_of(app).reload() is True
    assert client.get("/api/v1/terms/alpha.json").json()["definition"] == "Fixed."


def test_invalid_glossary_at_start_raises(data: Path, tmp_path: Path) -> None:
    (data / "terms" / "alpha.md").write_text("no front matter", "utf-8")

    with pytest.raises(GlossaryInvalid, match="alpha.md:1: missing YAML front matter"):
        create_app(data)


def wait_for(condition: Callable[[], bool], seconds: float = 6.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def edit_until(path: Path, text: str, condition: Callable[[], bool], seconds: float = 6.0) -> bool:
    """Writes `text` to `path` again every half second until `condition` holds: the watcher
    starts in the background, and an edit made before it watches is never seen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path.write_text(text, "utf-8")
        if wait_for(condition, 0.5):
            return True
    return False


def test_watcher_reloads_on_file_change(data: Path, tmp_path: Path) -> None:
    app = create_app(data, reload=True)

    with TestClient(app) as client:  # runs the lifespan, which starts the watcher
        assert client.get("/api/v1/terms/alpha.json").json()["definition"] == "What it is."

        def edited() -> bool:
            return client.get("/api/v1/terms/alpha.json").json()["definition"] == "Edited on disk."

        alpha = data / "terms" / "alpha.md"
        assert edit_until(alpha, term("Alpha", "Edited on disk."), edited), (
            "the watcher did not pick up the edit within 6 s"
        )


def test_watcher_survives_an_unexpected_error(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A file vanishing mid-read (a `git checkout`) is not a content error, but must not end the
    watcher: it is logged, the last good version stays, and the next edit is picked up."""
    app = create_app(data, reload=True)
    real_load = load_glossary

    def vanished(data_dir: Path) -> None:
        raise FileNotFoundError(data_dir / "terms" / "alpha.md")

    alpha = data / "terms" / "alpha.md"
    with TestClient(app) as client, caplog.at_level(logging.ERROR, logger="widget_server"):
        monkeypatch.setattr("widget_server.snapshot.load_glossary", vanished)
        logged = edit_until(alpha, term("Alpha", "First edit."), lambda: any(r.exc_info for r in caplog.records))
        assert logged, "the error was not logged"
        assert client.get("/api/v1/terms/alpha.json").json()["definition"] == "What it is."

        monkeypatch.setattr("widget_server.snapshot.load_glossary", real_load)

        def edited() -> bool:
            return client.get("/api/v1/terms/alpha.json").json()["definition"] == "Second edit."

        assert edit_until(alpha, term("Alpha", "Second edit."), edited), "the watcher stopped after the error"
    assert "still serving the last good version" in caplog.text
