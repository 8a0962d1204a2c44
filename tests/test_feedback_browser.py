""" "Was this helpful?" in Chromium, against both stores: a reader votes and comments on an entry
page (served, and exported with `build --feedback-url`), the answer shows up in `stats` and on
/admin/; a partner page posts cross-origin; axe finds nothing in either theme."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from conftest import FIXTURES, LiveServer
from playwright.sync_api import Browser, Page, expect

from widget_server.app import create_app
from widget_server.build import build_site
from widget_server.cli import main

GLOSSARY = FIXTURES / "glossary"
PASSWORD = "reader feedback"


@pytest.fixture
def server(store_settings: dict[str, Any], tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(GLOSSARY, examples_dir=FIXTURES / "pages", admin_password=PASSWORD, **store_settings)
    with LiveServer(app) as live:
        yield live


def stats(store_settings: dict[str, Any]) -> dict[str, Any]:
    options = (
        ["--database-url", store_settings["database_url"]]
        if store_settings["database_url"]
        else ["--state", str(store_settings["state_dir"])]
    )
    result = CliRunner().invoke(main, ["stats", "--data", str(GLOSSARY), *options, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def feedback(page: Page) -> Any:
    return page.locator(".entry-feedback")


def test_a_reader_says_no_and_comments_and_the_publisher_reads_it(
    page: Page, browser: Browser, server: LiveServer, store_settings: dict[str, Any]
) -> None:
    page.goto(f"{server.url}/glossary/premium/")
    block = feedback(page)
    expect(block.get_by_role("heading", name="Was this helpful?")).to_be_visible()

    block.get_by_role("button", name="No").click()
    expect(block.get_by_role("status")).to_have_text("Thanks")
    expect(block.get_by_role("button", name="Yes")).to_be_hidden()
    field = block.get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()
    field.fill("Does it include <fees>?")
    block.get_by_role("button", name="Send").click()
    expect(block.get_by_role("status")).to_have_text("Thanks for telling us.")

    report = stats(store_settings)
    assert [(t["term"], t["helpful_yes"], t["helpful_no"]) for t in report["terms"]] == [("premium", 0, 1)]
    assert [c["text"] for c in report["comments"]] == ["Does it include <fees>?"]
    assert report["term_sites"][0]["site"] == server.url  # the page's own origin

    admin = browser.new_context(http_credentials={"username": "admin", "password": PASSWORD})
    try:
        admin_page = admin.new_page()
        admin_page.goto(f"{server.url}/admin/")
        expect(admin_page.get_by_role("heading", name="Feedback report")).to_be_visible()
        expect(admin_page.locator(".admin-comments")).to_contain_text("Does it include <fees>?")
        row = admin_page.get_by_role("row").filter(has_text=server.url)
        expect(row).to_contain_text("premium")
        expect(admin_page.get_by_role("img", name="Card opens (hatched bars")).to_be_visible()
    finally:
        admin.close()


def test_the_keyboard_alone_answers_yes(page: Page, server: LiveServer, store_settings: dict[str, Any]) -> None:
    page.goto(f"{server.url}/glossary/premium/")
    feedback(page).get_by_role("button", name="Yes").focus()
    page.keyboard.press("Enter")

    expect(feedback(page).get_by_role("status")).to_have_text("Thanks")
    expect(feedback(page).get_by_label("What was missing or wrong?")).to_be_hidden()
    assert stats(store_settings)["terms"][0]["helpful_yes"] == 1


def test_a_partner_page_posts_cross_origin_without_a_preflight(
    page: Page, server: LiveServer, store_settings: dict[str, Any]
) -> None:
    """The request the widget will send: text/plain, no credentials, from another origin."""
    partner = server.url.replace("127.0.0.1", "localhost")
    preflights = []
    page.on("request", lambda request: preflights.append(request) if request.method == "OPTIONS" else None)
    page.goto(f"{partner}/examples/card.html")

    statuses = page.evaluate(
        """async (endpoint) => {
        const post = (path, body) => fetch(endpoint + path, {method: "POST", credentials: "omit",
            headers: {"Content-Type": "text/plain"}, body: JSON.stringify(body)}).then((r) => r.status);
        return [await post("api/v1/events", {event: "open", term: "premium"}),
                await post("api/v1/feedback", {term: "premium", helpful: true})];
    }""",
        f"{server.url}/",
    )

    assert statuses == [204, 204]
    assert preflights == []
    (row,) = stats(store_settings)["term_sites"]
    assert (row["site"], row["opens"], row["helpful_yes"]) == (partner, 1, 1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_an_entry_page_with_the_feedback_block(
    page: Page, server: LiveServer, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{server.url}/glossary/premium/")
    expect(feedback(page)).to_be_visible()
    assert Axe().run(page).violations_count == 0

    feedback(page).get_by_role("button", name="No").click()
    expect(feedback(page).get_by_label("What was missing or wrong?")).to_be_visible()
    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()


def test_an_exported_entry_page_posts_to_the_server_named_by_feedback_url(
    page: Page, server: LiveServer, store_settings: dict[str, Any], tmp_path: Path
) -> None:
    """The deployment split: pages from a static host (the CDN), writes to `serve`. The host
    sends the pages' headers that manifest.json gives, whose policy lets them post there."""
    site = tmp_path / "site"
    build_site(GLOSSARY, site, feedback_url=server.url)
    headers = json.loads((site / "manifest.json").read_text())["page_headers"]
    assert f"connect-src 'self' {server.url.rstrip('/')};" in headers["Content-Security-Policy"]

    class PageHeaders(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            if self.path.endswith("/"):
                for name, value in headers.items():
                    self.send_header(name, value)
            super().end_headers()

    handler = functools.partial(PageHeaders, directory=str(site))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{static.server_port}/glossary/premium/")
        feedback(page).get_by_role("button", name="Yes").click()
        expect(feedback(page).get_by_role("status")).to_have_text("Thanks")
    finally:
        static.shutdown()

    (row,) = stats(store_settings)["term_sites"]
    assert (row["site"], row["helpful_yes"]) == (f"http://127.0.0.1:{static.server_port}", 1)
