"""Hover cards with a mouse: timing, content, fetch-once caching, loading and failure.

The timing tests run the page on a paused clock (`open_page_with_paused_clock`) and move it on
themselves, so they hold to the millisecond on a busy machine. Keyboard, touch, placement, themes
and host pages are in the other test_card_*.py files.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.card import (
    CLOSE_MS,
    OPEN_MS,
    PREFETCH_MS,
    TERM_JSON,
    card,
    card_events,
    centre,
    hold_term_requests,
    hover,
    log_card_events,
    move_away,
    open_page,
    open_page_with_paused_clock,
    record_term_requests,
    rect,
    rest_on,
    term,
    term_json,
)


def test_card_shows_the_term_data_exactly_as_the_api_returned_it(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    data = term_json(fixture_server, page, "premium")

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_be_visible()
    expect(premium.locator(".title")).to_have_text(data["title"])
    expect(premium.locator(".definition")).to_have_text(data["definition"])
    # Exactly, not just after whitespace is normalised.
    assert premium.locator(".definition").text_content() == data["definition"]
    assert premium.locator(".warning p:not(.label)").text_content() == data["misuse"]
    # The warning is marked by an icon and a label, not by colour alone.
    expect(premium.locator(".warning")).to_contain_text("Watch out")
    label = premium.locator(".warning .label")
    expect(label).to_have_text("Watch out")  # the icon is not read out
    assert label.evaluate("p => getComputedStyle(p, '::before').content") == '"\u26a0" / ""'
    expect(premium.get_by_role("link", name="Read the full entry")).to_be_visible()
    # The entry page has the categories and related terms; the card shows neither.
    assert data["categories"] and data["related"]
    expect(premium.get_by_role("link")).to_have_text(["Read the full entry \u2192"])
    expect(premium).not_to_contain_text("Insurance")


@pytest.mark.parametrize("dwell", [0, PREFETCH_MS - 1], ids=["in-no-time", "just-under-the-prefetch-delay"])
def test_a_pointer_passing_over_a_term_opens_nothing_and_loads_nothing(page: Page, fixture_server, dwell: int) -> None:
    open_page_with_paused_clock(page, fixture_server)
    log_card_events(page)
    requests = record_term_requests(page)
    broker = term(page, "data-broker")
    x, y = centre(broker)
    width = broker.bounding_box()["width"]

    page.mouse.move(x - width, y)  # plain text before the term
    page.mouse.move(x, y)
    if dwell:
        page.clock.run_for(dwell)  # on the term for exactly this long, in page time
    page.mouse.move(x + width, y)  # plain text after it
    page.clock.run_for(OPEN_MS + CLOSE_MS)  # long past every delay of the widget

    assert card_events(page) == ["pointerover term", "pointerout term"]  # no fetch, no open
    expect(card(page)).to_have_count(0)
    expect(broker).to_have_attribute("aria-expanded", "false")
    # Nor did the network see a request: resting on the term now makes the first one.
    hover(page, broker)
    with page.expect_request("**/api/v1/terms/data-broker.json"):
        page.clock.run_for(PREFETCH_MS)
    assert requests == ["data-broker"]


def test_a_resting_pointer_loads_the_data_at_100_ms_and_opens_the_card_at_300_ms(page: Page, fixture_server) -> None:
    open_page_with_paused_clock(page, fixture_server)
    log_card_events(page)
    premium = term(page, "premium")

    hover(page, premium)

    page.clock.run_for(PREFETCH_MS - 1)
    assert card_events(page) == ["pointerover term"]
    page.clock.run_for(1)
    assert card_events(page) == ["pointerover term", "fetch premium"]
    page.clock.run_for(OPEN_MS - PREFETCH_MS - 1)
    expect(card(page)).to_have_count(0)
    expect(premium).to_have_attribute("aria-expanded", "false")
    page.clock.run_for(1)
    expect(card(page, "premium")).to_be_visible()
    expect(premium).to_have_attribute("aria-expanded", "true")
    assert card_events(page) == ["pointerover term", "fetch premium", "open"]


def test_moving_onto_the_card_keeps_it_open_and_leaving_both_closes_it(page: Page, fixture_server) -> None:
    open_page_with_paused_clock(page, fixture_server)
    premium = card(page, "premium")
    rest_on(page, term(page, "premium"))
    expect(premium.get_by_text("Read the full entry")).to_be_visible()
    log_card_events(page)

    x, _ = centre(term(page, "premium"))
    page.mouse.move(x, rect(term(page, "premium"))["bottom"] + 4)  # the gap between them
    page.clock.run_for(CLOSE_MS // 2)  # a slow hand
    hover(page, premium)
    page.clock.run_for(CLOSE_MS + 100)
    expect(premium).to_be_visible()

    move_away(page)
    page.clock.run_for(CLOSE_MS - 1)
    expect(premium).to_be_visible()
    page.clock.run_for(1)

    expect(premium).to_be_hidden()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
    assert card_events(page) == ["pointerout term", "pointerover card", "pointerout card", "closed"]


def test_leaving_the_term_closes_the_card_unless_the_pointer_comes_back(page: Page, fixture_server) -> None:
    open_page_with_paused_clock(page, fixture_server)
    premium = card(page, "premium")
    rest_on(page, term(page, "premium"))
    expect(premium).to_be_visible()

    move_away(page)
    page.clock.run_for(CLOSE_MS - 1)
    hover(page, term(page, "premium"))  # back within the close delay
    page.clock.run_for(CLOSE_MS + 100)
    expect(premium).to_be_visible()

    move_away(page)
    page.clock.run_for(CLOSE_MS - 1)
    expect(premium).to_be_visible()
    page.clock.run_for(1)
    expect(premium).to_be_hidden()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("clicked", ["term", "card"])
def test_a_card_clicked_into_stays_open_when_the_pointer_leaves_until_a_click_elsewhere(
    page: Page, fixture_server, clicked: str
) -> None:
    """WCAG 1.4.13 persistent: a card the reader clicked (so focused) does not vanish because
    the mouse moved on; it waits for focus to move, Escape, or a click elsewhere."""
    open_page_with_paused_clock(page, fixture_server)
    premium = card(page, "premium")
    if clicked == "term":
        term(page, "premium").click()  # opens at once, without the hover delay
    else:
        rest_on(page, term(page, "premium"))
        premium.locator(".definition").click()
    expect(premium.get_by_text("Read the full entry")).to_be_visible()

    hover(page, premium)
    move_away(page)
    page.clock.run_for(CLOSE_MS + 100)
    expect(premium).to_be_visible()

    page.mouse.click(4, 4)  # the empty page margin

    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


def test_one_card_at_a_time(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    hover(page, term(page, "premium"))
    expect(card(page, "premium")).to_be_visible()

    hover(page, term(page, "aca"), steps=4)

    expect(card(page, "aca")).to_be_visible()
    expect(card(page)).to_have_count(1)
    expect(card(page, "premium")).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
    expect(term(page, "aca")).to_have_attribute("aria-expanded", "true")
    assert page.locator("glossary-card").count() == 1


def test_term_data_is_fetched_once_per_page(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    requests = record_term_requests(page)
    premium = card(page, "premium")

    for _ in range(2):
        hover(page, term(page, "premium"))
        expect(premium.get_by_text("Read the full entry")).to_be_visible()
        move_away(page)
        expect(premium).to_be_hidden()
    term(page, "premium").focus()
    expect(premium.get_by_text("Read the full entry")).to_be_visible()

    assert requests == ["premium"]


def test_a_request_started_at_rest_completes_and_serves_the_next_rest(page: Page, fixture_server) -> None:
    """The pointer leaves after the data was asked for but before the card opened: no card, and
    the request is not aborted (it is small and may be wanted a moment later), so resting on the
    term again opens the card from it, with no second request."""
    open_page_with_paused_clock(page, fixture_server)
    held = hold_term_requests(page)

    hover(page, term(page, "premium"))
    with page.expect_request("**/api/v1/terms/premium.json"):
        page.clock.run_for(PREFETCH_MS)  # rested long enough to load the data, not to open the card
    move_away(page)
    page.clock.run_for(OPEN_MS + CLOSE_MS)
    expect(card(page)).to_have_count(0)
    with page.expect_event("requestfinished", timeout=5000) as finished:
        held[0].continue_()
    assert finished.value.url.endswith("/api/v1/terms/premium.json")

    hover(page, term(page, "premium"))
    page.clock.run_for(OPEN_MS)
    expect(card(page, "premium").get_by_text("Read the full entry")).to_be_visible()
    assert len(held) == 1


def test_a_pointer_passing_another_highlight_of_the_open_term_does_not_cancel_its_data(
    page: Page, fixture_server
) -> None:
    """With `all` occurrences, a card opened by focus is still loading when the pointer passes
    another highlight of the same term: that must not abort the request the card waits for."""
    held = hold_term_requests(page)
    page.route(
        f"{fixture_server.url}/examples/twice.html",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!doctype html><html lang=en><body><article><p>The premium is due.</p>"
                '<p style="margin-top:200px">Pay the premium monthly.</p></article>'
                '<script src="/widget.js" data-occurrences="all" defer></script></body></html>'
            ),
        ),
    )
    open_page_with_paused_clock(page, fixture_server, "twice.html")
    first, second = term(page, "premium").first, term(page, "premium").last
    first.focus()
    expect(card(page, "premium")).to_be_visible()

    hover(page, second)
    move_away(page)
    page.clock.run_for(OPEN_MS)
    held[0].continue_()

    expect(card(page, "premium").get_by_role("link", name="Read the full entry")).to_be_visible()
    assert len(held) == 1


def test_slow_data_shows_a_loading_state_then_the_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    held = hold_term_requests(page)

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_be_visible()
    expect(premium).to_have_text("Loading\u2026")
    expect(premium).to_have_accessible_name("premium")  # the dialog has a name while loading
    assert len(held) == 1
    held[0].fulfill(response=held[0].fetch())
    expect(premium).to_have_accessible_name("Premium")  # the title, once it is in
    definition = term_json(fixture_server, page, "premium")["definition"]
    expect(premium.locator(".definition")).to_have_text(definition)


def test_failed_data_shows_a_short_quiet_message(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(TERM_JSON, lambda route: route.fulfill(status=500, body="oops"))

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_have_text("This definition could not be loaded.")
    expect(premium).to_have_accessible_name("premium")
    assert len(premium.inner_text()) < 60
    expect(premium.get_by_role("link")).to_have_count(0)
    assert errors == []

    # A failure is not cached: once the server answers again, the card works.
    page.unroute(TERM_JSON)
    move_away(page)
    expect(premium).to_be_hidden()
    hover(page, term(page, "premium"))
    expect(premium.locator(".definition")).to_be_visible()


def test_escape_dismisses_a_card_opened_by_hover_until_the_pointer_comes_back(page: Page, fixture_server) -> None:
    open_page_with_paused_clock(page, fixture_server)
    rest_on(page, term(page, "premium"))
    expect(card(page, "premium")).to_be_visible()

    page.keyboard.press("Escape")

    expect(card(page)).to_have_count(0)
    page.mouse.move(*centre(term(page, "premium")))  # still resting on the term
    page.clock.run_for(OPEN_MS + CLOSE_MS)
    expect(card(page)).to_have_count(0)
    move_away(page)
    rest_on(page, term(page, "premium"))
    expect(card(page, "premium")).to_be_visible()


def test_api_text_is_shown_as_text(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    data = term_json(fixture_server, page, "premium")
    data["definition"] = '<img src=x onerror="window.hacked = 1">Bold <b>claim</b>'
    data["misuse"] = "<script>window.hacked = 1</script>"
    data["title"] = "<i>Premium</i>"
    page.route(TERM_JSON, lambda route: route.fulfill(json=data))

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium.locator(".definition")).to_have_text(data["definition"])
    expect(premium.locator(".warning")).to_contain_text(data["misuse"])
    expect(premium.locator(".title")).to_have_text("<i>Premium</i>")
    assert premium.locator("img, b, i, script").count() == 0
    assert page.evaluate("window.hacked") is None
