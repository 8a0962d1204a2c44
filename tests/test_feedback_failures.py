"""Durability and failure of the write path, against both stores: a server killed with SIGKILL in
the middle of a load of posts has every acknowledged write, and a store that stops answering
costs 503s on writes only, until it is back."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, LiveServer, free_port

from tests.support.postgres import PostgresCluster
from widget_server.app import create_app
from widget_server.store import SQLITE_FILE, open_store

GLOSSARY = FIXTURES / "glossary"
OPEN = json.dumps({"event": "open", "term": "premium"})
VOTE = json.dumps({"term": "premium", "helpful": True})


def total(settings: dict[str, Any], column: str = "opens") -> int:
    store = open_store(**settings)
    try:
        return int(store.query(f"SELECT COALESCE(SUM({column}), 0) FROM term_day")[0][0])
    finally:
        store.close()


def post(port: int, path: str, body: str, reader: str, timeout: float = 30) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "text/plain", "User-Agent": reader})
        return connection.getresponse().status
    finally:
        connection.close()


def serve(settings: dict[str, Any], port: int) -> subprocess.Popen[bytes]:
    store = (
        ["--database-url", settings["database_url"]]
        if settings["database_url"]
        else ["--state", str(settings["state_dir"])]
    )
    command = [sys.executable, "-m", "widget_server", "serve", "--data", str(GLOSSARY), "--port", str(port), *store]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(OSError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            return process
        assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
        time.sleep(0.05)


def test_no_acknowledged_write_is_lost_when_the_server_is_killed(store_settings: dict[str, Any]) -> None:
    """kill -9 while 8 clients post as fast as they can, then count what the store holds."""
    port = free_port()
    process = serve(store_settings, port)
    acknowledged, sent, stop = [0] * 8, [0] * 8, threading.Event()

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            sent[index] += 1
            try:
                # One User-Agent per post: each is a new reader, so none is rate-limited.
                connection.request(
                    "POST",
                    "/api/v1/events",
                    OPEN,
                    {"Content-Type": "text/plain", "User-Agent": f"r{index}-{sent[index]}"},
                )
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if status == 204:
                acknowledged[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while sum(acknowledged) < 400:
            assert time.monotonic() < deadline, "the load did not get going"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        if process.poll() is None:
            process.kill()

    stored = total(store_settings)
    # Every 204 is there; a write can be in the store without its answer having reached the client.
    assert sum(acknowledged) <= stored <= sum(sent)


@pytest.fixture(params=["sqlite", "postgresql"])
def outage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, Any], Callable[[], None], Callable[[], None]]]:
    """(store settings, make the store unavailable, bring it back), for each kind of store.

    PostgreSQL is stopped (a cluster of the test's own: the session's is shared). SQLite cannot
    be stopped; what makes it refuse writes is another process holding its write lock.
    """
    if request.param == "postgresql":
        with PostgresCluster() as cluster:
            yield {"state_dir": None, "database_url": cluster.url()}, cluster.stop, cluster.start
        return
    settings = {"state_dir": tmp_path, "database_url": None}
    locker: list[sqlite3.Connection] = []

    def lock() -> None:
        connection = sqlite3.connect(tmp_path / SQLITE_FILE, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN EXCLUSIVE")
        locker.append(connection)

    def unlock() -> None:
        locker.pop().rollback()

    yield settings, lock, unlock


def test_a_store_outage_costs_503_on_writes_only_until_it_is_back(
    outage: tuple[dict[str, Any], Callable[[], None], Callable[[], None]], tmp_path: Path
) -> None:
    settings, stop_store, start_store = outage
    app = create_app(GLOSSARY, **settings)
    with LiveServer(app) as server:
        assert post(server.port, "/api/v1/feedback", VOTE, "before") == 204
        stop_store()

        # A write waits for the store (up to its time-out) while reads go on being answered.
        pending: list[int] = []
        writer = threading.Thread(target=lambda: pending.append(post(server.port, "/api/v1/events", OPEN, "during")))
        writer.start()
        for path in ["/api/v1/terms.json", "/glossary/premium/", "/widget.js", "/healthz"]:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", path)
            assert connection.getresponse().status == 200, path
        writer.join(timeout=30)
        answer = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        answer.request("POST", "/api/v1/feedback", VOTE, {"User-Agent": "during 2"})
        refused = answer.getresponse()

        assert pending == [503]
        assert refused.status == 503 and refused.getheader("Retry-After") == "5"
        assert "not being stored" in json.loads(refused.read())["error"]

        start_store()
        deadline = time.monotonic() + 60
        while post(server.port, "/api/v1/events", OPEN, f"after {time.monotonic()}") != 204:
            assert time.monotonic() < deadline, "writes did not resume once the store was back"
            time.sleep(0.2)
        # The refused vote, sent again, counts: refusing it must not have marked it as counted.
        assert post(server.port, "/api/v1/feedback", VOTE, "during 2") == 204
    assert total(settings) == 1  # only the write after the outage; the refused ones left nothing
    assert total(settings, "helpful_yes") == 2
