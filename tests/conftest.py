"""Shared fixtures: a Chromium that runs here, and live servers for browser tests."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# The benchmarks measure in the same browser and with the same loopback server as the tests.
from tests.support.chromium import chromium_launch_args
from tests.support.postgres import PostgresCluster
from tests.support.server import LiveServer, free_port
from widget_server.app import create_app

__all__ = ["LiveServer", "free_port"]  # imported by the test modules from here

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DATA = ROOT / "glossary_data"
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def find_realworld_pages() -> Path:
    """The shared real-world article pages: `../shared/realworld-pages` beside the checkout (they
    are never copied into it). A clone made elsewhere from a local checkout finds them beside that
    one, and GLOSSARY_REALWORLD_PAGES names any other folder."""
    if named := os.environ.get("GLOSSARY_REALWORLD_PAGES"):
        return Path(named)
    checkouts = [ROOT]
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        checkouts.append(Path(origin).resolve())
    for checkout in checkouts:
        pages = checkout.parent / "shared" / "realworld-pages"
        if pages.is_dir():
            return pages
    return ROOT.parent / "shared" / "realworld-pages"


REALWORLD_PAGES = find_realworld_pages()

# The property tests (new's titles, the loader fuzz, schemathesis): `make test` runs the same
# bounded examples every time, so that it cannot fail by chance; `make fuzz` runs many more, new
# ones each time (`--hypothesis-profile=fuzz`).
settings.register_profile("test", max_examples=100, deadline=None, derandomize=True)
settings.register_profile("fuzz", max_examples=3000, deadline=None)
settings.load_profile("test")


# A test that uses any of these, directly or through its fixtures, runs Chromium.
BROWSER_FIXTURES = {"browser", "context", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that runs Chromium is marked `browser`, by what it uses rather than by hand:
    `pytest -m "not browser"` is then the fast loop, and no browser test can slip into it."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Playwright's own Chromium where it is installed, else the system's (see the Makefile)."""
    return {**browser_type_launch_args, **chromium_launch_args()}


@pytest.fixture(scope="session")
def glossary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The bundled glossary with the example partner pages at /examples/."""
    app = create_app(GLOSSARY_DATA, examples_dir=EXAMPLES)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small glossary made for the matching tests, with the fixture pages at /examples/."""
    app = create_app(
        FIXTURES / "glossary",
        examples_dir=FIXTURES / "pages",
    )
    with LiveServer(app) as server:
        yield server


STORES = ["sqlite", "postgresql"]
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A real PostgreSQL server for the session, deleted at the end (see tests/support/postgres.py)."""
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(params=STORES)
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """A new, empty feedback store of each kind: create_app's `state_dir` or `database_url`."""
    return new_store(request, request.param, tmp_path)


def new_store(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> dict[str, Any]:
    """A new, empty feedback store of `kind` (one of STORES) as create_app's settings; the
    PostgreSQL one is a database of its own in the session's cluster."""
    if kind == "sqlite":
        return {"state_dir": tmp_path / "state", "database_url": None}
    cluster = request.getfixturevalue("postgres")
    return {"state_dir": None, "database_url": cluster.create_database(f"test_{next(_databases)}")}
