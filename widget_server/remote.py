"""What `embed` reads from a glossary it has no folder of: the API of the server or export at
the base URL, which says which categories (and sites) that glossary has."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from widget_server.api import API_PREFIX

# A tag is printed by someone waiting at a prompt: an unreachable glossary says so quickly.
TIMEOUT = 5.0


class RemoteError(Exception):
    """The glossary at the base URL could not be read; the message says what was tried."""


def fetch_json(url: str, timeout: float = TIMEOUT) -> Any:
    """The JSON document at `url`; RemoteError (with the URL) when it cannot be fetched or read."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise RemoteError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise RemoteError(f"cannot fetch {url}: {reason}") from None
    except ValueError:
        raise RemoteError(f"{url} is not JSON: is the base URL a glossary?") from None


def remote_categories(base_url: str) -> list[str]:
    """The category slugs of the glossary served or exported at `base_url`."""
    url = f"{base_url}{API_PREFIX}categories.json"
    document = fetch_json(url)
    try:
        return [category["slug"] for category in document["categories"]]
    except (KeyError, TypeError):
        raise RemoteError(f"{url} does not list categories: is the base URL a glossary?") from None
