"""The reader's off switch: the card's control, the stored choice, the page's toggles, the API.

Off is everything destroy() undoes but the global; the choice is stored under one documented key
of the site's localStorage, and where storage is blocked or throws it lasts for the page view.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import LiveServer
from playwright.sync_api import Page, Request, Route, expect

from tests.support.card import card
from tests.support.widget import (
    RECORD_PAGE,
    Console,
    highlights,
    install_clock,
    open_ready,
    pause_clock,
    run_clock,
    settle,
    wait_ready,
)

SITE_OWNERS_DOCS = Path(__file__).resolve().parent.parent / "docs" / "site-owners.md"

PAGE = "/examples/switch.html"
OFF_KEY = "glossary-widget:off"  # the key the docs document, written out here
HIGHLIGHTED = [
    ("policy", "policy"),
    ("premium", "premium"),
    ("data-broker", "data broker"),
    ("wage-theft", "wage theft"),
]
ON, OFF = "Glossary highlights: on", "Glossary highlights: off"

STORAGE_JS = """() => ({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"""
NOTHING_STORED = {"local": {}, "session": {}, "cookie": ""}
OFF_STORED = {"local": {OFF_KEY: "1"}, "session": {}, "cookie": ""}

# Storage that throws, as with blocked site data or a full quota: reaching localStorage at all,
# or each of its methods.
THROWING_STORAGE = {
    "access": """Object.defineProperty(window, "localStorage", {
        get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
    });""",
    "methods": """for (const name of ["getItem", "setItem", "removeItem"]) {
        Storage.prototype[name] = () => { throw new DOMException("Quota exceeded", "QuotaExceededError"); };
    }""",
}


def api_requests(page: Page) -> list[str]:
    """The paths of the glossary API requests the page makes from now on."""
    paths: list[str] = []

    def record(request: Request) -> None:
        if "/api/" in request.url:
            paths.append(request.url.split("/api/", 1)[1])

    page.on("request", record)
    return paths


def root_text(page: Page) -> str:
    return page.evaluate("document.querySelector('#root').textContent")


def expect_toggles(page: Page, label: str) -> None:
    for toggle in ("#toggle", "#span-toggle"):
        # The label says the state; no aria-pressed besides, which would say it twice ("off,
        # not pressed"): a toggle's label changes or its pressed state does (APG), not both.
        expect(page.locator(toggle)).to_have_text(label)
        expect(page.locator(toggle)).not_to_have_attribute("aria-pressed", re.compile(""))


def expect_off(page: Page, before_text: str) -> None:
    """Off: no highlight, no card, no stylesheet, the page's text as it was; the global stays."""
    expect(page.locator("glossary-term")).to_have_count(0)
    expect(page.locator("glossary-card")).to_have_count(0)
    assert root_text(page) == before_text
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    assert page.evaluate("typeof GlossaryWidget.enable") == "function"
    expect_toggles(page, OFF)


def assert_started_off(page: Page) -> None:
    """Asserts that the widget started switched off, once its start is over: switched on, it
    would answer a scan only after loading the index and scanning the page (scans wait for the
    start-up), so the test does not have to wait for requests or highlights that must not come."""
    assert page.evaluate("GlossaryWidget.scan()") is None


def turn_off_from_the_card(page: Page) -> None:
    page.locator('glossary-term[data-glossary-term="premium"]').hover()
    card(page, "premium").get_by_role("button", name="Turn off highlights").click()


def test_off_from_the_card_lasts_across_a_reload_until_the_toggle_turns_it_on(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    console = Console.attach(page)
    open_ready(page, fixture_server.url + PAGE)
    assert highlights(page, "#root") == HIGHLIGHTED
    before_text = page.evaluate("window.__before.rootText")

    turn_off_from_the_card(page)

    expect_off(page, before_text)
    assert page.evaluate(STORAGE_JS) == OFF_STORED

    requests = api_requests(page)
    page.reload()
    expect_toggles(page, OFF)  # the widget has run
    assert_started_off(page)
    assert highlights(page) == []
    assert root_text(page) == before_text
    assert requests == []  # neither categories.json nor an index
    page.evaluate("window.__sameView = true")

    page.locator("#toggle").click()

    wait_ready(page)
    assert highlights(page, "#root") == HIGHLIGHTED
    expect_toggles(page, ON)
    assert page.evaluate("window.__sameView") is True  # without a reload
    assert requests[0] == "v1/categories.json"
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED
    assert console.errors == [] and console.page_errors == []


def test_every_element_with_data_glossary_toggle_becomes_a_switch(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, fixture_server.url + PAGE)
    button, span = page.locator("#toggle"), page.locator("#span-toggle")
    expect_toggles(page, ON)
    shape = "el => [el.localName, el.getAttribute('role'), el.getAttribute('tabindex')]"
    assert button.evaluate(shape) == ["button", None, None]  # a button keeps its tag
    assert span.evaluate(shape) == ["span", "button", "0"]
    expect(page.get_by_role("button", name=ON)).to_have_count(2)

    span.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=OFF)).to_have_count(2)
    assert highlights(page) == []
    page.keyboard.press(" ")
    wait_ready(page, 2)
    expect_toggles(page, ON)
    assert highlights(page, "#root") == HIGHLIGHTED

    button.focus()
    page.keyboard.press("Enter")  # the button's own click: switched once, not twice
    expect_toggles(page, OFF)
    page.keyboard.press(" ")
    wait_ready(page, 3)
    expect_toggles(page, ON)


def test_the_cards_control_is_a_button_that_the_keyboard_reaches(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, fixture_server.url + PAGE)
    before_text = page.evaluate("window.__before.rootText")
    page.locator('glossary-term[data-glossary-term="premium"]').focus()
    expect(card(page, "premium").get_by_role("link").last).to_be_attached()  # loaded

    page.keyboard.press("Enter")  # into the card, at its first link
    for _ in range(card(page, "premium").get_by_role("link").count()):
        page.keyboard.press("Tab")
    expect(card(page, "premium").get_by_role("button", name="Turn off highlights")).to_be_focused()
    page.keyboard.press("Enter")

    expect_off(page, before_text)
    assert page.evaluate(STORAGE_JS) == OFF_STORED


def test_disable_and_enable_from_a_script_switch_without_fetching_the_index_again(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    requests = api_requests(page)
    open_ready(page, fixture_server.url + PAGE)
    before_text = page.evaluate("window.__before.rootText")
    fetched = list(requests)

    page.evaluate("GlossaryWidget.disable()")
    page.evaluate("GlossaryWidget.disable()")  # twice is harmless

    expect_off(page, before_text)
    assert page.evaluate(STORAGE_JS) == OFF_STORED
    assert page.evaluate("GlossaryWidget.scan()") is None

    page.evaluate("GlossaryWidget.enable()")
    page.evaluate("GlossaryWidget.enable()")

    wait_ready(page, 2)
    assert highlights(page, "#root") == HIGHLIGHTED
    expect_toggles(page, ON)
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED
    settle(page)  # a second scan would have ended by now
    assert page.evaluate("window.__readyEvents.length") == 2  # one scan for the two calls
    assert requests == fetched  # the index was loaded once in this page view


def test_switched_on_after_a_view_that_started_off_it_fetches_the_index(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, fixture_server.url + PAGE)  # its requests done before recording starts
    page.evaluate(f"localStorage.setItem('{OFF_KEY}', '1')")
    requests = api_requests(page)
    page.reload()
    expect_toggles(page, OFF)
    assert_started_off(page)
    assert requests == []

    page.evaluate("GlossaryWidget.enable()")

    wait_ready(page)
    assert highlights(page, "#root") == HIGHLIGHTED
    assert "v1/categories.json" in requests
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED


@pytest.mark.parametrize("blocked", THROWING_STORAGE, ids=list(THROWING_STORAGE))
def test_with_storage_throwing_the_switch_works_for_the_page_view_silently(
    page: Page,
    fixture_server: LiveServer,
    blocked: str,
) -> None:
    console = Console.attach(page)
    page.add_init_script(THROWING_STORAGE[blocked])
    open_ready(page, fixture_server.url + PAGE)
    before_text = page.evaluate("window.__before.rootText")
    assert highlights(page, "#root") == HIGHLIGHTED

    turn_off_from_the_card(page)
    expect_off(page, before_text)
    page.locator("#span-toggle").click()
    wait_ready(page, 2)
    assert highlights(page, "#root") == HIGHLIGHTED
    page.evaluate("GlossaryWidget.disable()")
    expect_off(page, before_text)

    page.reload()  # nothing could be stored: the next view starts on
    wait_ready(page)
    assert highlights(page, "#root") == HIGHLIGHTED
    assert console.errors == [] and console.warnings == [] and console.page_errors == []


@pytest.mark.parametrize("state", ["on", "off"])
def test_destroy_puts_the_page_and_its_toggles_back_as_they_were(
    page: Page,
    fixture_server: LiveServer,
    state: str,
) -> None:
    # The page as parsed, before deferred scripts run (the widget labels toggles at once).
    install_clock(page)
    page.add_init_script("""document.addEventListener("readystatechange", () => {
        window.__parsed = document.documentElement.outerHTML;
        window.__toggles = [...document.querySelectorAll("[data-glossary-toggle]")].map((t) => t.outerHTML);
    }, {once: true});""")
    open_ready(page, fixture_server.url + PAGE)
    if state == "off":
        page.evaluate("GlossaryWidget.disable()")
    stored = page.evaluate(STORAGE_JS)

    pause_clock(page)
    page.evaluate("GlossaryWidget.destroy()")

    assert page.evaluate("document.documentElement.outerHTML") == page.evaluate("window.__parsed")
    # In place of each toggle, a copy of it as the page made it: its own content and attributes.
    toggles = page.evaluate("[...document.querySelectorAll('[data-glossary-toggle]')].map((t) => t.outerHTML)")
    assert toggles == page.evaluate("window.__toggles")
    assert len(toggles) > 1 and any("<b>" in toggle for toggle in toggles)
    assert page.evaluate("'GlossaryWidget' in window") is False
    page.locator("#toggle").click()  # a plain button again
    run_clock(page)  # a scan the click started would have ended by now
    assert highlights(page) == []
    assert page.evaluate(STORAGE_JS) == stored  # destroy() is the site's call, not the reader's


def test_toggles_the_page_adds_later_are_switches_too(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, fixture_server.url + PAGE)
    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        "<div id='late'><p data-glossary-toggle id='late-toggle'></p></div>")""")
    expect(page.locator("#late-toggle")).to_have_text(ON)
    expect(page.locator("#late-toggle")).to_have_attribute("role", "button")

    page.locator("#late-toggle").click()
    expect_toggles(page, OFF)
    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        "<button data-glossary-toggle id='later-toggle'></button>")""")
    expect(page.locator("#later-toggle")).to_have_text(OFF)

    page.locator("#later-toggle").click()
    wait_ready(page, 2)
    expect(page.locator("#late-toggle")).to_have_text(ON)
    assert highlights(page, "#root") == HIGHLIGHTED


