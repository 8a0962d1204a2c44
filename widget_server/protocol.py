"""uvicorn's HTTP protocol, with TCP_NODELAY on every connection and limits on the request line
and the headers.

With `serve --workers N`, uvicorn hands each worker process a socket rebuilt from a file
descriptor; asyncio does not recognise it as TCP and leaves Nagle's algorithm on, which adds
about 40 ms to every keep-alive response. Setting the option here gives the workers the latency
of a single process.

uvicorn's httptools protocol keeps the request target and the headers in memory however long
they are (a 2 MB header was read whole); h11's size option does not apply to it. The limits
(limits.py) are counted here as the parser hands the bytes over, and a request over one is
answered 414 or 431 and its connection closed before the rest is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from widget_server.limits import MAX_HEADER_BYTES, MAX_HEADERS, MAX_REQUEST_TARGET_BYTES


class RequestTooLarge(Exception):
    """Raised from a parser callback; httptools reports it as a malformed request."""


class GlossaryHttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._refusal: tuple[int, str] | None = None
        self._header_bytes = 0
        super().connection_made(transport)

    def on_message_begin(self) -> None:
        self._header_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_REQUEST_TARGET_BYTES:
            self._refuse(414, f"request target longer than {MAX_REQUEST_TARGET_BYTES} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(431, f"request headers longer than {MAX_HEADER_BYTES} bytes in all")
        if len(self.headers) >= MAX_HEADERS:
            self._refuse(431, f"more than {MAX_HEADERS} request headers")
        super().on_header(name, value)

    def _refuse(self, status: int, message: str) -> None:
        self._refusal = (status, message)
        raise RequestTooLarge(message)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request the parser refused, as JSON like every other error: a
        limit's own status, else 400."""
        status, message = self._refusal or (400, "malformed HTTP request")
        self._refusal = None
        body = json.dumps({"error": message}).encode()
        head = [f"HTTP/1.1 {status} {_REASONS[status]}".encode()]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [
            b"content-type: application/json",
            b"content-length: " + str(len(body)).encode(),
            b"x-content-type-options: nosniff",
            b"access-control-allow-origin: *",  # readable by a partner page, as every error is
            b"cache-control: no-store",
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()


_REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large"}
