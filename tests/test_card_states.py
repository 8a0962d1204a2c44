"""The card as a state machine: every order of hover, card, Escape, focus, tap and leave.

WCAG 1.4.13 lets Escape dismiss a card for the current hover or focus only: while the pointer
stays on the term (or where the card was) and focus stays where it is, the card stays closed; a
new hover, focus or tap on the term opens it again. Each row of the table is a sequence of the
reader's actions with the card expected after each one ("-": none). The page clock is paused
(`open_page_with_paused_clock`), so the widget's delays are exact whatever the machine's load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.card import CLOSE_MS, OPEN_MS, card, centre, hover, move_away, open_page_with_paused_clock, term


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A desktop with a mouse, a keyboard and a touch screen, all three in one session."""
    context = browser.new_context(has_touch=True)
    yield context.new_page()
    context.close()


def on_card(page: Page) -> None:
    """Onto the open card, or, with none open, onto the place below the term where it opens."""
    shown = card(page)
    if shown.count():
        hover(page, shown)
    else:
        x, y = centre(term(page, "premium"))
        page.mouse.move(x, y + 60)
    page.clock.run_for(CLOSE_MS + 100)  # long enough for a close the pointer should not cause


def into(key: str) -> Callable[[Page], None]:
    """`key` on the focused term: into the card's controls, once they are in. Pressed only while
    a term has focus: elsewhere the key is the page's (Space scrolls it)."""

    def press(page: Page) -> None:
        if not page.evaluate("document.activeElement.localName === 'glossary-term'"):
            return
        if card(page).count():
            expect(card(page).get_by_role("link").last).to_be_attached()
        page.keyboard.press(key)

    return press


def focus_from_before(page: Page) -> None:
    """Tab onto the term from the link before it: a new focus, whatever had focus."""
    page.locator("#before").focus()
    page.keyboard.press("Tab")


STEPS: dict[str, Callable[[Page], None]] = {
    # Rest the pointer on the term until a card would have opened.
    "hover": lambda page: (hover(page, term(page, "premium")), page.clock.run_for(OPEN_MS)),
    "card": on_card,
    "escape": lambda page: page.keyboard.press("Escape"),
    "enter": into("Enter"),
    "space": into(" "),
    "leave": lambda page: (move_away(page), page.clock.run_for(CLOSE_MS + 100)),
    "focus": focus_from_before,
    "blur": lambda page: page.locator("#after").focus(),
    "tap": lambda page: page.touchscreen.tap(*centre(term(page, "premium"))),
    "tap-elsewhere": lambda page: page.touchscreen.tap(300, 20),  # the page's empty top margin
    "other": lambda page: (hover(page, term(page, "policy")), page.clock.run_for(OPEN_MS)),
}

# step>card expected after it. The first rows are the issue's own steps and their variants.
TABLE = [
    "hover>premium card>premium escape>- leave>- focus>premium",
    "hover>premium card>premium escape>- leave>- hover>premium",
    "hover>premium card>premium escape>- leave>- tap>premium",
    "hover>premium card>premium escape>- focus>premium",
    "hover>premium card>premium escape>- card>- hover>premium",
    "hover>premium card>premium escape>- blur>- focus>premium",
    "hover>premium card>premium escape>- other>policy leave>- hover>premium",
    "hover>premium card>premium escape>- tap-elsewhere>- hover>premium",
    # Escape while resting on the term: closed until the pointer leaves and comes back.
    "hover>premium escape>- hover>- leave>- hover>premium",
    "hover>premium escape>- focus>premium",
    "hover>premium escape>- other>policy",
    # From the keyboard: Escape leaves focus on the term; a new focus or hover opens it again.
    "focus>premium escape>- leave>- focus>premium",
    "focus>premium escape>- hover>premium leave>premium blur>-",
    "focus>premium enter>premium escape>- hover>premium",
    "focus>premium space>premium escape>- blur>- focus>premium",
    # Enter or Space on the term opens the card Escape closed: a button's own keys.
    "focus>premium escape>- enter>premium",
    "focus>premium escape>- space>premium escape>- enter>premium",
    "hover>premium escape>- focus>premium escape>- space>premium",
    "focus>premium hover>premium card>premium escape>- leave>- blur>- hover>premium",
    "hover>premium card>premium focus>premium escape>- leave>- focus>premium",
    # Taps: a second tap closes, the next opens; Escape after a tap does not stick either.
    "tap>premium tap>- tap>premium",
    "tap>premium escape>- tap>premium",
    "tap>premium tap>- focus>premium",
    "tap>premium tap-elsewhere>- hover>premium",
    "tap>premium tap>- leave>- hover>premium",
    "hover>premium tap-elsewhere>- leave>- hover>premium",
]


def expect_card(page: Page, slug: str, after: str) -> None:
    if slug == "-":
        expect(card(page), f"no card after {after}").to_have_count(0)
    else:
        expect(card(page, slug), f"the {slug} card after {after}").to_be_visible()


@pytest.mark.parametrize("row", TABLE, ids=[row.replace(">", ":").replace(" ", ",") for row in TABLE])
def test_the_card_follows_the_readers_hover_focus_and_taps(desk: Page, fixture_server, row: str) -> None:
    open_page_with_paused_clock(desk, fixture_server)
    done: list[str] = []
    for cell in row.split():
        step, slug = cell.split(">")
        STEPS[step](desk)
        done.append(step)
        expect_card(desk, slug, " ".join(done))
    desk.clock.run_for(OPEN_MS + CLOSE_MS)  # and no timer left behind changes it afterwards
    expect_card(desk, slug, " ".join(done) + " and a wait")


def test_after_any_two_actions_on_a_card_a_new_hover_focus_or_tap_opens_it(desk: Page, fixture_server) -> None:
    """A card the pointer rests on (the issue's start), then every pair of steps, one after the
    other on one page (so that what each sequence leaves behind meets the next): once the pointer
    and focus have left the term, a new hover, focus or tap opens its card; it is never stuck."""
    open_page_with_paused_clock(desk, fixture_server)
    for first, second in product(STEPS, STEPS):
        done = f"hover, card, {first}, {second}"
        for step in ("hover", "card", first, second, "leave", "blur", "tap-elsewhere"):
            STEPS[step](desk)
        expect_card(desk, "-", f"{done}, leave, blur, tap elsewhere")
        for opening in ("hover", "focus", "tap"):
            STEPS[opening](desk)
            expect_card(desk, "premium", f"{done}, then {opening}")
            for step in ("leave", "blur", "tap-elsewhere"):
                STEPS[step](desk)
