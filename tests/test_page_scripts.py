"""The glossary's own pages in Chromium, where the review found them failing a reader: the entry
page's "Was this helpful?" with the keyboard alone and when a post fails, and the entry page and
/admin/ on a 320 px wide phone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import FIXTURES, LiveServer
from playwright.sync_api import Browser, Locator, Page, Route, expect

from widget_server.app import create_app

PASSWORD = "page scripts"
ENTRY = "/glossary/premium/"
# An autolinked URL with nowhere to break, far wider than a phone.
LONG_URL = "https://www.example.com/consumer-protection/insurance/premiums/how-an-insurer-sets-the-premium-you-pay"
PHONE = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The fixture glossary, Premium's definition ending in LONG_URL, with a feedback store
    and /admin/."""
    root = tmp_path_factory.mktemp("page-scripts")
    data = shutil.copytree(FIXTURES / "glossary", root / "glossary")
    premium = data / "terms" / "premium.md"
    text = premium.read_text("utf-8")
    premium.write_text(text.replace("small, stable glossary.", f"small, stable glossary. See <{LONG_URL}>."), "utf-8")
    app = create_app(data, state_dir=root / "state", admin_password=PASSWORD)
    with LiveServer(app) as live:
        yield live


def feedback(page: Page) -> Locator:
    return page.locator(".entry-feedback")


def fail_posts(page: Page, how: str) -> list[str]:
    """Makes every post of an answer fail `how` (a status, or "network"); returns the bodies."""
    bodies: list[str] = []

    def handle(route: Route) -> None:
        bodies.append(route.request.post_data or "")
        if how == "network":
            route.abort()
        else:
            route.fulfill(status=int(how), body="")

    page.route("**/api/v1/feedback", handle)
    return bodies


def press(page: Page, name: str) -> None:
    """Focuses the feedback block's button `name` and presses Enter: the keyboard alone."""
    feedback(page).get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")


def test_after_yes_focus_stays_on_the_answer(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}{ENTRY}")
    press(page, "Yes")

    status = feedback(page).get_by_role("status")
    expect(status).to_have_text("Thanks")
    expect(status).to_be_focused()


def test_after_send_focus_stays_on_the_answer(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}{ENTRY}")
    press(page, "No")
    field = feedback(page).get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()
    page.keyboard.type("Which costs count?")
    page.keyboard.press("Enter")

    status = feedback(page).get_by_role("status")
    expect(status).to_have_text("Thanks for telling us.")
    expect(status).to_be_focused()
    expect(field).to_be_hidden()


@pytest.mark.parametrize("how", ["429", "503", "network"])
def test_a_vote_that_fails_can_be_sent_again(page: Page, server: LiveServer, how: str) -> None:
    page.goto(f"{server.url}{ENTRY}")
    bodies = fail_posts(page, how)
    press(page, "No")

    block = feedback(page)
    expect(block.get_by_role("status")).to_contain_text("could not be sent")
    # The buttons are back, focus on the one pressed, and the status is still a polite region.
    expect(block.get_by_role("button", name="No")).to_be_focused()
    expect(block.get_by_role("button", name="Yes")).to_be_visible()
    assert block.get_by_role("status").get_attribute("aria-live") in (None, "polite")

    page.unroute("**/api/v1/feedback")
    page.keyboard.press("Enter")
    expect(block.get_by_role("status")).to_have_text("Thanks")
    expect(block.get_by_label("What was missing or wrong?")).to_be_focused()
    assert [json.loads(body) for body in bodies] == [{"term": "premium", "helpful": False}]


@pytest.mark.parametrize("how", ["429", "503", "network"])
def test_a_comment_that_fails_keeps_its_text_to_send_again(page: Page, server: LiveServer, how: str) -> None:
    page.goto(f"{server.url}{ENTRY}")
    press(page, "No")
    block = feedback(page)
    field = block.get_by_label("What was missing or wrong?")
    expect(field).to_be_focused()
    bodies = fail_posts(page, how)
    page.keyboard.type("Does it include fees?")
    page.keyboard.press("Enter")

    expect(block.get_by_role("status")).to_contain_text("could not be sent")
    expect(field).to_be_focused()
    expect(field).to_have_value("Does it include fees?")

    page.unroute("**/api/v1/feedback")
    sent = []
    page.on("request", lambda request: sent.append(request.post_data) if request.method == "POST" else None)
    page.keyboard.press("Enter")
    expect(block.get_by_role("status")).to_have_text("Thanks for telling us.")
    expect(block.get_by_role("status")).to_be_focused()
    # The comment alone, as when it is sent the first time: its "No" was counted already.
    assert [json.loads(body) for body in bodies + sent] == [{"term": "premium", "comment": "Does it include fees?"}] * 2


