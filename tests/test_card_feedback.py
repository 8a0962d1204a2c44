""" "Was this helpful?" in the widget's card, in Chromium, against the real server and a real
store (SQLite; the end-to-end vote also PostgreSQL): votes and comments from a partner page on
another origin, seen in `stats` and on /admin/, card opens counted once per term and page view,
`data-feedback="off"` (on the tag or in a site file) and a glossary without a feedback endpoint
sending nothing, failures said as such, the keyboard alone, axe in both themes."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from conftest import FIXTURES, STORES, LiveServer, free_port, new_store
from playwright.sync_api import Browser, Locator, Page, Request, expect

from tests.support.card import CARD_PAGE_HTML, card, term
from tests.support.server import wait_until
from widget_server.app import create_app
from widget_server.build import build_site
from widget_server.cli import main

QUIET_SITE = "quiet-partner"
PASSWORD = "card feedback"


@dataclass
class Partner:
    """A partner site on its own origin (localhost, the glossary is on 127.0.0.1) whose pages
    load the widget from the glossary server; `state` is the glossary's SQLite store."""

    origin: str
    pages: Path
    glossary: LiveServer
    data: Path
    store: dict[str, Any]  # create_app's state_dir or database_url

    def page(self, page: Page, name: str, attributes: str = "", origin: str = "") -> Page:
        """Opens a copy of the card fixture page with the widget tag pointing at the glossary,
        from the partner's origin or another name of its server (`origin`)."""
        tag = f'<script src="{self.glossary.url}/widget.js" {attributes}'
        html = CARD_PAGE_HTML.replace('<script src="/widget.js"', tag)
        # In a landmark, as a real article is, so that axe has only the card to judge.
        html = html.replace("<article", "<main><article").replace("</article>", "</article></main>")
        (self.pages / name).write_text(html, encoding="utf-8")
        page.goto(f"{origin or self.origin}/{name}")
        page.locator("glossary-term.glossary-widget-term").first.wait_for(state="attached")
        return page

    def stats(self) -> dict[str, Any]:
        where = (
            ["--database-url", self.store["database_url"]]
            if self.store["database_url"]
            else ["--state", str(self.store["state_dir"])]
        )
        result = CliRunner().invoke(main, ["stats", "--data", str(self.data), *where, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def counts(self, slug: str) -> tuple[int, int, int]:
        """(opens, yes, no) of `slug`, from this partner's origin."""
        rows = [row for row in self.stats()["term_sites"] if row["term"] == slug]
        assert all(row["site"] == self.origin for row in rows)
        return (sum(r["opens"] for r in rows), sum(r["helpful_yes"] for r in rows), sum(r["helpful_no"] for r in rows))


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """SQLite, or the store a test names by parametrizing this fixture indirectly."""
    return new_store(request, getattr(request, "param", "sqlite"), tmp_path)


@pytest.fixture
def partner(tmp_path: Path, store: dict[str, Any]) -> Iterator[Partner]:
    port = free_port()
    origin = f"http://localhost:{port}"
    # The fixture glossary, with a site registered on the partner's origin that has feedback off.
    data = tmp_path / "glossary"
    shutil.copytree(FIXTURES / "glossary", data)
    (data / "sites" / f"{QUIET_SITE}.yml").write_text(
        f"name: Quiet Partner\norigins: ['{origin}']\nfeedback: off\n", encoding="utf-8"
    )
    app = create_app(data, admin_password=PASSWORD, **store)
    pages = tmp_path / "pages"
    pages.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(pages))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        with LiveServer(app) as glossary:
            yield Partner(origin, pages, glossary, data, store)
    finally:
        static.shutdown()
        static.server_close()


def posts(page: Page) -> list[Request]:
    """Every request the page makes to the feedback endpoints, and every preflight."""
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.method in ("POST", "OPTIONS") else None)
    return seen


def open_card(page: Page, slug: str) -> Locator:
    term(page, slug).click()
    opened = card(page, slug)
    expect(opened.locator(".title")).to_be_visible()
    return opened


