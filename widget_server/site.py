"""The one pipeline from content to bytes: `serve` answers with these files, `build` writes them."""

from __future__ import annotations

from widget_server.api import api_files
from widget_server.assets import Assets
from widget_server.content import Glossary
from widget_server.pages import page_files


def render_site(glossary: Glossary, assets: Assets, base_url: str = "") -> dict[str, bytes]:
    """Every file of the glossary site, keyed by its path below the base URL."""
    return {
        **assets.files,
        **api_files(glossary),
        **page_files(glossary, assets.stylesheet, base_url),
    }
