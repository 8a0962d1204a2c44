"""nginx for the tests, run with a server block of examples/deploy/ as a site would include it."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import free_port, wait_for_http
from tests.support.tools import debian_tool


@contextlib.contextmanager
def running_nginx(server: str, folder: Path, modules: str = "") -> Iterator[tuple[str, int]]:
    """nginx in the foreground with `server` (a `server {}` block; its `listen 80;` is moved to
    a free loopback port) in `folder`: (host, port) while it runs. `modules`: load_module lines."""
    # `make test` installs it (Makefile: test-tools).
    binary, how = debian_tool("nginx", "nginx", install=False)
    if binary is None:
        pytest.fail(how)
    port = free_port()
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    # As root, nginx runs its workers as `nobody`, who may not enter pytest's private temp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # the built-in ones are root's
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in kinds)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{modules}{user}daemon off; pid {folder / 'nginx.pid'}; events {{}}\n"
        f"http {{ access_log off; {temp}\n{server}\n}}\n"
    )
    log = folder / "error.log"
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf), "-e", str(log)])
    try:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/widget.js", timeout=10)
        except AssertionError:
            pytest.fail(f"nginx did not start: {log.read_text() if log.exists() else ''}")
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=10)
