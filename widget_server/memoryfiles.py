"""The built assets (the widget, the stylesheet, our pages' scripts), answered from memory.

They are made in memory when the app starts (assets.py), so they are served from there, with
their brotli and gzip copies made once at start by the export's own compressor: no folder to
write, nothing to clean up, nothing that depends on a file's mtime. What a CDN or a browser
expects from a static file is here: the coding by `Accept-Encoding` (negotiation.py), a strong
ETag from the bytes (the same in every worker and after a restart) with weak and listed
`If-None-Match`, `If-Modified-Since` against the start time, and one byte range of the plain
file unless `If-Range` names another version.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from widget_server.api import READ_PREFLIGHT
from widget_server.compress import compressed_copies
from widget_server.errors import json_error
from widget_server.headers import entity_tag, etag_matches, file_headers, http_date, media_type, request_number
from widget_server.negotiation import coded_headers, not_modified, preferred_coding, read_headers

NotFound = Callable[[], Response]  # the 404 page
RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.IGNORECASE)  # RFC 9110, 14.1: a unit in any case
RawHeaders = list[tuple[bytes, bytes]]  # as ASGI sends them: lower-case names, latin-1 bytes


@dataclass(frozen=True)
class MemoryFile:
    """One asset: its bytes, the headers of every answer, and its 200 answers by coding (None:
    the plain bytes; else its compressed copy), their bytes and encoded headers."""

    body: bytes
    headers: Mapping[str, str]
    answers: Mapping[str | None, tuple[bytes, RawHeaders]]

    @classmethod
    def of(cls, path: str, body: bytes, last_modified: str) -> MemoryFile:
        copies = compressed_copies(path, body)
        headers = {
            "Content-Type": media_type(path),  # as the export's files have it
            **file_headers(path),
            "ETag": entity_tag(body),
            "Last-Modified": last_modified,
            "Accept-Ranges": "bytes",
        }
        if copies:
            headers["Vary"] = "Accept-Encoding"
        answers = {
            coding: (sent, _encoded(sent, headers | coded_headers(coding, headers["ETag"])))
            for coding, sent in [(None, body), *copies.items()]
        }
        return cls(body, headers, answers)


def _encoded(body: bytes, headers: Mapping[str, str]) -> RawHeaders:
    """The headers as Starlette's Response encodes them, Content-Length added: once, at start,
    rather than for every request of the most requested file there is."""
    return Response(body, headers=headers).raw_headers


class _Prepared(Response):
    """A 200 answer from headers encoded at start (`_encoded`): Response.__init__ would encode
    them again, and `_with_length` then look for Content-Length among them."""

    def __init__(self, body: bytes, raw_headers: RawHeaders) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        # A copy: whoever gets the response may add to its headers, as to any other.
        self.raw_headers = list(raw_headers)


class MemoryFiles:
    """An ASGI app answering GET and HEAD (and a CORS preflight) for the files it holds (path below the base URL):
    `static/<the route's path parameter>`, or `widget.js` for the route without one."""

    def __init__(self, files: Mapping[str, bytes], not_found: NotFound) -> None:
        started = email.utils.formatdate(time.time(), usegmt=True)
        self.files = {path: MemoryFile.of(path, body, started) for path, body in files.items()}
        self.started = email.utils.parsedate_to_datetime(started)
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.respond(scope)(scope, receive, send)

    def respond(self, scope: Scope) -> Response:
        path = scope["path_params"].get("path")
        found = self.files.get("widget.js" if path is None else f"static/{path}")
        if found is None:
            return self.not_found()
        if scope["method"] == "OPTIONS":
            return Response(status_code=204, headers=READ_PREFLIGHT)
        request = read_headers(scope)
        coding = preferred_coding(request.get(b"accept-encoding", ""), found.answers)
        if self._unchanged(request, found):
            return not_modified(found.headers, coding)
        if b"range" in request and self._same_version(request.get(b"if-range"), found):
            return self._range(request[b"range"], found, dict(found.headers))
        body, raw_headers = found.answers[coding]
        # HEAD: the same headers, Content-Length the length the GET would send, and no body.
        return _Prepared(body if scope["method"] == "GET" else b"", raw_headers)

    def _unchanged(self, request: Mapping[bytes, str], found: MemoryFile) -> bool:
        if b"if-none-match" in request:
            return etag_matches(request[b"if-none-match"], found.headers["ETag"])
        if b"if-modified-since" not in request:
            return False
        since = http_date(request[b"if-modified-since"])
        return since is not None and since >= self.started

    @staticmethod
    def _same_version(if_range: str | None, found: MemoryFile) -> bool:
        """Whether a Range applies: without If-Range, or with the plain file's own ETag (strong
        comparison, RFC 9110, 13.1.5) or its Last-Modified date exactly."""
        if if_range is None:
            return True
        if if_range.strip().startswith(('"', "W/")):
            return if_range.strip() == found.headers["ETag"]
        date = http_date(if_range)
        return date is not None and date == http_date(found.headers["Last-Modified"])

    @staticmethod
    def _range(value: str, found: MemoryFile, headers: dict[str, str]) -> Response:
        """One range of the plain bytes; several ranges, or a malformed one, get the whole file. A
        range past the end, or ending before it starts (invalid, RFC 9110 14.1.1), is a 416, as
        nginx answers it for the static export."""
        size = len(found.body)
        match = RANGE.fullmatch(value.strip())
        if match is None or match.group(1) == match.group(2) == "":
            return _with_length(Response(found.body, headers=headers), size)
        first, last = match.groups()
        start = request_number(first) if first else max(size - request_number(last), 0)
        end = min(request_number(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            return json_error(
                416,
                f"range not satisfiable: the file has {size} bytes",
                {
                    "Content-Range": f"bytes */{size}",
                    **{
                        k: v
                        for k, v in headers.items()
                        if k in ("Access-Control-Allow-Origin", "X-Content-Type-Options")
                    },
                },
            )
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return _with_length(Response(found.body[start : end + 1], status_code=206, headers=headers), end + 1 - start)


def _with_length(response: Response, length: int) -> Response:
    """A HEAD answer says the length the GET would send."""
    response.headers["content-length"] = str(length)
    return response
