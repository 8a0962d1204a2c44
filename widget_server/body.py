"""Reading a request body with a hard size limit, without ever holding more than the limit."""

from __future__ import annotations

from starlette.requests import Request


class BodyTooLarge(Exception):
    """The body is over the limit (a 413)."""


class BadLength(Exception):
    """The Content-Length header is not a number (a 400)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or BodyTooLarge as soon as it is known to exceed `limit` bytes.

    A declared Content-Length is checked before a byte is read; a chunked body is counted as it
    streams in and dropped at the first chunk past the limit, so a client cannot make the
    server buffer more than `limit` bytes however much it sends.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadLength("Content-Length is not a number")
        if int(declared) > limit:
            raise BodyTooLarge(f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            raise BodyTooLarge(f"body over {limit} bytes")
        body += chunk
    return bytes(body)
