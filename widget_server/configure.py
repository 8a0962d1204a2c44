"""The configurator, `configure/`: a page where a site owner chooses the widget's settings,
sees them on a sample article or their own text, and copies the tag (and a site file's YAML).

Both pages are static files like every other page, so the export has them too. Their scripts are
files (`static/configure.js`, `static/preview.js`), not inline, for a strict CSP. The preview is
a page of ours in a sandboxed iframe without `allow-same-origin`: pasted text is put there with
`textContent`, and whatever it holds cannot reach the configurator or its origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from widget_server.assets import Assets, integrity, script_tag
from widget_server.model import Glossary
from widget_server.pages import render_page

# Terms shown under each category as examples.
EXAMPLE_TERMS = 4
# The tag shown without JavaScript when the glossary's public URL is not known.
PLACEHOLDER_BASE_URL = "https://glossary.example.org/"


def configure_files(glossary: Glossary, assets: Assets, base_url: str = "") -> Iterator[tuple[str, bytes]]:
    """The configurator and its preview page, as (path below the base URL, bytes)."""
    yield (
        "configure/index.html",
        render_page(
            "configure.html",
            root="../",
            stylesheet=assets.stylesheet,
            base_url=base_url,
            categories=_categories(glossary),
            default_tag=script_tag(assets, base_url or PLACEHOLDER_BASE_URL, [], False),
            pinned=assets.widget,
            integrity=integrity(assets.files[assets.widget]),
            script=assets.scripts["configure.js"],
        ),
    )
    yield (
        "configure/preview.html",
        render_page(
            "preview.html",
            root="../",
            stylesheet=assets.stylesheet,
            script=assets.scripts["preview.js"],
        ),
    )


def _categories(glossary: Glossary) -> list[dict[str, Any]]:
    """Each category with its term count and the first few terms, A-Z, as examples."""
    result = []
    for category in glossary.categories:
        terms = sorted(glossary.terms_in(category.slug), key=lambda t: t.title.casefold())
        result.append(
            {
                "slug": category.slug,
                "label": category.label,
                "description": category.description,
                "count": len(terms),
                "examples": [t.title for t in terms[:EXAMPLE_TERMS]],
            }
        )
    return result
