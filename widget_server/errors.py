"""The JSON error answer every part of the server gives: `{"error": "..."}` with a 4xx status."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error any page may read: API errors reach partner pages on other origins. Not stored
    by a cache (RFC 9111 lets one keep a 404 or a 405 without being told): the term asked for
    may be published a minute later. Retry-After, where given, is readable by a page's script
    too."""
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            **({"Access-Control-Expose-Headers": "Retry-After"} if headers and "Retry-After" in headers else {}),
            **(headers or {}),
        },
    )
