"""Hover cards on a touch screen: taps, not emulated hover.

Expected behaviour of a second tap on the same term: it closes the card (a tap toggles), and
a third tap opens it again. Nothing navigates and no other card opens.

The page clock stands still (`open_page_with_paused_clock`) unless a test moves it on: a card
that opens anyway was opened by the tap itself, not by a hover timer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.card import (
    CLOSE_MS,
    OPEN_MS,
    card,
    card_events,
    log_card_events,
    open_page_with_paused_clock,
    record_term_requests,
    term,
)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 740})
    yield context.new_page()
    context.close()


def test_a_tap_opens_the_card_at_once_and_it_stays_open(phone: Page, fixture_server) -> None:
    open_page_with_paused_clock(phone, fixture_server)
    log_card_events(phone)

    term(phone, "premium").tap()

    # No hover emulation: the card opens on the tap itself, with no time passing on the page...
    expect(card(phone, "premium").locator(".definition")).to_be_visible()
    assert [event for event in card_events(phone) if event in ("open", "closed")] == ["open"]
    expect(term(phone, "premium")).to_have_attribute("aria-expanded", "true")
    # ...and the finger lifting is not a pointer leaving: the card does not close by itself.
    phone.clock.run_for(OPEN_MS + CLOSE_MS)
    expect(card(phone, "premium")).to_be_visible()
    assert [event for event in card_events(phone) if event in ("open", "closed")] == ["open"]


def test_a_tap_elsewhere_closes_the_card(phone: Page, fixture_server) -> None:
    open_page_with_paused_clock(phone, fixture_server)
    term(phone, "premium").tap()
    expect(card(phone, "premium")).to_be_visible()

    phone.touchscreen.tap(200, 640)  # the empty space below the card

    expect(card(phone)).to_have_count(0)
    expect(term(phone, "premium")).to_have_attribute("aria-expanded", "false")


def test_a_tap_inside_the_card_keeps_it_open(phone: Page, fixture_server) -> None:
    open_page_with_paused_clock(phone, fixture_server)
    term(phone, "premium").tap()

    card(phone, "premium").locator(".definition").tap()

    phone.clock.run_for(CLOSE_MS + 100)
    expect(card(phone, "premium")).to_be_visible()


def test_a_tap_elsewhere_closes_the_card_the_reader_tapped_into(phone: Page, fixture_server) -> None:
    """The card has no close button: a tap outside it closes it, also once a tap inside has given
    it focus (which then goes back to the term, without opening the card again)."""
    open_page_with_paused_clock(phone, fixture_server)
    term(phone, "premium").tap()
    card(phone, "premium").locator(".definition").tap()
    assert phone.evaluate("document.activeElement.localName") == "glossary-card"  # focus is in it

    phone.touchscreen.tap(200, 640)  # the empty space below the card

    expect(card(phone)).to_have_count(0)
    expect(term(phone, "premium")).to_have_attribute("aria-expanded", "false")
    phone.clock.run_for(OPEN_MS + CLOSE_MS)  # and it does not come back on its own
    expect(card(phone)).to_have_count(0)


def test_a_second_tap_on_the_same_term_closes_the_card_and_a_third_reopens_it(phone: Page, fixture_server) -> None:
    open_page_with_paused_clock(phone, fixture_server)
    requests = record_term_requests(phone)
    premium = term(phone, "premium")
    premium.tap()
    expect(card(phone, "premium")).to_be_visible()

    premium.tap()

    phone.clock.run_for(OPEN_MS + CLOSE_MS)
    expect(card(phone)).to_have_count(0)
    expect(premium).to_have_attribute("aria-expanded", "false")
    assert phone.url.endswith("/examples/card.html")

    premium.tap()

    expect(card(phone, "premium")).to_be_visible()
    assert requests == ["premium"]


def test_a_tap_on_another_term_moves_the_card(phone: Page, fixture_server) -> None:
    open_page_with_paused_clock(phone, fixture_server)
    term(phone, "data-broker").tap()  # its card opens below it, leaving the terms above free
    expect(card(phone, "data-broker")).to_be_visible()

    term(phone, "premium").tap()

    expect(card(phone, "premium")).to_be_visible()
    expect(card(phone)).to_have_count(1)
    expect(term(phone, "data-broker")).to_have_attribute("aria-expanded", "false")
