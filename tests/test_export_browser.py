"""The static export, served by a plain static file server, works like the Python server."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from conftest import FIXTURES, LiveServer, free_port
from playwright.sync_api import Page, expect

from tests.support.widget import static_server
from widget_server.build import build_site

PAGE = (FIXTURES / "pages" / "export.html").read_text()


@pytest.fixture(scope="module")
def export_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m http.server` over a folder holding the export at /cdn/ and an article page."""
    root = tmp_path_factory.mktemp("static-host")
    build_site(FIXTURES / "glossary", root / "cdn")
    (root / "article.html").write_text(PAGE.replace("WIDGET_SRC", "/cdn/widget.js").replace("WIDGET_API", "/cdn/"))
    yield from static_server(root, free_port(), cors=False)


def highlights_on(page: Page, url: str) -> list[tuple[str, str]]:
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('glossary-term').length >= 10")
    return page.eval_on_selector_all("glossary-term", "els => els.map(e => [e.dataset.glossaryTerm, e.textContent])")


def open_card_text(page: Page, slug: str) -> str:
    page.hover(f"glossary-term[data-glossary-term={slug}]")
    card = page.locator(f"[data-glossary-card={slug}]")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Watch out")
    return card.inner_text()


def test_export_gives_the_same_highlights_and_cards_as_the_server(
    page: Page, export_host: str, fixture_server: LiveServer
) -> None:
    page.route(
        f"{fixture_server.url}/article.html",
        lambda route: route.fulfill(
            content_type="text/html",
            body=PAGE.replace("WIDGET_SRC", "/widget.js").replace("WIDGET_API", "/"),
        ),
    )
    from_server = highlights_on(page, f"{fixture_server.url}/article.html")
    server_card = open_card_text(page, "premium")

    from_export = highlights_on(page, f"{export_host}/article.html")
    export_card = open_card_text(page, "premium")

    assert from_export == from_server
    assert {slug for slug, _ in from_export} >= {"premium", "aca", "health-savings-account", "tax"}
    assert export_card == server_card


def test_card_link_leads_to_the_exported_entry_page(page: Page, export_host: str) -> None:
    page.goto(f"{export_host}/article.html")
    open_card_text(page, "tax")
    page.get_by_role("link", name="Read the full entry").click()
    expect(page).to_have_url(f"{export_host}/cdn/glossary/tax/")
    expect(page.locator("h1")).to_have_text("Tax")
    data = json.loads(urllib.request.urlopen(f"{export_host}/cdn/api/v1/terms/tax.json").read())
    expect(page.locator(".entry")).to_contain_text(data["title"])


def test_export_folder_is_self_contained(export_host: str) -> None:
    manifest = json.loads(urllib.request.urlopen(f"{export_host}/cdn/manifest.json").read())
    for path in ("widget.js", manifest["widget"]["pinned"], "api/v1/index/finance.json"):
        with urllib.request.urlopen(f"{export_host}/cdn/{path}") as response:
            assert response.status == 200
