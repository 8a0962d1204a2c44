"""The JSON error answer every part of the server gives: `{"error": "..."}` with a 4xx status."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error any page may read: API errors reach partner pages on other origins."""
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )
