"""Reading a request body with a hard size limit, without ever holding more than the limit."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

from widget_server.headers import request_number


class BodyTooLarge(Exception):
    """The body is over the limit (a 413)."""


class BadBody(Exception):
    """The Content-Length header is not a number, or the client went away before the body
    ended (a 400, which a client that is gone never reads: the server's log stays clean)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or BodyTooLarge as soon as it is known to exceed `limit` bytes.

    A declared Content-Length is checked before a byte is read; a chunked body is counted as it
    streams in and dropped at the first chunk past the limit, so a client cannot make the
    server buffer more than `limit` bytes however much it sends.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadBody("Content-Length is not a number")
        if request_number(declared) > limit:
            raise BodyTooLarge(f"body over {limit} bytes")
    body = bytearray()
    try:
        async for chunk in request.stream():
            if len(body) + len(chunk) > limit:
                raise BodyTooLarge(f"body over {limit} bytes")
            body += chunk
    except ClientDisconnect:
        raise BadBody("the body ended early: the client went away") from None
    return bytes(body)
