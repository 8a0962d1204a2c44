"""Request size limits: the request line and headers (protocol.py) and bodies (limits.py), on
a real server, where a 100 MB body must never be read into memory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, LiveServer, free_port
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.support.server import wait_for_http
from widget_server.app import create_app
from widget_server.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_REQUEST_TARGET_BYTES, BodyLimit
from widget_server.protocol import GlossaryHttpProtocol

HUNDRED_MB = 100 * 1024 * 1024
CHUNK = 64 * 1024
# What a server may grow by while a 100 MB body is sent to it: far less than the body.
MEMORY_SLACK = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """`glossary-widget serve` in a process of its own, so that its memory can be read: (port, pid).
    Its state in a folder of the test's: the default is beside the glossary, in the checkout."""
    port = free_port()
    state = tmp_path_factory.mktemp("state")
    command = ["serve", "--data", str(FIXTURES / "glossary"), "--state", str(state), "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "widget_server", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


async def echo_length(request: Request) -> Response:
    return JSONResponse({"bytes": len(await request.body())})


def reading_app() -> Starlette:
    """An endpoint that reads its whole body, behind the guard: what a write endpoint does."""
    return Starlette(routes=[Route("/echo", echo_length, methods=["POST"])], middleware=[Middleware(BodyLimit)])


@pytest.fixture(scope="module")
def reading_server() -> Iterator[LiveServer]:
    with LiveServer(reading_app(), http=GlossaryHttpProtocol) as server:
        yield server


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` whole, read the answer until the server closes: status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        return read_answer(connection)


def read_answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    answer = b""
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass  # closed with the rest of the request unread; the answer came first
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


class BodySender(threading.Thread):
    """Sends up to `total` body bytes (chunked or not) until the server stops taking them."""

    def __init__(self, connection: socket.socket, total: int, chunked: bool) -> None:
        super().__init__(daemon=True)
        self.connection, self.total, self.chunked = connection, total, chunked
        self.sent = 0

    def run(self) -> None:
        piece = b"x" * CHUNK
        framed = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n" if self.chunked else piece
        try:
            while self.sent < self.total:
                self.connection.sendall(framed)
                self.sent += CHUNK
            if self.chunked:
                self.connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what it should do


def post_head(path: str, length: int | None) -> bytes:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{framing}\r\n\r\n".encode()


def test_a_100_mb_body_with_its_length_is_refused_before_a_byte_of_it_is_sent(
    served: tuple[int, int],
) -> None:
    port, pid = served
    before = resident_bytes(pid)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        started = time.monotonic()
        connection.sendall(post_head("/api/v1/terms.json", HUNDRED_MB))
        sender = BodySender(connection, HUNDRED_MB, chunked=False)
        status, headers, body = read_answer(connection)
        answered = time.monotonic() - started
        sender.start()  # the body, after the answer: the connection is closed
        sender.join(timeout=30)

    assert status == 413 and answered < 5
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert str(MAX_BODY_BYTES) in json.loads(body)["error"]
    assert sender.sent < HUNDRED_MB // 4
    assert resident_bytes(pid) - before < MEMORY_SLACK


def post_100_mb_chunked(port: int, path: str) -> tuple[int, dict[str, str], bytes, int]:
    """POST a chunked 100 MB body while reading the answer: status, headers, body, bytes sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(post_head(path, None))
        sender = BodySender(connection, HUNDRED_MB, chunked=True)
        sender.start()
        status, headers, body = read_answer(connection)
        sender.join(timeout=30)
    return status, headers, body, sender.sent


def test_a_100_mb_chunked_body_to_a_read_only_path_is_never_read(served: tuple[int, int]) -> None:
    """The API takes no body: it answers at once, and past the limit the connection is closed,
    so the rest of the body is not read, not even to be dropped."""
    port, pid = served
    before = resident_bytes(pid)

    status, headers, body, sent = post_100_mb_chunked(port, "/api/v1/terms.json")

    assert status == 405 and headers["connection"] == "close"
    assert "error" in json.loads(body)
    assert sent < HUNDRED_MB // 4
    assert resident_bytes(pid) - before < MEMORY_SLACK


def test_a_100_mb_chunked_body_is_counted_as_it_arrives_and_refused(
    reading_server: LiveServer,
) -> None:
    """An endpoint that reads its body gets at most the limit: the guard answers 413 then."""
    before = resident_bytes(os.getpid())

    status, headers, body, sent = post_100_mb_chunked(reading_server.port, "/echo")

    assert status == 413 and headers["connection"] == "close"
    assert "the body is over" in json.loads(body)["error"]
    assert sent < HUNDRED_MB // 4
    assert resident_bytes(os.getpid()) - before < MEMORY_SLACK


@pytest.mark.parametrize(("path", "length"), [("/api/v1/terms.json", MAX_BODY_BYTES), ("/api/v1/annotate", 200_000)])
def test_a_body_within_the_limit_that_is_not_wanted_is_read_before_the_answer(
    served: tuple[int, int], path: str, length: int
) -> None:
    """A 405 (a POST to the API's files) or a 415 (annotate of a JSON body) follows the whole
    request and keeps the connection: a reverse proxy still sending the body when the connection
    closed would answer 502 Bad Gateway (nginx did, one time in three) in place of the answer."""
    port, _ = served
    then = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(post_head(path, length) + b"x" * length + then)
        answers = b""
        while chunk := connection.recv(65536):
            answers += chunk

    first, _, second = answers.partition(b"HTTP/1.1 200")
    assert first.split()[1] in (b"405", b"415")
    assert b"connection: close" not in first.lower()
    assert b'"status":"ok"' in second


def test_a_client_waiting_for_100_continue_gets_the_early_answer_at_once(served: tuple[int, int]) -> None:
    """It has sent none of the body, and sends none after a final answer: nothing to read first."""
    port, _ = served
    head = post_head("/api/v1/terms.json", 1_000).replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n")

    with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
        connection.sendall(head)
        status, headers, _ = read_answer(connection)

    assert status == 405 and headers["connection"] == "close"


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_within_the_limit_is_read_whole(reading_server: LiveServer, chunked: bool) -> None:
    body = b"x" * MAX_BODY_BYTES
    if chunked:
        request = post_head("/echo", None) + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        request = post_head("/echo", len(body)) + body
    request = request.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")

    status, _, answer = exchange(reading_server.port, request)

    assert (status, json.loads(answer)) == (200, {"bytes": MAX_BODY_BYTES})


def test_the_guard_counts_a_streamed_body_in_the_app_too() -> None:
    """Through Starlette's TestClient (no server): a body without a length, one byte over."""
    client = TestClient(reading_app())

    def body() -> Iterator[bytes]:
        yield b"x" * MAX_BODY_BYTES
        yield b"x"

    response = client.post("/echo", content=body())

    assert response.status_code == 413 and "error" in response.json()
    assert client.post("/echo", content=b"x" * 10).json() == {"bytes": 10}


def test_the_app_refuses_a_body_over_the_limit_on_any_path(tmp_path: Path) -> None:
    client = TestClient(create_app(FIXTURES / "glossary"))

    for path in ("/api/v1/terms.json", "/glossary/", "/widget.js", "/nothing"):
        response = client.post(path, content=b"x" * (MAX_BODY_BYTES + 1))
        assert response.status_code == 413, path
        assert response.headers["access-control-allow-origin"] == "*"
        assert "error" in response.json()


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (
            b"GET /api/v1/terms.json?" + b"q" * MAX_REQUEST_TARGET_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            414,
            "request target",
        ),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_HEADER_BYTES + b"\r\n\r\n", 431, "headers longer"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 1\r\n" * MAX_HEADERS + b"\r\n", 431, "request headers"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2_000_000 + b"\r\n\r\n", 431, "headers longer"),
        (b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400, "malformed"),
    ],
)
def test_request_line_and_headers_over_their_limits_are_refused_with_json(
    served: tuple[int, int], request_bytes: bytes, status: int, message: str
) -> None:
    answer_status, headers, body = exchange(served[0], request_bytes)

    assert answer_status == status
    assert headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert headers["access-control-allow-origin"] == "*" and headers["cache-control"] == "no-store"
    assert message in json.loads(body)["error"]


def test_requests_just_within_the_limits_are_answered(served: tuple[int, int]) -> None:
    target = b"/healthz?" + b"q" * (MAX_REQUEST_TARGET_BYTES - len(b"/healthz?"))
    headers = b"X-Many: 1\r\n" * (MAX_HEADERS - 3) + b"X-Big: " + b"a" * (MAX_HEADER_BYTES - 2000)
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n\r\n"

    status, _, body = exchange(served[0], request)

    assert status == 200 and json.loads(body)["status"] == "ok"
