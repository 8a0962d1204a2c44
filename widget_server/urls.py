"""The public URLs a user gives (`--base-url`, `--feedback-url`): absolute, http(s), ending in /."""

from __future__ import annotations

import ipaddress
import urllib.parse


class BadUrl(ValueError):
    """Not an absolute http(s) URL that paths can be appended to."""


def folder_url(url: str) -> str:
    """`url` with a trailing `/`, to which relative paths such as `widget.js` are appended.

    A URL without a scheme (`glossary.example.org`) would make canonical links, JSON-LD and the
    script `src` relative to the partner's page, so anything but an absolute http(s) URL with a
    host, and without a query or fragment, raises BadUrl.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadUrl(f"{url!r} is not an absolute http(s) URL such as https://glossary.example.org/")
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/"))


def is_loopback(url: str) -> bool:
    """Whether `url` names this computer (127.0.0.1, ::1, localhost), which no reader can reach."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
