"""Static files through WhiteNoise, answered from the event loop.

WhiteNoise finds the file and makes the response: the brotli or gzip copy by `Accept-Encoding`,
ETags and 304s, ranges, and our headers. It is a WSGI library, but the part that does this,
`StaticFile.get_response`, only needs the request headers; calling it directly instead of
through a WSGI bridge (a thread-pool hop per request) serves `/widget.js` several times faster.
The files are small (the widget is 6 KB compressed) and stay in the page cache, so reading them
inline does not hold the event loop up. Reading only the four request headers WhiteNoise looks
at, and encoding its response headers once, took the app's time per `/widget.js` from 49 to
32 µs, as long as an API answer from memory.

Only the widget, the stylesheet and the example pages go this way; the API and the glossary pages
are answered from memory, off WhiteNoise's path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette._utils import get_route_path
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from whitenoise import WhiteNoise
from whitenoise.responders import Redirect

from widget_server.errors import json_error
from widget_server.headers import entity_tag, etag_matches, file_headers

# The example partner pages are served from the glossary's own origin, so `'self'` stands for
# GLOSSARY-HOST in the policy a strict partner site would send.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
STRICT_CSP_EXAMPLE = "strict-csp.html"
# A coding the client refuses in Accept-Encoding: `br;q=0`, `gzip; q=0.000`.
REFUSED = re.compile(r";\s*q\s*=\s*0(\.0*)?\s*$", re.IGNORECASE)  # RFC 9110: "q" in any case

# The request headers WhiteNoise reads (responders.py), by their names in an ASGI scope.
WHITENOISE_REQUEST_HEADERS = {
    b"accept-encoding": "HTTP_ACCEPT_ENCODING",
    b"if-none-match": "HTTP_IF_NONE_MATCH",
    b"if-modified-since": "HTTP_IF_MODIFIED_SINCE",
    b"range": "HTTP_RANGE",
}

NotFound = Callable[[], Response]  # the 404 page
# The errors WhiteNoise itself can answer, for a request the route lets through.
_ERROR_MESSAGES = {416: "range not satisfiable; the file is shorter"}


class WhiteNoiseApp:
    """An ASGI app answering with WhiteNoise's response for the requested file, else a 404."""

    def __init__(self, whitenoise: WhiteNoise, not_found: NotFound) -> None:
        self.whitenoise = whitenoise
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The path below the app's mount point, as Starlette's own routes and StaticFiles read it.
        # The routes allow only GET and HEAD; Starlette answers other methods with a JSON 405.
        found = self._find(get_route_path(scope))
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
            error = json_error(status, _ERROR_MESSAGES.get(status, "request refused"),
                               dict(response.headers))
            await error(scope, receive, send)
            return
        body = b""
        if response.file is not None:
            with response.file:
                body = response.file.read()
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": _asgi_headers(tuple(response.headers)),
        })
        await send({"type": "http.response.body", "body": body})

    def _find(self, path: str) -> Any:
        if self.whitenoise.autorefresh:
            try:
                return self.whitenoise.find_file(path)
            except UnicodeEncodeError:  # a path the file system cannot name (lone surrogates)
                return None
        return self.whitenoise.files.get(path)


def _wsgi_headers(scope: Scope) -> dict[str, str]:
    """The request headers WhiteNoise reads, as it reads them: WSGI environ keys
    (`HTTP_ACCEPT_ENCODING`). The others (a browser sends a dozen) are never looked at."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        key = WHITENOISE_REQUEST_HEADERS.get(raw_name)
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    if "HTTP_RANGE" in headers:
        # A range of the plain file: a slice of the brotli or gzip copy cannot be decoded alone
        # (clients fail on it), and the files are small enough to send whole when compressed.
        headers.pop("HTTP_ACCEPT_ENCODING", None)
    elif "HTTP_ACCEPT_ENCODING" in headers:
        headers["HTTP_ACCEPT_ENCODING"] = _without_refused(headers["HTTP_ACCEPT_ENCODING"])
    return headers


@functools.lru_cache(maxsize=256)
def _asgi_headers(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[bytes, bytes], ...]:
    """WhiteNoise's response headers as ASGI sends them, encoded once per list: WhiteNoise
    answers each file with one of a few header lists, made when it starts."""
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers)


def _without_refused(accept_encoding: str) -> str:
    """WhiteNoise picks a coding whose name appears anywhere in the header, but `br;q=0` refuses it."""
    return ",".join(coding for coding in accept_encoding.split(",") if not REFUSED.search(coding))


def static_files(root: Path, not_found: NotFound) -> WhiteNoiseApp:
    """The built widget and stylesheet, with the headers each kind of file needs."""
    def add_headers(headers: Any, path: str, url: str) -> None:
        for name, value in file_headers(url.lstrip("/")).items():
            headers[name] = value
        # WhiteNoise's own ETag is the file's mtime, which changes each time the server starts.
        headers["ETag"] = entity_tag(Path(path).read_bytes())

    whitenoise = WhiteNoise(None, root=root, max_age=None, add_headers_function=add_headers)
    return WhiteNoiseApp(whitenoise, not_found)


def example_pages(root: Path, not_found: NotFound) -> WhiteNoiseApp:
    """The example partner pages (for development), re-read on every change."""
    def add_headers(headers: Any, path: str, url: str) -> None:
        headers["Cache-Control"] = "no-cache"
        if url.endswith(STRICT_CSP_EXAMPLE):
            headers["Content-Security-Policy"] = STRICT_CSP

    whitenoise = WhiteNoise(
        None, root=root, prefix="examples/", autorefresh=True,
        max_age=None, add_headers_function=add_headers, index_file=True,
    )
    return WhiteNoiseApp(whitenoise, not_found)
