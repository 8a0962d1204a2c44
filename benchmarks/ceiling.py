"""The framework's ceiling for the server benchmark: a bare Starlette app that answers each
path with a constant body of the size our server sends for it, and the same headers (its
content type, cache, CORS, ETag, encoding...), started by uvicorn exactly as
`glossary-widget serve` starts the real app (same host, log level, no access log, worker
model), so the difference between the two is the work our app does per request.

    python -m benchmarks.ceiling --port 8001 --workers 2 --bodies '{"/x": [123, "text/html"]}'
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODIES_VARIABLE = "BENCH_CEILING_BODIES"


def create_ceiling_app(bodies: dict[str, list[Any]]) -> Starlette:
    """`bodies` maps a path to [size in bytes, content type] or [size, content type, {other
    headers}]; anything else gets 404."""
    constant = {
        path: (b"x" * int(size), str(kind), dict(extra[0]) if extra else {})
        for path, (size, kind, *extra) in bodies.items()
    }

    async def answer(request: Request) -> Response:
        # Not request.url, which builds and parses the whole URL: no route of ours does.
        found = constant.get(request.scope["path"])
        if found is None:
            return Response(b"", status_code=404)
        body, content_type, headers = found
        return Response(body, media_type=content_type, headers=headers)

    return Starlette(routes=[Route("/{path:path}", answer)])


def app_from_environment() -> Starlette:
    """The factory uvicorn's worker processes call (as widget_server.app does for `serve`)."""
    return create_ceiling_app(json.loads(os.environ[BODIES_VARIABLE]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A bare Starlette app with constant bodies.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--bodies", required=True, help="JSON: path -> [size, content type, {headers}]")
    args = parser.parse_args(argv)
    # The same two branches, and the same protocol (TCP_NODELAY, request limits), as
    # widget_server/cli.py `serve`.
    protocol = "widget_server.protocol:GlossaryHttpProtocol"
    if args.workers == 1:
        app = create_ceiling_app(json.loads(args.bodies))
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False, http=protocol)
        return
    os.environ[BODIES_VARIABLE] = args.bodies
    uvicorn.run(
        "benchmarks.ceiling:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,
        http=protocol,
    )


if __name__ == "__main__":
    main()
