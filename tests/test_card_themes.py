"""Card colours in light and dark themes (WCAG AA contrast) and text size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.card import card, contrast, luminance, open_page, open_variant, term


def read_colours(page: Page) -> dict[str, list[str]]:
    """Each kind of text in the open premium card: [its colour, the background it is on]."""
    term(page, "premium").focus()
    expect(card(page, "premium").get_by_role("link", name="Read the full entry")).to_be_visible()
    return card(page, "premium").evaluate(
        """card => {
            const at = (selector) => selector === ".card" ? card : card.querySelector(selector);
            const colours = (text, on) =>
                [getComputedStyle(at(text)).color, getComputedStyle(at(on)).backgroundColor];
            return {
                text: colours(".definition", ".card"),
                title: colours(".title", ".card"),
                link: colours("a", ".card"),
                off: colours(".off", ".card"),
                warning: colours(".warning p", ".warning"),
            };
        }"""
    )


def assert_readable(colours: dict[str, list[str]]) -> None:
    for name, (foreground, background) in colours.items():
        ratio = contrast(foreground, background)
        assert ratio >= 4.5, f"{name}: {foreground} on {background} has contrast {ratio:.2f}"


def background(colours: dict[str, list[str]]) -> float:
    return luminance(colours["text"][1])


def test_light_and_dark_themes_differ_and_both_have_enough_contrast(page: Page, fixture_server) -> None:
    open_variant(page, fixture_server, 'data-theme="light"')
    light = read_colours(page)
    open_variant(page, fixture_server, 'data-theme="dark"')
    dark = read_colours(page)

    assert light["text"] != dark["text"]
    assert background(light) > 0.8 > 0.1 > background(dark)
    assert_readable(light)
    assert_readable(dark)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_default_theme_follows_prefers_color_scheme(page: Page, fixture_server, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    open_page(page, fixture_server)

    colours = read_colours(page)

    assert (background(colours) > 0.5) == (scheme == "light")
    assert_readable(colours)


@pytest.mark.parametrize(("theme", "scheme"), [("light", "dark"), ("dark", "light")])
def test_an_explicit_theme_wins_over_the_system_setting(page: Page, fixture_server, theme: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    open_variant(page, fixture_server, f'data-theme="{theme}"')

    colours = read_colours(page)

    assert (background(colours) > 0.5) == (theme == "light")


def test_card_text_scales_with_the_reader_font_size(page: Page, fixture_server) -> None:
    """The card's text is sized from the browser's default size (medium), not in pixels."""

    def definition_size() -> float:
        term(page, "premium").focus()
        definition = card(page, "premium").locator(".definition")
        expect(definition).to_be_visible()
        return definition.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")

    open_page(page, fixture_server)
    default = definition_size()

    client = page.context.new_cdp_session(page)
    client.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    # Chromium restyles for the new size only when something else makes it (the page's own
    # `font: medium` text too): a new page view does.
    open_page(page, fixture_server)

    assert definition_size() == pytest.approx(default * 24 / 16)
