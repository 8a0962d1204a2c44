"""How large a request may be, and the guard that answers 413 before a large body is read.

The request line and the headers are limited where uvicorn parses them (protocol.py); a body
here, for every route: one whose Content-Length is over the limit is answered at once, and a
body sent without one (chunked) is counted as it arrives and refused once it passes the limit.
Either way the connection is closed rather than the rest of the body read. A body within the
limit that the app answers without reading is read to its end first (see `drained`). The
endpoints that take a body have limits of their own, given here by path.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from widget_server.errors import json_error
from widget_server.headers import request_number

# As nginx's defaults (large_client_header_buffers 4 8k): one 8 KiB request target, 32 KiB of
# headers in all. A page of ours never sends a cookie, nor needs more.
MAX_REQUEST_TARGET_BYTES = 8 * 1024
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
# As much as uvicorn reads ahead of an app anyway before it stops reading (its HIGH_WATER_LIMIT).
MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """Raised by the guard's `receive` once a streamed body passes the limit."""


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` gets a 413 JSON answer, never memory."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # The paths of endpoints with a limit of their own, more or less: the answer names the
        # limit that applies, and a smaller body is refused before it is read.
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _announced_body(scope["headers"])
        if length is None and not chunked:  # no body: a GET, as nearly every request is
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.max_bytes)
        if length is not None and length > limit:
            await self._refuse(scope, receive, send, limit)
            return
        # A client that waits for `100 Continue` has sent none of the body: an early answer is
        # what it asks for, and the body is never sent.
        waiting = (b"expect", b"100-continue") in ((name, value.lower()) for name, value in scope["headers"])
        await self._guarded(scope, receive, send, limit, complete=length == 0 and not chunked, drain=not waiting)

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, limit: int, complete: bool, drain: bool
    ) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received, complete
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > limit:
                    raise BodyTooLarge
            elif message["type"] == "http.disconnect":
                complete = True  # the client went away: nothing more of the body will come
            return message

        async def draining_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not complete and not (drain and await drained()):
                    # Over the limit, or never sent: close the connection rather than read and
                    # drop the rest.
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        async def drained() -> bool:
            """Reads the rest of a body the app answered without (a 405, a 415), up to the limit,
            so that the answer follows the whole request: a reverse proxy still sending it when
            the connection closed would answer 502 Bad Gateway instead."""
            try:
                while not complete:
                    await counting_receive()
            except BodyTooLarge:
                return False
            return True

        try:
            await self.app(scope, counting_receive, draining_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = json_error(
            413,
            f"the body is over {limit} bytes",
            {"Connection": "close"},  # the rest of the body is never read
        )
        await response(scope, receive, send)


def _announced_body(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """The body length the request announces (None without a Content-Length), and whether the
    body is chunked, which is counted as it arrives. (uvicorn refuses a Content-Length that is
    not a number; one that reaches here anyway is counted like a chunked body.)"""
    length: int | None = None
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            if value.strip().isdigit():
                length = request_number(value.strip().decode())
            else:
                chunked = True
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked
