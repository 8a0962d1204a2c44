"""The example partner pages, files on disk, through WhiteNoise, answered from the event loop.

WhiteNoise finds the file and makes the response: ETags and 304s, ranges, `index.html` for a
folder, and our headers. It is a WSGI library, but the part that does this,
`StaticFile.get_response`, only needs the request headers; it is called directly rather than
through a WSGI bridge (a thread-pool hop per request). The built assets (memoryfiles.py), the
API and the glossary pages are answered from memory.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from whitenoise import WhiteNoise
from whitenoise.responders import Redirect

from widget_server.errors import json_error
from widget_server.headers import etag_matches

# The example partner pages are served from the glossary's own origin, so `'self'` stands for
# GLOSSARY-HOST in the policy a strict partner site would send.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
STRICT_CSP_EXAMPLE = "strict-csp.html"
# The request headers WhiteNoise reads (responders.py), by their names in an ASGI scope. (Not
# Accept-Encoding: the example pages have no compressed copies.)
WHITENOISE_REQUEST_HEADERS = {
    b"if-none-match": "HTTP_IF_NONE_MATCH",
    b"if-modified-since": "HTTP_IF_MODIFIED_SINCE",
    b"range": "HTTP_RANGE",
}

NotFound = Callable[[], Response]  # the 404 page
# The errors WhiteNoise itself can answer, for a request the route lets through.
_ERROR_MESSAGES = {416: "range not satisfiable; the file is shorter"}


class WhiteNoiseApp:
    """An ASGI app answering with WhiteNoise's response for the requested file, else a 404."""

    def __init__(self, whitenoise: WhiteNoise, prefix: str, not_found: NotFound) -> None:
        self.whitenoise = whitenoise
        self.prefix = prefix  # the route's path before its `path` parameter
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The routes allow only GET and HEAD; Starlette answers other methods with a JSON 405.
        found = self._find(self.prefix + scope["path_params"]["path"])
        if found is None:
            await self.not_found()(scope, receive, send)
            return
        if isinstance(found, Redirect):
            # With `index_file`, `x/index.html` and `x` lead to `x/`: a 302 with no file.
            response = found.get_response(scope["method"], {})
        else:
            request_headers = _wsgi_headers(scope)
            # WhiteNoise compares If-None-Match verbatim; browsers and proxies may send W/ or a list.
            if etag_matches(request_headers.get("HTTP_IF_NONE_MATCH"), found.etag):
                request_headers["HTTP_IF_NONE_MATCH"] = found.etag
            response = found.get_response(scope["method"], request_headers)
        status = int(response.status)
        if status >= 400:
            # A range past the end (416): WhiteNoise sends no body; errors here are JSON.
            error = json_error(status, _ERROR_MESSAGES.get(status, "request refused"), dict(response.headers))
            await error(scope, receive, send)
            return
        body = b""
        if response.file is not None:
            with response.file:
                body = response.file.read()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": _asgi_headers(tuple(response.headers)),
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _find(self, path: str) -> Any:
        # The example pages are re-read on every change (autorefresh): looked up on disk.
        try:
            return self.whitenoise.find_file(path)
        except UnicodeEncodeError:  # a path the file system cannot name (lone surrogates)
            return None


def _wsgi_headers(scope: Scope) -> dict[str, str]:
    """The request headers WhiteNoise reads, as it reads them: WSGI environ keys
    (`HTTP_IF_NONE_MATCH`). The others (a browser sends a dozen) are never looked at."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        key = WHITENOISE_REQUEST_HEADERS.get(raw_name)
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


@functools.lru_cache(maxsize=256)
def _asgi_headers(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[bytes, bytes], ...]:
    """WhiteNoise's response headers as ASGI sends them, encoded once per list: WhiteNoise
    answers each file with one of a few header lists, made when it starts."""
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers)


def example_pages(root: Path, not_found: NotFound) -> WhiteNoiseApp:
    """The example partner pages (for development), re-read on every change."""

    def add_headers(headers: Any, path: str, url: str) -> None:
        headers["Cache-Control"] = "no-cache"
        if url.endswith(STRICT_CSP_EXAMPLE):
            headers["Content-Security-Policy"] = STRICT_CSP

    whitenoise = WhiteNoise(
        None,
        root=root,
        prefix="examples/",
        autorefresh=True,
        max_age=None,
        add_headers_function=add_headers,
        index_file=True,
    )
    return WhiteNoiseApp(whitenoise, "/examples/", not_found)
