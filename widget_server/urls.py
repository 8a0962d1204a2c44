"""The public URLs a user gives (`--base-url`, `--feedback-url`): absolute, http(s), ending in /."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

_BAD_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class BadUrl(ValueError):
    """Not an absolute http(s) URL that paths can be appended to."""


def folder_url(url: str) -> str:
    """`url` with a trailing `/`, to which relative paths such as `widget.js` are appended.

    A URL without a scheme (`glossary.example.org`) would make canonical links, JSON-LD and the
    script `src` relative to the partner's page, so anything but an absolute http(s) URL with a
    host, and without a query or fragment, raises BadUrl; so does one that would publish what it
    should not, or be invalid in a sitemap and in links: a user name or password, white space, a
    `%` that is not an escape. A host or path in other scripts is written as URLs are
    (`bücher.example` as `xn--bcher-kva.example`, `café` as `caf%C3%A9`).
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadUrl(f"{url!r} is not an absolute http(s) URL such as https://glossary.example.org/")
    if parts.query or parts.fragment:
        raise BadUrl(f"{url!r} has a query or fragment (?, #): give the folder the glossary is in")
    if parts.username is not None:
        raise BadUrl(f"{url!r} holds a user name or password, which every page and the sitemap would publish")
    if re.search(r"[\s\x00-\x1f\x7f]", url.strip()) or _BAD_ESCAPE_RE.search(parts.path):
        raise BadUrl(f"{url!r} holds white space or a % that is not an escape (%20 for a space)")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise BadUrl(f"{url!r} does not have a valid host name") from None
    try:
        port = parts.port
    except ValueError:
        raise BadUrl(f"{url!r} does not have a valid port") from None
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    path = urllib.parse.quote(parts.path.rstrip("/") + "/", safe="/%:@!$&'()*+,;=~")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, path=path))


def is_loopback(url: str) -> bool:
    """Whether `url` names this computer (127.0.0.1, ::1, localhost), which no reader can reach."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
