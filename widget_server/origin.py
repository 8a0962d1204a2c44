"""The partner site a request comes from: its Origin header, reduced to scheme://host[:port]."""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

# What a request without an Origin header (or with `Origin: null`, from a sandboxed frame or a
# file: page) is counted under. Browsers send Origin on every cross-origin POST and on
# same-origin POSTs as well, so this is mostly other clients (curl, scripts), and the origins
# of no web site: an app's web view (capacitor://localhost) or a browser extension's page.
NO_ORIGIN = "unknown"
DEFAULT_PORTS = {"http": 80, "https": 443}
# Host names as browsers take them: DNS allows `_` in a label, and some internal hosts have one.
_LABEL = r"(?![-_])[a-z0-9_-]{1,63}(?<![-_])"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
MAX_HOST = 253


class BadOrigin(ValueError):
    """The Origin header is not an http(s) scheme://host[:port]."""


@functools.lru_cache(maxsize=4096)  # a few partner sites send nearly every request
def site_of(origin: str | None) -> str:
    """`https://Example.org:443` -> `https://example.org`; an origin of another scheme is no web
    site (NO_ORIGIN), and anything but an origin raises BadOrigin.

    Only the scheme, host and port are kept: a path, query or fragment (which no browser puts in
    Origin) is dropped, never stored. Host names are lower-cased and the default port removed,
    so one site is counted under one name.
    """
    if origin is None or origin.strip() in ("", "null"):
        return NO_ORIGIN
    try:
        parts = urlsplit(origin.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or ""), parts.port
    except ValueError:
        raise BadOrigin("the Origin header is not scheme://host[:port]") from None
    if parts.username is not None or parts.password is not None or not parts.netloc:
        raise BadOrigin("the Origin header is not scheme://host[:port]")
    if scheme not in DEFAULT_PORTS:
        return NO_ORIGIN
    host = _checked_host(host, bracketed="[" in parts.netloc)
    shown_port = f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{shown_port}"


def _checked_host(host: str, bracketed: bool) -> str:
    """The host, normalized; BadOrigin unless it is a host name, an IPv4 address or a bracketed
    IPv6 address. Not an IPv6 zone (`[fe80::1%eth0]`: ipaddress takes any text after the `%`,
    and no browser sends one) nor an IPvFuture literal (`[v1.x]`, which urlsplit unbrackets)."""
    host = host.lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if bracketed or len(host) > MAX_HOST or not _HOST.fullmatch(host):
            raise BadOrigin("the Origin header's host is not a host name") from None
        return host.rstrip(".")
    if address.version == 6 and (address.scope_id is not None or not bracketed):
        raise BadOrigin("the Origin header's host is not a host name")
    return f"[{address.compressed}]" if address.version == 6 else address.compressed
