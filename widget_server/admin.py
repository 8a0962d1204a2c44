"""/admin/: the feedback report for the publisher, behind HTTP Basic (user `admin`).

Served only when a password is configured; otherwise /admin/ is the pages' 404. Both the user
name and the password are compared in constant time, so the time an answer takes tells nothing
about how much of a guess was right. Nothing here is cached anywhere (`no-store`). Basic sends
the password with every request: deploy it behind TLS only.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from widget_server.api import ADMIN_PERIODS
from widget_server.chart import daily_chart
from widget_server.headers import NEVER_FRAMED, page_headers
from widget_server.pages import render_page
from widget_server.snapshot import LiveSite
from widget_server.stats import report, share_text, since_day
from widget_server.store import Store, today

ADMIN_PATH = "/admin/"
ADMIN_USER = "admin"
REALM = 'Basic realm="Glossary feedback", charset="UTF-8"'
# Never cached, never framed (no other page may overlay its links), only our own files.
PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", **page_headers(NEVER_FRAMED)}


def authorised(header: str | None, password: str) -> bool:
    """True when an `Authorization: Basic` header carries user `admin` and `password`."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except ValueError:  # not base64 (binascii.Error), not ASCII to decode, not UTF-8 once decoded
        return False
    # `&`, not `and`: both comparisons run whatever the first one finds.
    return hmac.compare_digest(user.encode(), ADMIN_USER.encode()) & hmac.compare_digest(
        given.encode(), password.encode()
    )


def admin_page(store: Store, site: LiveSite, password: str) -> Callable[[Request], Any]:
    async def admin(request: Request) -> Response:
        if not authorised(request.headers.get("authorization"), password):
            return Response(
                "Sign in as admin to see the feedback report.\n",
                status_code=401,
                media_type="text/plain",
                headers={**PRIVATE, "WWW-Authenticate": REALM},
            )
        period = request.query_params.get("since", "30d")
        period = period if period in ADMIN_PERIODS else "30d"
        first = since_day(period)
        try:
            result = await run_in_threadpool(report, store, first)
        except Exception:  # the database is down: say so rather than answer a 500
            return Response(
                "The feedback store cannot be read right now.\n",
                status_code=503,
                media_type="text/plain",
                headers={**PRIVATE, "Retry-After": "5"},
            )
        body = render_page(
            "admin.html",
            root="../",
            stylesheet=site.assets.stylesheet,
            report=result,
            chart=daily_chart(result.days, first, today()),
            share=share_text,
            period=period,
            periods=ADMIN_PERIODS,
        )
        return Response(body, media_type="text/html; charset=utf-8", headers=PRIVATE)

    return admin