def eventually(read: Any, expected: Any) -> None:
    """Waits until `read()` gives `expected` (a beacon lands after the page moves on)."""
    wait_until(lambda: read() == expected, f"the store reading {expected!r}")


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_yes_and_no_with_a_comment_from_a_partner_page_reach_the_store(
    page: Page, browser: Browser, partner: Partner
) -> None:
    requests = posts(partner.page(page, "article.html"))

    premium = open_card(page, "premium")
    premium.get_by_role("button", name="Yes").click()
    expect(premium.get_by_role("status")).to_have_text("Thanks")
    expect(premium.get_by_role("button", name="Yes")).to_have_count(0)
    expect(premium.get_by_role("button", name="No")).to_have_count(0)

    page.keyboard.press("Escape")
    policy = open_card(page, "policy")
    policy.get_by_role("button", name="No").click()
    expect(policy.get_by_role("status")).to_have_text("Thanks")
    field = policy.get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()
    assert field.get_attribute("maxlength") == "500"
    field.fill("Which <policy>? Car or home?")
    policy.get_by_role("button", name="Send").click()
    expect(policy.get_by_role("status")).to_have_text("Thanks for telling us.")
    expect(field).to_have_count(0)

    eventually(lambda: partner.counts("premium"), (1, 1, 0))
    eventually(lambda: partner.counts("policy"), (1, 0, 1))
    assert [c["text"] for c in partner.stats()["comments"]] == ["Which <policy>? Car or home?"]
    # Simple requests: no preflight, no credentials, a text/plain body.
    assert [r.method for r in requests].count("OPTIONS") == 0
    votes = [r for r in requests if r.url.endswith("/api/v1/feedback")]
    assert [json.loads(r.post_data or "") for r in votes] == [
        {"term": "premium", "helpful": True},
        {"term": "policy", "helpful": False},
        {"term": "policy", "comment": "Which <policy>? Car or home?"},  # no second vote
    ]
    assert all("text/plain" in r.headers["content-type"] for r in votes)
    assert all("cookie" not in r.headers for r in requests)

    admin = browser.new_context(http_credentials={"username": "admin", "password": PASSWORD})
    try:
        report = admin.new_page()
        report.goto(f"{partner.glossary.url}/admin/")
        expect(report.locator(".admin-comments")).to_contain_text("Which <policy>? Car or home?")
        expect(report.get_by_role("row").filter(has_text=partner.origin).first).to_be_visible()
    finally:
        admin.close()


def test_no_cookie_of_the_glossarys_site_goes_with_an_open_or_a_vote(page: Page, partner: Partner) -> None:
    """A glossary on the publisher's domain gets the publisher's cookies on its requests from
    pages of the same site; the widget sends none (sendBeacon, which it used for opens, did)."""
    page.context.add_cookies([{"name": "publisher_session", "value": "secret", "url": partner.glossary.url}])
    same_site = partner.origin.replace("localhost", "127.0.0.1")  # the glossary is on 127.0.0.1
    requests = posts(partner.page(page, "article.html", origin=same_site))

    open_card(page, "premium").get_by_role("button", name="Yes").click()
    expect(card(page, "premium").get_by_role("status")).to_have_text("Thanks")

    def stored() -> list[tuple[str, int, int]]:
        return [(r["site"], r["opens"], r["helpful_yes"]) for r in partner.stats()["term_sites"]]

    eventually(stored, [(same_site, 1, 1)])
    sent = [r for r in requests if r.method == "POST"]
    assert sorted(r.url.rsplit("/", 1)[1] for r in sent) == ["events", "feedback"]
    assert all("cookie" not in r.all_headers() for r in sent)


def test_a_card_opened_twice_counts_one_open_and_asks_for_one_vote(page: Page, partner: Partner) -> None:
    requests = posts(partner.page(page, "article.html"))
    open_card(page, "premium").get_by_role("button", name="Yes").click()
    expect(card(page, "premium").get_by_role("status")).to_have_text("Thanks")
    page.keyboard.press("Escape")
    expect(card(page)).to_have_count(0)

    again = open_card(page, "premium")

    expect(again.get_by_role("link", name="Read the full entry")).to_be_visible()
    expect(again.get_by_role("button", name="Yes")).to_have_count(0)
    eventually(lambda: partner.counts("premium"), (1, 1, 0))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == ["events", "feedback"]


