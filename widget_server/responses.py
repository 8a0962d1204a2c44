"""The API's error answer, shared by the read and the write endpoints."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """`{"error": message}`, readable cross-origin like every API answer."""
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )
