"""The HTTP headers each kind of file gets, shared by the server and the deployment examples."""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
from datetime import UTC, datetime

ONE_YEAR = 31_536_000
SHORT_CACHE = "public, max-age=300"
# The stable widget URL: a change reaches partner pages within minutes, and a slow origin never
# blocks them, because a stale copy may be used for a day while it is revalidated.
WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=86400"
IMMUTABLE_CACHE = f"public, max-age={ONE_YEAR}, immutable"

MEDIA_TYPES = {
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def request_number(digits: str) -> int:
    """A number a request gives in decimal digits (Content-Length, a Range position, a query's
    `max`). Python reads no integer of more than 4,300 digits, and no body, file or limit here
    is near 10**18: a number of 19 digits or more is read as that, too large for anything it is
    compared with."""
    digits = digits.lstrip("0")
    return int(digits or 0) if len(digits) < 19 else 10**18


def http_date(text: str) -> datetime | None:
    """A date in any of HTTP's three formats (RFC 9110, 5.6.7: a recipient reads them all), each
    in GMT; None for anything else, which a conditional request then ignores."""
    try:
        date = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError):  # a year or a zone of twenty digits overflows
        return None
    return date if date.tzinfo else date.replace(tzinfo=UTC)  # asctime names no zone


def media_type(path: str) -> str:
    suffix = path[path.rfind(".") :] if "." in path else ""
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


# Our own HTML pages run and style themselves only with our own files: no inline script or
# style, nothing from another origin. (The JSON-LD `<script type="application/ld+json">` of the
# pages is data, which script-src does not govern.) The glossary pages need only their
# stylesheet; the script, image, fetch and frame sources are there for the pages with a script of
# their own (the configurator, whose live preview is a page of ours in a frame; admin), so that
# one policy serves every page of ours.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; frame-src 'self'; base-uri 'none'; form-action 'self'"
)
# Browser features no page of ours uses, turned off for the page and anything it would frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)
# Who may frame a page: frame-ancestors, and X-Frame-Options for browsers that predate it.
FRAMED_BY_US = ("'self'", "SAMEORIGIN")  # the glossary pages
NEVER_FRAMED = ("'none'", "DENY")  # admin pages: nothing may overlay their buttons


def page_headers(framing: tuple[str, str] | None = FRAMED_BY_US, posts_to: str = "") -> dict[str, str]:
    """The security headers of an HTML page of ours; `framing` None lets any site frame it.
    `posts_to`: the origin of a feedback server elsewhere, which an export's entry pages post
    "Was this helpful?" to (`build --feedback-url`), allowed beside our own."""
    policy = CONTENT_SECURITY_POLICY.format(connect=f"'self' {posts_to}" if posts_to else "'self'")
    headers = {"Referrer-Policy": "strict-origin-when-cross-origin", "Permissions-Policy": PERMISSIONS_POLICY}
    if framing is not None:
        frame_ancestors, x_frame_options = framing
        policy = f"{policy}; frame-ancestors {frame_ancestors}"
        headers["X-Frame-Options"] = x_frame_options
    return {"Content-Security-Policy": policy, **headers}


def file_headers(path: str) -> dict[str, str]:
    """Headers for the file at `path` (below the base URL), other than ETag and encoding.

    Widget and API files are fetched from partner pages on other origins, some with
    `crossorigin="anonymous"` for Subresource Integrity: they are public, so any origin may read
    them.
    """
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": cache_control(path)}
    if path.startswith(("api/", "static/", "snippets/")) or path == "widget.js":
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    if path.endswith(".html"):
        # A snippet is a fragment for partners' pages, which may show it in a frame.
        headers |= page_headers(None if path.startswith("snippets/") else FRAMED_BY_US)
    if path.startswith("snippets/"):
        # Nor a result of its own in search engines: its entry page, with the same text and more, is.
        headers["X-Robots-Tag"] = "noindex"
    return headers


def cache_control(path: str) -> str:
    if path.startswith("static/"):
        return IMMUTABLE_CACHE  # every name there carries a content hash
    if path == "widget.js":
        return WIDGET_CACHE
    return SHORT_CACHE


def entity_tag(body: bytes) -> str:
    """A strong ETag from the bytes alone, so it survives restarts and is the same in every worker."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, which is what If-None-Match uses."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
