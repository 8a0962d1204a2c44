"""Static files through WhiteNoise (a WSGI library), mounted in the ASGI app through a2wsgi.

Only the widget, the stylesheet and the example pages go this way; the API and the glossary pages
are answered from memory, off WhiteNoise's path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send
from whitenoise import WhiteNoise

from widget_server.headers import file_headers

# The example partner pages are served from the glossary's own origin, so `'self'` stands for
# GLOSSARY-HOST in the policy a strict partner site would send.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
STRICT_CSP_EXAMPLE = "strict-csp.html"

NotFound = Callable[[], bytes]  # the body of the 404 page
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WhiteNoiseMount:
    """A WhiteNoise app behind a2wsgi, guarded against URLs that WSGI cannot carry.

    a2wsgi raises (a 500) on a query string with raw non-ASCII bytes or a path that is not
    encodable as UTF-8; some servers pass such bytes on unchanged (uvicorn with httptools does
    for the query string), so they are answered with a 400 here instead.
    """

    def __init__(self, app: WSGIMiddleware) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _wsgi_can_carry(scope):
            await self.app(scope, receive, send)  # type: ignore[arg-type]
        else:
            response = PlainTextResponse("bad request: malformed URL", status_code=400)
            await response(scope, receive, send)


def _wsgi_can_carry(scope: Scope) -> bool:
    try:
        scope["path"].encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bytes(scope.get("query_string", b"")).isascii()


def static_files(root: Path, not_found: NotFound) -> WhiteNoiseMount:
    """The built widget and stylesheet, with the headers each kind of file needs."""
    def add_headers(headers: Any, path: str, url: str) -> None:
        for name, value in file_headers(url.lstrip("/")).items():
            headers[name] = value

    whitenoise = WhiteNoise(
        _not_found_wsgi(not_found), root=root, max_age=None, add_headers_function=add_headers
    )
    return WhiteNoiseMount(WSGIMiddleware(whitenoise))  # type: ignore[arg-type]


def example_pages(root: Path, not_found: NotFound) -> WhiteNoiseMount:
    """The example partner pages (for development), re-read on every change."""
    def add_headers(headers: Any, path: str, url: str) -> None:
        headers["Cache-Control"] = "no-cache"
        if url.endswith(STRICT_CSP_EXAMPLE):
            headers["Content-Security-Policy"] = STRICT_CSP

    whitenoise = WhiteNoise(
        _not_found_wsgi(not_found), root=root, prefix="examples/", autorefresh=True,
        max_age=None, add_headers_function=add_headers, index_file=True,
    )
    return WhiteNoiseMount(WSGIMiddleware(whitenoise))  # type: ignore[arg-type]


def _not_found_wsgi(not_found: NotFound) -> WsgiApp:
    def respond(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
        return [not_found()]

    return respond
