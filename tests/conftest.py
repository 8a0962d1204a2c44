"""Shared fixtures: a Chromium that runs here, and live servers for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

from widget_server.app import create_app

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_DATA = ROOT / "glossary_data"
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALWORLD_PAGES = ROOT.parent / "shared" / "realworld-pages"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_chromium() -> Path | None:
    """Playwright's own Chromium, where `playwright install chromium` could download it."""
    default = Path.home() / ".cache" / "ms-playwright"
    browsers = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", default))
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/chrome-linux*/headless_shell",
    ):
        found = sorted(browsers.glob(pattern))
        if found:
            return found[-1]
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if playwright_chromium() is None:
        system = shutil.which("chromium") or shutil.which("chromium-browser")
        if system is None:
            pytest.exit("No Chromium: run `make test`, which installs one.", returncode=1)
        args["executable_path"] = system
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A real uvicorn server on loopback, in a thread, for the browser tests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def glossary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The bundled glossary with the example partner pages at /examples/."""
    app = create_app(
        GLOSSARY_DATA, examples_dir=EXAMPLES, assets_dir=tmp_path_factory.mktemp("assets")
    )
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def fixture_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small glossary made for the matching tests, with the fixture pages at /examples/."""
    app = create_app(
        FIXTURES / "glossary",
        examples_dir=FIXTURES / "pages",
        assets_dir=tmp_path_factory.mktemp("assets"),
    )
    with LiveServer(app) as server:
        yield server
