"""Hover cards from the keyboard (WCAG 2.1.1, 1.4.13) and what assistive technology is told."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.card import (
    CLOSE_MS,
    OPEN_MS,
    card,
    hold_term_requests,
    hover,
    move_away,
    open_page,
    open_page_with_paused_clock,
    term,
)


def focused_text(page: Page) -> str:
    """The text of the focused element, looking inside the card's shadow root."""
    return page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) {
                el = el.shadowRoot.activeElement;
            }
            return el ? (el.id ? "#" + el.id : el.textContent.trim()) : "";
        }"""
    )


def record_focus(page: Page) -> None:
    """From now on, window.focusedOnTheWay lists every element that receives focus."""
    page.evaluate(
        """() => {
            window.focusedOnTheWay = [];
            document.addEventListener("focusin", (event) => window.focusedOnTheWay.push(
                event.target.id ? "#" + event.target.id : event.target.textContent.trim()), true);
        }"""
    )


def tab_to_premium(page: Page) -> None:
    page.locator("#before").focus()
    page.keyboard.press("Tab")
    expect(term(page, "premium")).to_be_focused()
    expect(card(page, "premium").get_by_role("link", name="Read the full entry")).to_be_visible()  # loaded


def test_the_highlight_is_a_button_with_a_name_and_the_card_a_named_dialog(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    highlight = page.get_by_role("button", name="premium", exact=True)
    expect(highlight).to_have_attribute("aria-expanded", "false")
    expect(highlight).to_have_attribute("aria-haspopup", "dialog")

    highlight.focus()

    dialog = page.get_by_role("dialog", name="Premium", exact=True)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-glossary-card", "premium")
    expect(highlight).to_have_attribute("aria-expanded", "true")
    controlled = highlight.get_attribute("aria-controls")
    assert controlled and page.locator(f"#{controlled}").count() == 1
    # Screen-reader users hear the definition and the warning when focus enters the dialog.
    assert "Test definition of Premium." in dialog.aria_snapshot()
    expect(dialog).to_have_accessible_description(re.compile(r"^Test definition of Premium\. .*Watch out"))


def test_focus_opens_the_card_and_escape_closes_it_without_moving_focus(page: Page, fixture_server) -> None:
    open_page_with_paused_clock(page, fixture_server)
    tab_to_premium(page)
    expect(card(page, "premium")).to_be_visible()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "true")

    page.keyboard.press("Escape")

    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_be_focused()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
    page.clock.run_for(OPEN_MS + CLOSE_MS)  # nothing reopens it behind the reader's back
    expect(card(page)).to_have_count(0)


def test_escape_from_the_term_is_the_cards_and_from_the_page_also_the_pages(page: Page, fixture_server) -> None:
    """Escape on the term closes the card and nothing under it (its default is prevented: a
    host's modal dialog stays open); Escape in a field of the page, with a card open by hover,
    closes the card and still does what the page makes of it (a search field clears itself)."""
    open_page(page, fixture_server)
    page.evaluate(
        """() => {
            window.__escapes = [];
            addEventListener("keydown", (e) => e.key == "Escape" && __escapes.push(e.defaultPrevented));
            document.body.prepend(Object.assign(document.createElement("input"), {id: "search"}));
        }"""
    )
    tab_to_premium(page)
    expect(card(page, "premium")).to_be_visible()
    page.keyboard.press("Escape")
    expect(card(page)).to_have_count(0)

    page.locator("#search").focus()
    hover(page, term(page, "policy"))
    expect(card(page, "policy")).to_be_visible()
    page.keyboard.press("Escape")

    expect(card(page)).to_have_count(0)
    assert page.evaluate("__escapes") == [True, False]


def test_a_card_opened_by_focus_stays_open_when_the_pointer_passes_by(page: Page, fixture_server) -> None:
    """WCAG 1.4.13 persistent: the mouse passing over the term or the card and away does not
    close a card the keyboard opened; focus moving away does."""
    open_page_with_paused_clock(page, fixture_server)
    tab_to_premium(page)
    premium = card(page, "premium")

    hover(page, term(page, "premium"))
    move_away(page)
    page.clock.run_for(CLOSE_MS + 100)
    expect(premium).to_be_visible()
    hover(page, premium)
    move_away(page)
    page.clock.run_for(CLOSE_MS + 100)
    expect(premium).to_be_visible()
    expect(term(page, "premium")).to_be_focused()

    page.keyboard.press("Shift+Tab")  # away

    expect(page.locator("#before")).to_be_focused()
    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


def test_tab_from_a_term_goes_on_through_the_page_not_into_its_card(page: Page, fixture_server) -> None:
    """A page of many terms takes a key press per term (APG: Tab is not made to go through each
    popup); the card shows as the term has focus, and closes as focus moves on."""
    open_page(page, fixture_server)
    tab_to_premium(page)

    page.keyboard.press("Tab")

    expect(page.locator("#after")).to_be_focused()
    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


def test_enter_goes_into_the_card_and_tab_through_it_and_on_after_the_term(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    tab_to_premium(page)
    page.evaluate("window.scrolled = 0; addEventListener('scroll', () => window.scrolled++)")

    page.keyboard.press("Enter")  # a button that opens a dialog: focus goes into it
    assert focused_text(page) == "Read the full entry \u2192"
    page.keyboard.press("Tab")
    assert focused_text(page) == "Turn off highlights"
    expect(card(page, "premium")).to_be_visible()

    record_focus(page)
    page.keyboard.press("Tab")  # past the last control: back in the page, after the term
    expect(page.locator("#after")).to_be_focused()
    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
    # The card closes and hands focus back to the term, and the same key press goes on from
    # there: the term has focus for a moment, without its card opening again.
    assert page.evaluate("window.focusedOnTheWay") == ["premium", "#after"]
    assert page.evaluate("window.scrolled") == 0  # no key went to the page


@pytest.mark.parametrize("key", ["Enter", " "], ids=["enter", "space"])
def test_enter_or_space_opens_a_card_escape_closed_and_space_does_not_scroll(
    page: Page, fixture_server, key: str
) -> None:
    open_page(page, fixture_server)
    tab_to_premium(page)
    page.keyboard.press("Escape")
    expect(card(page)).to_have_count(0)
    scroll = page.evaluate("scrollY")

    page.keyboard.press(key)

    expect(card(page, "premium")).to_be_visible()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("scrollY") == scroll


def test_tab_from_the_card_onto_the_next_term_opens_that_terms_card(page: Page, fixture_server) -> None:
    """In "Read the policy with care. Tax is ...", Tab past the policy card lands on the tax term."""
    open_page(page, fixture_server)
    term(page, "policy").focus()
    expect(card(page, "policy").get_by_role("link").last).to_have_text("Read the full entry \u2192")

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Turn off highlights"
    record_focus(page)
    page.keyboard.press("Tab")

    expect(term(page, "tax")).to_be_focused()
    assert page.evaluate("window.focusedOnTheWay") == ["policy", "Tax"]  # by way of its own term
    expect(card(page, "tax")).to_be_visible()
    expect(term(page, "tax")).to_have_attribute("aria-expanded", "true")
    expect(term(page, "policy")).to_have_attribute("aria-expanded", "false")


def test_shift_tab_goes_back_from_the_card_to_the_term(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    tab_to_premium(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Turn off highlights"

    page.keyboard.press("Shift+Tab")
    assert focused_text(page) == "Read the full entry \u2192"
    page.keyboard.press("Shift+Tab")

    expect(term(page, "premium")).to_be_focused()
    expect(card(page, "premium")).to_be_visible()
    page.keyboard.press("Shift+Tab")  # and out, before the term
    expect(page.locator("#before")).to_be_focused()
    expect(card(page)).to_have_count(0)


def test_enter_while_the_card_loads_goes_into_the_card_itself(page: Page, fixture_server) -> None:
    """With no control to go to yet, focus goes to the dialog, with a visible ring, and stays
    there as the content comes in; Shift+Tab goes back to the term."""
    open_page(page, fixture_server)
    held = hold_term_requests(page)
    page.locator("#before").focus()
    page.keyboard.press("Tab")
    expect(card(page, "premium")).to_have_text("Loading\u2026")

    page.keyboard.press("Enter")

    focused = page.evaluate("document.activeElement.shadowRoot?.activeElement?.dataset.glossaryCard")
    assert focused == "premium"
    outline = card(page, "premium").evaluate("(card) => getComputedStyle(card).outlineStyle")
    assert outline == "solid"
    held[0].fulfill(response=held[0].fetch())
    expect(card(page, "premium").get_by_role("link", name="Read the full entry")).to_be_visible()
    page.keyboard.press("Shift+Tab")  # from the card itself, as from its first control
    expect(term(page, "premium")).to_be_focused()
    expect(card(page, "premium")).to_be_visible()


def test_shift_tab_from_the_element_after_the_term_reopens_its_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    page.locator("#after").focus()

    page.keyboard.press("Shift+Tab")

    expect(term(page, "premium")).to_be_focused()
    expect(card(page, "premium")).to_be_visible()


def test_escape_inside_the_card_closes_it_and_returns_focus_to_the_term(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    tab_to_premium(page)
    page.keyboard.press("Enter")
    assert focused_text(page) == "Read the full entry \u2192"

    page.keyboard.press("Escape")

    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_be_focused()
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


def test_focus_moving_away_closes_the_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    tab_to_premium(page)
    expect(card(page, "premium")).to_be_visible()
    page.keyboard.press("Enter")
    assert focused_text(page) == "Read the full entry \u2192"

    page.locator("#left").click()  # focus leaves for the page (no focusable target: body)

    expect(card(page)).to_have_count(0)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")


def test_blur_from_the_term_to_elsewhere_closes_the_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    term(page, "premium").focus()
    expect(card(page, "premium")).to_be_visible()

    page.evaluate("document.activeElement.blur()")

    expect(card(page)).to_have_count(0)


def test_focusing_another_term_swaps_the_card(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    term(page, "premium").focus()
    expect(card(page, "premium")).to_be_visible()

    term(page, "policy").focus()

    expect(card(page, "policy")).to_be_visible()
    expect(card(page)).to_have_count(1)
    expect(term(page, "premium")).to_have_attribute("aria-expanded", "false")
