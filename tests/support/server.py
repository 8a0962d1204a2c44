"""A live server for the tests and the benchmarks: a real uvicorn on loopback, in a thread, at a
free port; waiting for something with a deadline that fails loudly rather than hangs; and the
scope a server hands an ASGI app, for tests that call the app with exact bytes or messages."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import uvicorn
from starlette.types import ASGIApp

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], T], what: str, timeout: float = 10.0, every: float = 0.05) -> T:
    """The first true value `check()` gives, polling every `every` s; past `timeout` s, an
    AssertionError that says what was awaited and what was seen last. For what no event or
    Playwright clock can tell: a beacon landing in the database, a server's first answer."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s (last: {value!r})")
        time.sleep(every)
    return value


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    """Waits until `url` answers (any status), so that a test or a load run never starts against
    a server that is still importing."""

    def answers() -> bool:
        try:
            urllib.request.urlopen(url, timeout=1).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    wait_until(answers, f"{url} answering", timeout)


class LiveServer:
    """A real uvicorn server on loopback, in a thread: the tests' and the benchmarks' server."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        """`options`: more of uvicorn's settings, such as the `http` protocol."""
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def http_scope(
    method: str, raw_path: bytes, headers: list[tuple[bytes, bytes]], query: bytes = b"", decode: str = "replace"
) -> dict[str, Any]:
    """The HTTP scope of a request as a server hands it to the app: `path` percent-decoded, then
    UTF-8 decoded with `decode` errors (uvicorn replaces; a server may also keep the bytes as
    surrogates)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "root_path": "",
        "raw_path": raw_path,
        "query_string": query,
        "path": unquote_to_bytes(raw_path).decode("utf-8", decode),
        "headers": headers,
    }
