"""`POST api/v1/annotate`: the `annotate` command as a service for partners' publishing tools.

HTML in, HTML out (`text/html`); Markdown in, Markdown out (`text/markdown`); the query gives
the settings (`style`, `occurrences`, `max`, `categories`, `site`). Only `serve` answers it: a
static export has no server. Bad input is a 4xx JSON error and nothing else: 415 for another
content type or charset, 413 for a body over MAX_ANNOTATE_BODY, 400 for a body that is not text,
HTML nested deeper than the parser takes in time (nesting.py) or a bad setting, 429 past the rate
limit, which is the feedback endpoints' (clients.py), with a client key of its own. The
annotation is CPU-bound: it runs in a worker thread, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from widget_server.annotate import (
    STYLES,
    NotText,
    Options,
    annotate_text,
    base_url_problem,
    decode_input,
    settings_for,
)
from widget_server.api import MAX_ANNOTATE_BODY, WRITE_PREFLIGHT
from widget_server.body import BadBody, BodyTooLarge, read_body
from widget_server.clients import ClientKeys
from widget_server.errors import json_error
from widget_server.feedback import ACCEPTED, BadInput, rate_limited
from widget_server.headers import request_number
from widget_server.nesting import depth_problem
from widget_server.snapshot import LiveSite

MAX_ANNOTATIONS = 1000
MEDIA_TYPES = ("text/html", "text/markdown")


@dataclass
class AnnotateEndpoint:
    """The endpoint over the live glossary, rate-limited per client."""

    site: LiveSite
    keys: ClientKeys

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=204, headers=WRITE_PREFLIGHT)

    async def annotate(self, request: Request) -> Response:
        try:
            media_type = _media_type(request.headers.get("content-type", ""))
            options = self._options(request)
            rate_limited(self.keys, request, "requests")
            text = await _text_body(request)
            if media_type == "text/html" and (problem := depth_problem(text)):
                raise BadInput(400, problem)
        except BadInput as bad:
            return json_error(bad.status, str(bad), bad.headers)
        glossary = self.site.snapshot.glossary
        markdown = media_type == "text/markdown"
        annotated = await run_in_threadpool(lambda: annotate_text(text, markdown, glossary, options).apply(text))
        return Response(
            annotated,
            media_type=f"{media_type}; charset=utf-8",
            headers={**ACCEPTED, "X-Content-Type-Options": "nosniff"},
        )

    def _options(self, request: Request) -> Options:
        query = request.query_params
        style = query.get("style", "footnotes")
        if style not in STYLES:
            raise BadInput(400, f"style: must be one of {', '.join(STYLES)}")
        occurrences = query.get("occurrences")
        if occurrences not in (None, "first", "all"):
            raise BadInput(400, "occurrences: must be first or all")
        glossary = self.site.snapshot.glossary
        categories = tuple(slug for slug in query.get("categories", "").split(",") if slug)
        known = [category.slug for category in glossary.categories]
        if unknown := [slug for slug in categories if slug not in known]:
            raise BadInput(400, f"categories: unknown {', '.join(unknown)} (known: {', '.join(known)})")
        maximum = _maximum(query.get("max"))  # before the `try`, whose errors are the site's
        try:
            settings = settings_for(
                glossary,
                query.get("site"),
                categories=categories or None,
                occurrences=occurrences,
                max=maximum,
            )
        except ValueError as error:
            raise BadInput(400, f"site: {error}") from None
        # The entry pages are where this server publishes them, as `serve --base-url` says;
        # without it, at the address the request came to.
        base_url = self.site.base_url or str(request.base_url)
        if base_url_problem(base_url):
            raise BadInput(400, "the server's base URL is not an absolute http(s) URL")
        return Options(base_url, style, settings)


def _media_type(content_type: str) -> str:
    """The body's media type, if it is one this endpoint takes, in UTF-8."""
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")]
    if media_type not in MEDIA_TYPES or any(charset not in ("utf-8", "utf8") for charset in charsets):
        raise BadInput(415, "send text/html or text/markdown, in UTF-8")
    return media_type


def _maximum(value: str | None) -> int | None:
    if value is None:
        return None
    number = request_number(value) if value.isascii() and value.isdigit() else 0
    if not 1 <= number <= MAX_ANNOTATIONS:
        raise BadInput(400, f"max: must be a whole number from 1 to {MAX_ANNOTATIONS}")
    return number


async def _text_body(request: Request) -> str:
    try:
        return decode_input(await read_body(request, MAX_ANNOTATE_BODY))
    except BodyTooLarge:
        raise BadInput(413, f"the body is over {MAX_ANNOTATE_BODY} bytes") from None
    except (BadBody, NotText) as bad:
        raise BadInput(400, f"the body is {bad}" if isinstance(bad, NotText) else str(bad)) from None
