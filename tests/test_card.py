"""Hover cards with a mouse: timing, content, fetch-once caching, aborting, loading and failure.

Keyboard, touch, placement, themes and host pages are in the other test_card_*.py files.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cardkit import (
    CLOSE_MS,
    TERM_JSON,
    OPEN_MS,
    card,
    card_log,
    centre,
    elapsed,
    hold_term_requests,
    hover,
    log_card_events,
    move_away,
    open_page,
    record_term_requests,
    rect,
    term,
    term_json,
)

pytestmark = pytest.mark.browser


def test_card_shows_the_term_data_exactly_as_the_api_returned_it(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    data = term_json(fixture_server, page, "premium")

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_be_visible()
    expect(premium.locator(".title")).to_have_text(data["title"])
    expect(premium.locator(".categories")).to_have_text("Insurance")
    expect(premium.locator(".definition")).to_have_text(data["definition"])
    expect(premium.locator(".warning")).to_contain_text(data["misuse"])
    # The warning is marked by an icon and a label, not by colour alone.
    expect(premium.locator(".warning")).to_contain_text("Watch out")
    expect(premium.locator(".warning [aria-hidden=true]")).to_have_text("\u26a0")
    expect(premium.locator(".related a")).to_have_text([r["title"] for r in data["related"]])
    expect(premium.get_by_role("link", name="Read the full entry")).to_be_visible()


def test_a_pointer_passing_over_a_term_opens_nothing_and_loads_nothing(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    log_card_events(page)
    requests = record_term_requests(page)
    broker = term(page, "data-broker")
    x, y = centre(broker)
    width = broker.bounding_box()["width"]

    # A pass takes two mouse events; on a very busy machine they may land 100 ms apart, and
    # then the prefetch is allowed, so try again.
    for _ in range(3):
        requests.clear()
        page.evaluate("window.cardLog.length = 0")
        page.mouse.move(x - width, y)  # plain text before the term
        page.mouse.move(x, y)
        page.mouse.move(x + width, y)  # plain text after it
        page.wait_for_timeout(OPEN_MS + 200)
        log = card_log(page)
        dwell = elapsed(log, "pointerover term", "pointerout term")
        if dwell < 90:
            break

    assert dwell < 90, f"the pointer did not just pass: {log}"
    assert [event for _, event in log] == ["pointerover term", "pointerout term"]  # no open
    expect(card(page)).to_have_count(0)
    assert requests == []
    expect(broker).to_have_attribute("aria-expanded", "false")


def test_a_resting_pointer_opens_the_card_after_about_300_ms(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    log_card_events(page)
    premium = term(page, "premium")

    hover(page, premium)

    expect(card(page, "premium")).to_be_visible()
    expect(premium).to_have_attribute("aria-expanded", "true")
    log = card_log(page)
    assert OPEN_MS - 20 <= elapsed(log, "pointerover term", "open") < OPEN_MS + 1000, log


def test_moving_onto_the_card_keeps_it_open_and_leaving_both_closes_it(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    premium = card(page, "premium")
    hover(page, term(page, "premium"))
    expect(premium.get_by_text("Read the full entry")).to_be_visible()
    log_card_events(page)

    x, _ = centre(term(page, "premium"))
    page.mouse.move(x, rect(term(page, "premium"))["bottom"] + 4)  # the gap between them
    hover(page, premium)
    page.wait_for_timeout(CLOSE_MS + 300)
    expect(premium).to_be_visible()

    move_away(page)

    expect(premium).to_be_hidden(timeout=CLOSE_MS + 2000)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
    log = card_log(page)
    assert [event for _, event in log] == [
        "pointerout term", "pointerover card", "pointerout card", "closed"
    ], log
    assert CLOSE_MS - 20 <= elapsed(log, "pointerout card", "closed") < CLOSE_MS + 1000, log


def test_leaving_the_term_closes_the_card_unless_the_pointer_comes_back(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    premium = card(page, "premium")
    hover(page, term(page, "premium"))
    expect(premium).to_be_visible()

    move_away(page)
    hover(page, term(page, "premium"))  # back within the close delay
    page.wait_for_timeout(CLOSE_MS + 300)
    expect(premium).to_be_visible()

    log_card_events(page)
    move_away(page)
    expect(premium).to_be_hidden(timeout=CLOSE_MS + 2000)
    assert CLOSE_MS - 20 <= elapsed(card_log(page), "pointerout term", "closed")


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


def test_a_request_in_flight_is_aborted_when_the_pointer_leaves_before_the_card_opens(
    page: Page, fixture_server
) -> None:
    open_page(page, fixture_server)
    held = hold_term_requests(page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))

    hover(page, term(page, "premium"))
    page.wait_for_timeout(OPEN_MS / 2)  # past the prefetch time, before the open time
    move_away(page)

    expect(card(page)).to_have_count(0)
    page.wait_for_timeout(CLOSE_MS)
    assert len(held) == 1, "the data should have been requested after ~100 ms of rest"
    assert len(failed) == 1 and "/api/v1/terms/premium.json" in failed[0] and "ABORTED" in failed[0]
    held[0].continue_()  # harmless: the browser has already cancelled it

    # An aborted request is not cached: the next rest loads the data again.
    page.unroute(TERM_JSON)
    hover(page, term(page, "premium"))
    expect(card(page, "premium").get_by_text("Read the full entry")).to_be_visible()


def test_slow_data_shows_a_loading_state_then_the_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    held = hold_term_requests(page)

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_be_visible()
    expect(premium).to_have_text("Loading\u2026")
    assert len(held) == 1
    held[0].fulfill(response=held[0].fetch())
    expect(premium.locator(".definition")).to_have_text(term_json(fixture_server, page, "premium")["definition"])


def test_failed_data_shows_a_short_quiet_message(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(TERM_JSON, lambda route: route.fulfill(status=500, body="oops"))

    hover(page, term(page, "premium"))

    premium = card(page, "premium")
    expect(premium).to_have_text("This definition could not be loaded.")
    assert len(premium.inner_text()) < 60
    expect(premium.get_by_role("link")).to_have_count(0)
    assert errors == []

    # A failure is not cached: once the server answers again, the card works.
    page.unroute(TERM_JSON)
    move_away(page)
    expect(premium).to_be_hidden()
    hover(page, term(page, "premium"))
    expect(premium.locator(".definition")).to_be_visible()
