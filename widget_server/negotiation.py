"""Which coding of a file to send, from the request's Accept-Encoding (RFC 9110, 12.5.3).

Shared by the assets (memoryfiles.py) and the site's pages and API (app.py), whose compressed
copies the export's compressor makes (compress.py): brotli, then gzip, then the plain bytes.

A compressed answer's ETag is the weak form of the plain file's, as nginx makes it when it
compresses: `If-None-Match`, which compares weakly, still matches it, but `If-Range`, which
compares strongly, never does, so that no client completes a compressed copy with a slice of
the plain bytes (ranges are of the plain bytes: a slice of a compressed copy cannot be decoded
alone).
"""

from __future__ import annotations

import functools
from collections.abc import Container, Mapping

from starlette.responses import Response
from starlette.types import Scope

CODINGS = ("br", "gzip")  # in our order of preference
# The request headers an answer depends on; every other one is passed over unread.
READ_HEADERS = frozenset((b"if-none-match", b"if-modified-since", b"range", b"if-range", b"accept-encoding"))
LIST_HEADERS = frozenset((b"if-none-match", b"accept-encoding"))
ALIASES = {"x-gzip": "gzip"}  # RFC 9110, 8.4.1.3: to be read as gzip


def read_headers(scope: Scope) -> dict[bytes, str]:
    """The request headers of READ_HEADERS, in one pass over the request's headers rather than
    one pass a name (this runs on every request for the widget and the API). Several lines of a
    list (If-None-Match, Accept-Encoding) are one list (RFC 9110, 5.3), as a proxy may split
    one; of another field, the first is read."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in READ_HEADERS:
            text = value.decode("latin-1")
            if name not in found:
                found[name] = text
            elif name in LIST_HEADERS:
                found[name] = f"{found[name]}, {text}"
    return found


def coded_headers(coding: str | None, etag: str) -> dict[str, str]:
    """What a compressed answer's headers change: its coding, and its ETag made weak."""
    return {"Content-Encoding": coding, "ETag": f"W/{etag.removeprefix('W/')}"} if coding else {}


def not_modified(headers: Mapping[str, str], coding: str | None) -> Response:
    """A 304 for the answer of `coding` with `headers`: its headers, its ETag among them, but not
    those of a body (RFC 9110, 15.4.5)."""
    sent = {**headers, **coded_headers(coding, headers["ETag"])}
    body_headers = ("Content-Type", "Content-Encoding")
    return Response(status_code=304, headers={k: v for k, v in sent.items() if k not in body_headers})


def preferred_coding(accept_encoding: str, available: Container[str | None]) -> str | None:
    """The coding of `available` to send (None: the plain bytes): the one the client weighs
    highest, ties in our order; `*` stands for every coding the field does not name."""
    return next((coding for coding in _accepted(accept_encoding) if coding in available), None)


@functools.lru_cache(maxsize=64)  # browsers send a handful of values, each on nearly every request
def _accepted(accept_encoding: str) -> tuple[str, ...]:
    """The codings of CODINGS that `accept_encoding` accepts (q above 0), best first."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, parameters = part.partition(";")
        name = name.strip().lower()
        weights[ALIASES.get(name, name)] = _weight(parameters)
    rest = weights.get("*", 0.0)
    weighed = [(weights.get(coding, rest), -rank, coding) for rank, coding in enumerate(CODINGS)]
    return tuple(coding for weight, _, coding in sorted(weighed, reverse=True) if weight > 0)


def _weight(parameters: str) -> float:
    """The q of `;q=0.5` (any case, spaces allowed); 1 without one; a malformed q refuses."""
    name, _, value = parameters.partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        weight = float(value.strip())
    except ValueError:
        return 0.0
    return weight if 0 <= weight <= 1 else 0.0
