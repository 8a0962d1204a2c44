"""Where the card goes: beside the term, flipped and shifted to stay on screen, and its links."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.card import CARD_PAGE_HTML, card, open_page, open_variant, rect, term, viewport

GAP = 8  # the widget's gap between term and card, and margin to the viewport edge
MAX_WIDTH = 360


def open_card(page: Page, slug: str) -> dict[str, float]:
    """Opens the term's card from the keyboard (no scrolling: the term is on screen) and
    returns the card's box once its content is in."""
    term(page, slug).evaluate("el => el.focus({preventScroll: true})")
    expect(card(page, slug).get_by_text("Read the full entry")).to_be_visible()
    return rect(card(page, slug))


def assert_inside_viewport(page: Page, box: dict[str, float]) -> None:
    view = viewport(page)
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= view["width"] and box["bottom"] <= view["height"], (box, view)


def test_the_card_opens_below_the_term(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)

    box = open_card(page, "premium")

    word = rect(term(page, "premium"))
    assert box["top"] == pytest.approx(word["bottom"] + GAP, abs=1)
    assert box["left"] == pytest.approx(word["left"], abs=1)
    assert_inside_viewport(page, box)


def test_the_card_flips_above_a_term_near_the_bottom_edge(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    term(page, "wage-theft").evaluate("el => el.scrollIntoView({block: 'end'})")
    page.evaluate("window.scrollBy(0, 20)")  # the term 20 px above the bottom edge

    box = open_card(page, "wage-theft")

    word = rect(term(page, "wage-theft"))
    assert word["bottom"] > viewport(page)["height"] - 40
    assert box["bottom"] == pytest.approx(word["top"] - GAP, abs=1)
    assert_inside_viewport(page, box)


def test_on_a_page_without_a_doctype_the_card_flips_above_too(page: Page, fixture_server) -> None:
    """In quirks mode the root element is as tall as the page, not the window: the card opened
    below a term at the bottom of the window, out of sight (a fixed card cannot be scrolled to)."""
    html = CARD_PAGE_HTML.replace("<!doctype html>", "", 1)
    assert html != CARD_PAGE_HTML
    page.route(
        f"{fixture_server.url}/examples/quirks.html", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    open_page(page, fixture_server, "quirks.html")
    assert page.evaluate("document.compatMode") == "BackCompat"
    term(page, "wage-theft").evaluate("el => el.scrollIntoView({block: 'end'})")
    page.evaluate("window.scrollBy(0, 20)")

    box = open_card(page, "wage-theft")

    word = rect(term(page, "wage-theft"))
    assert box["bottom"] == pytest.approx(word["top"] - GAP, abs=1)
    assert box["top"] >= 0 and box["bottom"] <= page.evaluate("innerHeight")


def test_a_card_that_fits_neither_above_nor_below_goes_beside_the_term(page: Page, fixture_server) -> None:
    """Half way down a short window (a laptop's, at 200% zoom): to the term's right, where there
    is room, the window's height as its own, so that all of it shows."""
    page.set_viewport_size({"width": 800, "height": 400})
    open_page(page, fixture_server)
    term(page, "wage-theft").evaluate("el => el.scrollIntoView({block: 'center'})")

    box = open_card(page, "wage-theft")

    word = rect(term(page, "wage-theft"))
    assert box["height"] > max(word["top"], viewport(page)["height"] - word["bottom"]) - 2 * GAP
    assert box["left"] == pytest.approx(word["right"] + GAP, abs=1)
    assert_inside_viewport(page, box)
    shown = card(page, "wage-theft")
    assert not shown.evaluate("el => el.scrollHeight > el.clientHeight")
    assert rect(shown.get_by_role("button", name="Turn off highlights"))["bottom"] <= box["bottom"]


def test_a_card_beside_a_term_at_the_right_edge_goes_to_its_left(page: Page, fixture_server) -> None:
    page.set_viewport_size({"width": 1280, "height": 300})
    open_page(page, fixture_server)

    box = open_card(page, "aca")

    word = rect(term(page, "aca"))
    assert box["right"] == pytest.approx(word["left"] - GAP, abs=1)
    assert_inside_viewport(page, box)


def test_a_card_taller_than_the_room_on_every_side_scrolls_inside_the_viewport(page: Page, fixture_server) -> None:
    """On a small screen, with no room beside the term either: in the larger room, above or
    below it, scrolling."""
    page.set_viewport_size({"width": 480, "height": 400})
    open_page(page, fixture_server)
    term(page, "wage-theft").evaluate("el => el.scrollIntoView({block: 'center'})")

    box = open_card(page, "wage-theft")

    word = rect(term(page, "wage-theft"))
    assert_inside_viewport(page, box)
    assert box["top"] >= word["bottom"] or box["bottom"] <= word["top"], "the card hides the term"
    shown = card(page, "wage-theft")
    assert shown.evaluate("el => el.scrollHeight > el.clientHeight")
    entry = shown.get_by_role("link", name="Read the full entry")
    assert rect(entry)["top"] > box["bottom"], "the last link should start out of view"
    page.keyboard.press("Tab")  # from the term to the card's first control
    expect(entry).to_be_focused()
    assert box["top"] <= rect(entry)["top"] and rect(entry)["bottom"] <= box["bottom"] + 1


def test_the_card_stays_inside_the_right_edge(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)

    box = open_card(page, "aca")

    word = rect(term(page, "aca"))
    assert word["right"] > viewport(page)["width"] - 10  # the term touches the right edge
    assert box["right"] == pytest.approx(viewport(page)["width"] - GAP, abs=1)
    assert box["top"] == pytest.approx(word["bottom"] + GAP, abs=1)
    assert_inside_viewport(page, box)


def test_the_card_stays_inside_the_left_edge(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)

    box = open_card(page, "tax")

    assert rect(term(page, "tax"))["left"] == 0  # the term touches the left edge
    assert box["left"] == pytest.approx(GAP, abs=1)
    assert_inside_viewport(page, box)


def test_the_card_is_at_most_about_360_px_wide(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)

    box = open_card(page, "premium")

    assert 200 <= box["width"] <= MAX_WIDTH


@pytest.mark.parametrize("slug", ["premium", "aca", "tax"])
def test_on_a_narrow_screen_the_card_fits_the_screen_width(page: Page, fixture_server, slug: str) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    open_page(page, fixture_server)

    box = open_card(page, slug)

    assert box["width"] == pytest.approx(360 - 2 * GAP, abs=1)
    assert box["left"] == pytest.approx(GAP, abs=1)
    assert_inside_viewport(page, box)


def test_the_card_follows_the_term_when_the_page_scrolls(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    open_card(page, "policy")

    page.evaluate("window.scrollBy(0, 40)")

    page.wait_for_function(
        """() => {
            const term = document.querySelector("[data-glossary-term=policy]").getClientRects()[0];
            const card = document.querySelector("glossary-card").shadowRoot
                .querySelector("[data-glossary-card]").getBoundingClientRect();
            return Math.abs(card.top - (term.bottom + 8)) <= 1
                && Math.abs(card.left - term.left) <= 1;
        }""",
        timeout=2000,
    )
    expect(card(page, "policy")).to_be_visible()


def test_the_card_follows_the_term_when_the_window_is_resized(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    open_card(page, "aca")

    page.set_viewport_size({"width": 800, "height": 600})

    page.wait_for_function(
        """() => {
            const card = document.querySelector("glossary-card").shadowRoot
                .querySelector("[data-glossary-card]").getBoundingClientRect();
            return Math.abs(card.right - (document.documentElement.clientWidth - 8)) <= 1;
        }""",
        timeout=2000,
    )
    assert_inside_viewport(page, rect(card(page, "aca")))


# ---- the links ----------------------------------------------------------------------------


def test_the_link_opens_in_the_same_tab_by_default_and_leads_to_the_entry_page(page: Page, fixture_server) -> None:
    open_page(page, fixture_server)
    open_card(page, "premium")
    entry = card(page, "premium").get_by_role("link", name="Read the full entry")

    assert entry.get_attribute("target") in (None, "")
    assert entry.get_attribute("rel") in (None, "")
    expect(entry).to_have_attribute("href", f"{fixture_server.url}/glossary/premium/")

    entry.click()

    expect(page).to_have_url(f"{fixture_server.url}/glossary/premium/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Premium")


def test_data_link_target_blank_opens_the_entry_in_a_new_tab_without_opener(page: Page, fixture_server) -> None:
    open_variant(page, fixture_server, 'data-link-target="_blank"')
    open_card(page, "premium")
    entry = card(page, "premium").get_by_role("link", name="Read the full entry")
    expect(entry).to_have_attribute("target", "_blank")

    with page.context.expect_page() as opened:
        entry.click()

    entry_page = opened.value
    expect(entry_page).to_have_url(f"{fixture_server.url}/glossary/premium/")
    expect(entry_page.get_by_role("heading", level=1)).to_have_text("Premium")
    # No rel="noopener" needed: browsers open a target=_blank link without an opener.
    assert entry_page.evaluate("window.opener") is None
    assert page.url.endswith("/examples/variant.html")


@pytest.mark.parametrize(
    "layout",
    ["display: flex; flex-direction: column; gap: 40px", "display: grid; grid-template-rows: auto 1fr auto; gap: 24px"],
    ids=["flex", "grid"],
)
def test_opening_a_card_moves_nothing_on_a_flex_or_grid_page(page: Page, fixture_server, layout: str) -> None:
    """The card's container is not added to <body>: as an item of a flex or grid body with a gap it
    took a gap of its own, and the page grew and its footer moved when the first card opened."""
    open_page(page, fixture_server)
    page.evaluate("layout => { document.body.style.cssText = layout; }", layout)
    page_box = "() => [document.documentElement.scrollHeight, document.body.lastElementChild.offsetTop]"
    before = page.evaluate(page_box)

    open_card(page, "premium")

    assert page.evaluate(page_box) == before


def test_the_card_of_a_term_that_wraps_opens_at_the_line_the_pointer_came_onto(page: Page, fixture_server) -> None:
    """A term split over two lines: pointed at on its second line, the card opens by that line,
    not by the first (far to the right, where the pointer would have to travel to keep it)."""
    open_page(page, fixture_server)
    page.add_style_tag(content="#passing { width: 9ch }")  # "data" ends a line, "broker" starts the next
    lines = term(page, "data-broker").evaluate(
        "el => [...el.getClientRects()].map(r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}))"
    )
    assert len(lines) == 2 and lines[1]["top"] >= lines[0]["bottom"], lines

    page.mouse.move((lines[1]["left"] + lines[1]["right"]) / 2, (lines[1]["top"] + lines[1]["bottom"]) / 2)
    expect(card(page, "data-broker").get_by_text("Read the full entry")).to_be_visible()

    box = rect(card(page, "data-broker"))
    assert box["top"] == pytest.approx(lines[1]["bottom"] + GAP, abs=1)
    assert box["left"] == pytest.approx(max(lines[1]["left"], GAP), abs=1)
