"""The write endpoints: `POST api/v1/feedback` (a reader's vote and comment) and `api/v1/events`.

Both take a small JSON body sent as a CORS "simple" request (`Content-Type: text/plain`, no
credentials), so a partner page posts without a preflight; `OPTIONS` still answers one. Every
check comes before the write, so bad input stores nothing: 413 for a body over 2 KB, 400 naming
what is wrong, 404 for an unknown term, 429 past the rate limit. A write is acknowledged (204)
only once its batch has committed; if the store cannot take it, 503, and nothing else on the
server is held up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from widget_server.api import EVENTS, MAX_COMMENT, MAX_WRITE_BODY, WRITE_PREFLIGHT
from widget_server.body import BadBody, BodyTooLarge, read_body
from widget_server.clients import ClientKeys
from widget_server.errors import json_error
from widget_server.origin import BadOrigin, site_of
from widget_server.snapshot import LiveSite
from widget_server.store import Write, today
from widget_server.writer import BatchWriter, StoreUnavailable

RETRY_UNAVAILABLE_S = 5
CORS = {"Access-Control-Allow-Origin": "*"}
ACCEPTED = {**CORS, "Cache-Control": "no-store"}


class BadInput(Exception):
    """Why a request is refused, with its status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class Vote:
    term: str
    helpful: bool | None  # None: a comment alone, on a vote sent before it
    comment: str | None


@dataclass
class FeedbackEndpoints:
    """The write endpoints over the live glossary, the batched writer and the client keys."""

    site: LiveSite
    writer: BatchWriter
    keys: ClientKeys

    async def feedback(self, request: Request) -> Response:
        try:
            data = await _json_body(request)
            vote = parse_vote(data)
            write, key = self._admitted(request, vote.term)
        except BadInput as bad:
            return json_error(bad.status, str(bad), bad.headers)
        if vote.helpful is None:
            return await self._store(Write(write.day, write.site, write.term, comment=vote.comment))
        counted = self.keys.first_vote(key, vote.term)
        if not counted and vote.comment is None:
            return Response(status_code=204, headers=ACCEPTED)  # a repeat vote: already counted
        response = await self._store(
            Write(
                write.day,
                write.site,
                write.term,
                helpful_yes=int(counted and vote.helpful),
                helpful_no=int(counted and not vote.helpful),
                comment=vote.comment,
            )
        )
        if counted and response.status_code != 204:
            self.keys.forget_vote(key, vote.term)  # not stored: the reader's retry must count
        return response

    async def events(self, request: Request) -> Response:
        try:
            data = await _json_body(request)
            term = parse_event(data)
            write, _ = self._admitted(request, term)
        except BadInput as bad:
            return json_error(bad.status, str(bad), bad.headers)
        return await self._store(Write(write.day, write.site, write.term, opens=1))

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=204, headers=WRITE_PREFLIGHT)

    def _admitted(self, request: Request, term: str) -> tuple[Write, bytes]:
        """The (day, site, term) a valid request counts under, and the client's key for today;
        raises BadInput otherwise."""
        try:
            site = site_of(request.headers.get("origin"))
        except BadOrigin as bad:
            raise BadInput(400, str(bad)) from None
        if self.site.snapshot.glossary.term(term) is None:
            raise BadInput(404, "unknown term; the list of terms is at api/v1/terms.json")
        return Write(today(), site, term), rate_limited(self.keys, request, "posts")

    async def _store(self, write: Write) -> Response:
        try:
            await self.writer.write(write)
        except StoreUnavailable:
            return json_error(
                503,
                "feedback is not being stored right now; try again later",
                {"Retry-After": str(RETRY_UNAVAILABLE_S)},
            )
        return Response(status_code=204, headers=ACCEPTED)


def rate_limited(keys: ClientKeys, request: Request, what: str) -> bytes:
    """The client's key for today, counting this request; BadInput (429) past the limit."""
    # The client's address as uvicorn reports it: behind a trusted proxy, from its headers.
    ip = request.client.host if request.client else ""
    key = keys.key(ip, request.headers.get("user-agent", ""))
    retry = keys.retry_after(key)
    if retry is not None:
        message = f"more than {keys.limit} {what} a minute; retry in {retry} s"
        raise BadInput(429, message, {"Retry-After": str(retry)})
    return key


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await read_body(request, MAX_WRITE_BODY)
    except BodyTooLarge:
        raise BadInput(413, f"the body is over {MAX_WRITE_BODY} bytes") from None
    except BadBody as bad:
        raise BadInput(400, str(bad)) from None
    try:
        # A byte order mark may be ignored (RFC 8259); NaN and Infinity are Python's, not JSON.
        data = json.loads(body.decode("utf-8-sig"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):  # 2 KB of `[` nests too deep to parse
        raise BadInput(400, "the body is not JSON (UTF-8)") from None
    if not isinstance(data, dict):
        raise BadInput(400, "the body is not a JSON object")
    return data


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def parse_vote(data: dict[str, Any]) -> Vote:
    """`{"term": slug, "helpful": true|false, "comment": optional string}`, or a comment without
    `helpful`: the comment on a vote the reader sent before it, which counts no vote again. (The
    card and the entry pages send a "No" at once and its comment later; a vote sent twice was
    counted twice when the two posts reached two `serve` processes, which each remember only
    their own votes.)"""
    term = _field(data, "term", str)
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise BadInput(400, "comment: must be a string")
    comment = _comment(comment)
    helpful = _field(data, "helpful", bool) if "helpful" in data or comment is None else None
    return Vote(term, helpful, comment)


def parse_event(data: dict[str, Any]) -> str:
    """`{"event": "open", "term": slug}`: a card shown for the first time on a page view."""
    event = _field(data, "event", str)
    if event not in EVENTS:
        raise BadInput(400, f"event: must be one of {', '.join(EVENTS)}")
    return _field(data, "term", str)


def _field(data: dict[str, Any], name: str, kind: type) -> Any:
    if name not in data:
        raise BadInput(400, f"{name}: missing")
    value = data[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise BadInput(400, f"{name}: must be a {'boolean' if kind is bool else 'string'}")
    return value


def _comment(comment: str | None) -> str | None:
    """One line of plain text: runs of white space and control characters become one space.

    Text that cannot be encoded (a lone surrogate from a `\\ud800` escape) is refused here: in a
    batch it would fail the commit of every write beside it.
    """
    if comment is None:
        return None
    text = " ".join("".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in comment).split())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(400, "comment: not valid Unicode text") from None
    if len(text) > MAX_COMMENT:
        raise BadInput(400, f"comment: at most {MAX_COMMENT} characters")
    return text or None
