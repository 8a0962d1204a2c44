"""The README screenshots: an open card on the example article, light and dark.

The suite takes them into a temporary folder, so that a test run never changes tracked files;
`make screenshots` takes them into docs/ (the folder in $SCREENSHOT_DIR) to refresh the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.card import card, hover, is_png, open_page, term

SLUG = "workers-compensation"  # a term high on the article, with a typical card


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_an_open_card(page: Page, glossary_server, scheme: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 900, "height": 600})
    page.emulate_media(color_scheme=scheme)
    open_page(page, glossary_server, "blog-post.html")
    highlight = term(page, SLUG)
    # Near the top, so that the whole card fits below the term in a 600 px high window.
    highlight.evaluate("el => window.scrollBy(0, el.getBoundingClientRect().top - 16)")

    hover(page, highlight)
    expect(card(page, SLUG).get_by_text("Read the full entry")).to_be_visible()
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(exist_ok=True)
    path = folder / f"card-{scheme}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=path)

    assert is_png(path)