def test_an_entry_page_with_a_long_url_fits_a_phone(page: Page, server: LiveServer) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{server.url}{ENTRY}")
    link = page.get_by_role("link", name=LONG_URL)
    expect(link).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_the_admin_report_fits_a_phone_its_tables_scroll_in_place(
    page: Page, browser: Browser, server: LiveServer
) -> None:
    # An open and a vote from a partner page's origin, so that every table has a row.
    page.goto(f"{server.url}{ENTRY}")
    page.evaluate(
        """async () => {
        const post = (path, body) => fetch(`/api/v1/${path}`, {method: "POST", body: JSON.stringify(body)});
        await post("events", {event: "open", term: "premium"});
        await post("feedback", {term: "premium", helpful: true});
    }"""
    )
    admin = browser.new_context(viewport=PHONE, http_credentials={"username": "admin", "password": PASSWORD})
    try:
        report = admin.new_page()
        report.goto(f"{server.url}/admin/")
        expect(report.get_by_role("table")).to_have_count(3)

        assert report.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        regions = report.get_by_role("region")
        for name in ("Per term", "Per term and site", "Per day"):
            region = regions.filter(has=report.get_by_role("table", name=name, exact=True))
            expect(region).to_have_accessible_name(name)
            expect(region).to_have_attribute("tabindex", "0")
        # The widest one does scroll, inside its region.
        widths = regions.evaluate_all("rs => rs.map((r) => r.scrollWidth - r.clientWidth)")
        assert max(widths) > 0
        results = Axe().run(report)
        assert results.violations_count == 0, results.generate_report()
    finally:
        admin.close()


def visible_terms(page: Page) -> list[str]:
    return page.locator(".term-list li:visible").all_inner_texts()


def test_find_a_term_filters_the_index_by_title_and_alias(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/glossary/")
    field = page.get_by_role("searchbox", name="Find a term")
    status = page.get_by_role("status")
    everything = visible_terms(page)

    field.fill("hsa")  # an alias, in another case
    expect(status).to_have_text("1 term found")
    assert visible_terms(page) == ["Health Savings Account"] * 2  # listed in two categories
    expect(page.locator("section.category:visible")).to_have_count(2)
    expect(page.get_by_role("navigation", name="Categories").get_by_role("link")).to_have_text(
        ["Finance", "Healthcare"]
    )

    field.fill("cafe")  # without the accent the title has
    assert visible_terms(page) == ["Café Fee"]
    field.fill("  account   savings ")  # every word, in any order
    assert sorted(set(visible_terms(page))) == ["Health Savings Account", "Savings Account"]
    field.fill("workers’ comp")  # a typographic apostrophe
    assert set(visible_terms(page)) == {"Workers' Compensation"}
    field.fill("non compete")  # a space for the title's hyphen
    assert visible_terms(page) == ["Non-Compete Agreement"]
    field.fill("wage-theft")  # and a hyphen for its space
    assert visible_terms(page) == ["Wage Theft"]
    expect(page.locator(".count:visible")).to_have_count(0)  # the whole list's counts
    field.fill("zzz")
    expect(status).to_have_text("No term found for “zzz”")
    expect(page.locator("section.category:visible")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Categories")).to_be_hidden()

    field.fill("")
    expect(status).to_have_text("")
    assert visible_terms(page) == everything
    expect(page.locator(".count:visible")).not_to_have_count(0)


def test_find_a_term_keeps_the_words_in_the_address(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/glossary/")
    page.get_by_role("searchbox", name="Find a term").fill("wage")
    assert page.evaluate("location.href").endswith("/glossary/?q=wage")
    page.get_by_role("link", name="Wage Theft").click()
    page.go_back()
    expect(page.get_by_role("searchbox", name="Find a term")).to_have_value("wage")
    assert visible_terms(page) == ["Wage Theft"]

    page.goto(f"{server.url}/glossary/?q=broker")
    expect(page.get_by_role("searchbox", name="Find a term")).to_have_value("broker")
    assert visible_terms(page) == ["Data Broker"]
    page.get_by_role("searchbox", name="Find a term").press("Enter")  # nothing to send
    assert page.evaluate("location.href").endswith("/glossary/?q=broker")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(
    ("address", "first"),
    [("wage-theft-law", "Wage Theft"), ("data-brokers", "Data Broker"), ("Savings%20Accounts.html", "Savings Account")],
)
def test_a_missing_entry_address_suggests_the_entries_it_names(
    page: Page, server: LiveServer, address: str, first: str
) -> None:
    """A mistyped, guessed or old link to an entry: its words lead to the entries that have them."""
    response = page.goto(f"{server.url}/glossary/{address}/")

    assert response is not None and response.status == 404
    suggestions = page.get_by_role("navigation", name="Did you mean")
    expect(suggestions.get_by_role("link").first).to_have_text(first)
    assert 1 <= suggestions.get_by_role("link").count() <= 3
    if address == "wage-theft-law":  # the list is the same markup for every address
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    suggestions.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)


@pytest.mark.parametrize(
    "address", ["/glossary/zzqx/", "/glossary/a-of-to/", "/nothing.html", "/glossary/data/broker/"]
)
def test_no_suggestions_where_the_address_names_no_entry(page: Page, server: LiveServer, address: str) -> None:
    terms = []
    page.on("request", lambda request: terms.append(request.url) if "terms.json" in request.url else None)
    page.goto(f"{server.url}{address}")
    page.wait_for_load_state("networkidle")

    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".not-found-suggestions")).to_be_hidden()
    assert bool(terms) is (address == "/glossary/zzqx/")  # only an entry's address is looked up


def test_without_script_the_index_has_no_dead_search_box(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/glossary/")
        expect(page.get_by_role("searchbox")).to_have_count(0)
        expect(page.locator(".term-list li")).to_have_count(page.locator(".term-list li:visible").count())
    finally:
        context.close()