def test_a_session_of_use_stores_nothing_but_the_one_key(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, fixture_server.url + PAGE)
    page.locator('glossary-term[data-glossary-term="policy"]').hover()
    expect(card(page, "policy").get_by_role("link").last).to_be_visible()
    page.locator('glossary-term[data-glossary-term="premium"]').focus()
    expect(card(page, "premium")).to_be_visible()
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED

    turn_off_from_the_card(page)
    assert page.evaluate(STORAGE_JS) == OFF_STORED
    page.locator("#toggle").click()
    wait_ready(page, 2)
    page.evaluate("GlossaryWidget.disable(); GlossaryWidget.enable()")
    wait_ready(page, 3)

    assert page.evaluate(STORAGE_JS) == NOTHING_STORED
    assert page.context.cookies() == []


def test_the_docs_document_the_key_the_toggle_and_the_api() -> None:
    text = SITE_OWNERS_DOCS.read_text(encoding="utf-8")
    for documented in (
        f"`{OFF_KEY}`",
        "`data-glossary-toggle`",
        "`GlossaryWidget.enable()`",
        "`GlossaryWidget.disable()`",
        '"Turn off highlights"',
        ON,
        OFF,
    ):
        assert documented in text, documented


def test_the_widgets_observers_see_none_of_its_own_writes(page: Page, fixture_server: LiveServer) -> None:
    """The toggles' observer watches the whole document: a scan's writes (thousands of records on
    a long page) are kept from it, as from the observer of later content."""
    page.add_init_script("""
        window.__records = 0;
        const Observer = window.MutationObserver;
        window.MutationObserver = class extends Observer {
            constructor(callback) {
                super((records, observer) => {
                    window.__records += records.length;
                    callback(records, observer);
                });
            }
        };
    """)
    open_ready(page, fixture_server.url + PAGE)
    page.locator('glossary-term[data-glossary-term="premium"]').focus()  # the card joins the page
    expect(card(page, "premium")).to_be_visible()
    page.evaluate("GlossaryWidget.disable(); GlossaryWidget.enable()")
    wait_ready(page, 2)

    assert page.evaluate("window.__records") == 0
    page.evaluate("document.body.append(document.createElement('p'))")  # the control: the page's own
    page.wait_for_function("window.__records > 0")