@pytest.mark.parametrize("attributes", ['data-feedback="off"', f'data-site="{QUIET_SITE}"'])
def test_feedback_off_shows_no_buttons_and_sends_nothing(page: Page, partner: Partner, attributes: str) -> None:
    requests = posts(partner.page(page, "quiet.html", attributes))

    opened = open_card(page, "premium")
    expect(opened.get_by_role("link", name="Read the full entry")).to_be_visible()  # the whole card is in
    expect(opened.get_by_role("button", name="Yes")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(open_card(page, "policy").get_by_role("button", name="No")).to_have_count(0)
    page.goto("about:blank")  # a beacon is sent at the latest as the page goes

    assert requests == []
    assert partner.stats()["term_sites"] == []


def test_the_tag_turns_feedback_on_where_the_site_file_has_it_off(page: Page, partner: Partner) -> None:
    """The tag's data-* attributes beat the site file's settings, this one too."""
    partner.page(page, "loud.html", f'data-site="{QUIET_SITE}" data-feedback="on"')
    expect(open_card(page, "premium").get_by_role("button", name="Yes")).to_be_visible()


@pytest.mark.parametrize("polluted", [False, True], ids=["", "Object.prototype polluted"])
def test_a_glossary_without_a_feedback_endpoint_gets_no_buttons_and_no_beacon(
    page: Page, fixture_server: LiveServer, polluted: bool
) -> None:
    """Also where a script of the page gave every object a `feedback` and an `api` (prototype
    pollution): neither categories.json nor the tag (no data-api) has one of its own, and
    neither the glossary nor the votes may come from or go where the page says."""
    if polluted:
        page.add_init_script("Object.prototype.feedback = Object.prototype.api = location.origin + '/collect/'")
    requests = posts(page)
    page.goto(f"{fixture_server.url}/examples/card.html")

    opened = open_card(page, "premium")
    expect(opened.get_by_role("link", name="Read the full entry")).to_be_visible()
    expect(opened.get_by_role("button", name="Yes")).to_have_count(0)
    page.goto("about:blank")

    assert requests == []


def test_categories_json_names_the_feedback_endpoint_only_where_there_is_one(
    partner: Partner, fixture_server: LiveServer, tmp_path: Path
) -> None:
    def categories(server: LiveServer) -> dict[str, Any]:
        with urllib.request.urlopen(f"{server.url}/api/v1/categories.json") as response:
            return json.load(response)

    assert categories(partner.glossary)["feedback"] == "api/v1/"
    assert "feedback" not in categories(fixture_server)
    build_site(FIXTURES / "glossary", tmp_path / "cdn", feedback_url="https://glossary.example.org")
    exported = json.loads((tmp_path / "cdn" / "api/v1/categories.json").read_text(encoding="utf-8"))
    assert exported["feedback"] == "https://glossary.example.org/api/v1/"
    build_site(FIXTURES / "glossary", tmp_path / "plain")
    assert "feedback" not in json.loads((tmp_path / "plain" / "api/v1/categories.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("failure", ["network", "503"])
def test_a_vote_that_is_not_stored_says_so_and_leaves_the_page_alone(
    page: Page, partner: Partner, failure: str
) -> None:
    def fail(route: Any) -> None:
        if failure == "network":
            route.abort()
        else:
            route.fulfill(status=503, content_type="application/json", body='{"error": "busy"}')

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/api/v1/feedback", fail)
    partner.page(page, "article.html")

    opened = open_card(page, "premium")
    opened.get_by_role("button", name="No").click()

    expect(opened.get_by_role("status")).to_have_text("Could not send")
    expect(opened.get_by_label("What was missing or wrong?")).to_have_count(0)
    expect(opened).to_be_visible()
    assert errors == []


def test_the_keyboard_alone_votes_no_and_comments(page: Page, partner: Partner) -> None:
    partner.page(page, "article.html")
    term(page, "premium").focus()
    opened = card(page, "premium")
    expect(opened.locator(".title")).to_be_visible()
    page.keyboard.press("Enter")  # into the card

    no = opened.get_by_role("button", name="No")
    for _ in range(10):
        page.keyboard.press("Tab")
        if no.evaluate("button => button.getRootNode().activeElement === button"):
            break
    page.keyboard.press("Enter")
    field = opened.get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()
    page.keyboard.type("Too short")
    page.keyboard.press("Enter")

    expect(opened.get_by_role("status")).to_have_text("Thanks for telling us.")
    expect(opened).to_be_visible()
    eventually(lambda: [c["text"] for c in partner.stats()["comments"]], ["Too short"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_card_with_the_feedback_block(page: Page, partner: Partner, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    partner.page(page, "article.html")
    opened = open_card(page, "premium")
    expect(opened.get_by_role("button", name="Yes")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    opened.get_by_role("button", name="No").click()
    expect(opened.get_by_label("What was missing or wrong?")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("size", [(320, 300), (900, 260)], ids=["phone", "laptop"])
def test_after_no_the_focused_comment_field_is_in_sight(page: Page, partner: Partner, size: tuple[int, int]) -> None:
    """In a short window the card scrolls. It is placed again for the new field before focus goes
    there: placing resets its scroll, which left the focused field below the card's bottom edge
    (WCAG 2.4.7, 2.4.11)."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    partner.page(page, "article.html")
    opened = open_card(page, "premium")
    opened.get_by_role("button", name="No").click()
    field = opened.get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()

    shown, box = opened.bounding_box(), field.bounding_box()
    assert shown and box
    assert shown["y"] <= box["y"] and box["y"] + box["height"] <= shown["y"] + shown["height"], (shown, box)
