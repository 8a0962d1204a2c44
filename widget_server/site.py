"""The one pipeline from content to bytes: `serve` answers with these files, `build` writes them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from widget_server.api import api_files, encode
from widget_server.assets import Assets
from widget_server.configure import configure_files
from widget_server.model import Glossary
from widget_server.openapi import OPENAPI_PATH, openapi_document
from widget_server.pages import crawler_files, page_files


def site_files(
    glossary: Glossary, assets: Assets, base_url: str = "", feedback_url: str | None = None
) -> Iterator[tuple[str, bytes]]:
    """Every file of the glossary site, as (path below the base URL, bytes), rendered one at a
    time so that the build can write each while the next renders."""
    return itertools.chain(
        assets.files.items(),
        api_files(glossary, feedback_url),
        [(OPENAPI_PATH, encode(openapi_document(glossary)))],
        page_files(glossary, assets, base_url, feedback_url),
        crawler_files(glossary, base_url),
        configure_files(glossary, assets, base_url),
    )


def render_site(
    glossary: Glossary, assets: Assets, base_url: str = "", feedback_url: str | None = None
) -> dict[str, bytes]:
    """Every file of the glossary site, keyed by its path below the base URL."""
    return dict(site_files(glossary, assets, base_url, feedback_url))