def test_a_glossary_that_does_not_load_leaves_the_toggles_off_and_switching_on_tries_again(
    page: Page, fixture_server: LiveServer
) -> None:
    """An outage (or a switched-off site): the toggles do not say "on" over a page without
    highlights; the reader's stored choice is left alone, and switching on fetches again."""

    def down(route: Route) -> None:
        route.fulfill(status=503, body="down")

    page.route("**/api/v1/categories.json", down)
    console = Console.attach(page)
    page.add_init_script(RECORD_PAGE)
    page.goto(fixture_server.url + PAGE)

    expect_toggles(page, OFF)
    assert any("glossary not loaded" in warning for warning in console.warnings)
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED
    page.unroute("**/api/v1/categories.json", down)

    page.locator("#toggle").click()

    wait_ready(page)
    assert highlights(page, "#root") == HIGHLIGHTED
    expect_toggles(page, ON)
    assert page.evaluate(STORAGE_JS) == NOTHING_STORED


def test_switching_off_and_on_while_the_glossary_loads_leaves_it_on(page: Page, fixture_server: LiveServer) -> None:
    """The first start, stopped while it loads, must not switch off the second one as it fails."""
    held: list[Route] = []
    page.route("**/api/v1/categories.json", lambda route: held.append(route))
    page.add_init_script(RECORD_PAGE)
    page.goto(fixture_server.url + PAGE)
    expect_toggles(page, ON)

    page.evaluate("GlossaryWidget.disable(), GlossaryWidget.enable()")
    page.unroute("**/api/v1/categories.json")

    wait_ready(page)
    assert highlights(page, "#root") == HIGHLIGHTED
    expect_toggles(page, ON)
