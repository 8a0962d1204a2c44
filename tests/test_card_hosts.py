"""The card on the example partner pages: a hostile stylesheet, a strict CSP, and axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.support.card import CARD_PAGE_HTML, card, hover, open_page, rect, term, term_json, viewport

READ_MORE = "Read the full entry"


def open_first_card(page: Page, scope: str) -> str:
    """Hovers the first highlight inside `scope`; returns its slug once its card is filled."""
    highlight = page.locator(f"{scope} glossary-term.glossary-widget-term").first
    slug = highlight.get_attribute("data-glossary-term")
    assert slug
    hover(page, highlight)
    expect(card(page, slug).get_by_text(READ_MORE)).to_be_visible()
    return slug


def assert_on_top(page: Page, box: dict[str, float], inset: float = 12) -> None:
    """Every point of the card hits the card (a document-level hit test returns the shadow
    host): the centre and, just inside the rounded corners, the four corners."""
    points = [
        (box["left"] + box["width"] / 2, box["top"] + box["height"] / 2),
        (box["left"] + inset, box["top"] + inset),
        (box["right"] - inset, box["top"] + inset),
        (box["left"] + inset, box["bottom"] - inset),
        (box["right"] - inset, box["bottom"] - inset),
    ]
    for x, y in points:
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.localName", [x, y])
        assert hit == "glossary-card", f"at ({x:.0f}, {y:.0f}) the card is under <{hit}>"


# ---- hostile host CSS ---------------------------------------------------------------------


def test_the_card_survives_a_hostile_host_page(page: Page, glossary_server) -> None:
    open_page(page, glossary_server, "hostile.html")

    slug = open_first_card(page, "#hostile-container")

    shown = card(page, slug)
    box = rect(shown)
    view = viewport(page)
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= view["width"] and box["bottom"] <= view["height"], (box, view)
    assert box["width"] <= 360 and box["height"] > 150, box
    assert shown.evaluate("el => el.matches(':popover-open')") is True  # in the top layer
    # On top of the sticky header, the clipping container and the cookie bar.
    assert_on_top(page, box)
    # Styled by the card's own sheet, untouched by `* { all: unset }` and the span/div rules.
    style = shown.evaluate(
        """el => {
            const css = (node) => getComputedStyle(node);
            const definition = el.querySelector(".definition");
            return {
                background: css(el).backgroundColor, position: css(el).position,
                radius: css(el).borderRadius, fontSize: css(definition).fontSize,
                color: css(definition).color,
                warning: css(el.querySelector(".warning")).backgroundColor,
                link: css(el.querySelector("a")).textDecorationLine,
            };
        }"""
    )
    assert style["fontSize"] != "30px" and style["fontSize"] == "15px", style
    assert style["background"] == "rgb(255, 255, 255)", style
    assert style["warning"] != "rgb(255, 255, 0)", style
    assert style["color"] != "rgb(255, 0, 0)", style
    assert style["position"] == "fixed" and style["radius"] == "10px", style
    assert style["link"] == "underline", style
    expect(shown.locator(".definition")).to_have_text(term_json(glossary_server, page, slug)["definition"])


def test_a_card_from_the_clipping_container_is_not_clipped_with_it(page: Page, glossary_server) -> None:
    """The last term sits at the bottom of the `overflow: hidden`, transformed article; its
    (long) card reaches outside the article and stays inside the viewport."""
    open_page(page, glossary_server, "hostile.html")
    last = page.locator("#hostile-container glossary-term.glossary-widget-term").last
    slug = last.get_attribute("data-glossary-term")

    last.focus()  # this scrolls the clipping container to show the term

    expect(card(page, slug).get_by_text(READ_MORE)).to_be_attached()
    box = rect(card(page, slug))
    container = rect(page.locator("#hostile-container"))
    view = viewport(page)
    assert box["top"] >= 0 and box["bottom"] <= view["height"], (box, view)
    inside = (
        box["left"] >= container["left"]
        and box["right"] <= container["right"]
        and box["top"] >= container["top"]
        and box["bottom"] <= container["bottom"]
    )
    assert not inside, "this test needs a card that reaches outside the article"
    assert_on_top(page, box)


# ---- strict Content-Security-Policy --------------------------------------------------------


RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.violations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def test_on_a_strict_csp_page_highlights_are_styled_and_cards_open_without_violations(
    page: Page, glossary_server
) -> None:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} at {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    response = page.goto(f"{glossary_server.url}/examples/strict-csp.html")
    assert response and "trusted-types 'none'" in response.headers["content-security-policy"]
    highlight = page.locator("#story glossary-term.glossary-widget-term").first
    highlight.wait_for()
    background = highlight.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("transparent", "rgba(0, 0, 0, 0)")
    assert highlight.evaluate("el => getComputedStyle(el).textDecorationStyle") == "dotted"

    slug = open_first_card(page, "#story")

    shown = card(page, slug)
    data = term_json(glossary_server, page, slug)
    expect(shown.locator(".definition")).to_have_text(data["definition"])
    expect(shown.locator(".warning")).to_contain_text(data["misuse"])
    assert shown.evaluate("el => getComputedStyle(el).position") == "fixed"  # the sheet applies
    page.mouse.move(2, 2)
    expect(shown).to_be_hidden()
    assert page.evaluate("window.violations") == []
    assert errors == []


# ---- axe-core ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("highlights", ["on", "off"])
def test_axe_finds_no_violations_on_the_blog_post_with_a_card_open_or_highlights_off(
    page: Page, glossary_server, scheme: str, highlights: str
) -> None:
    """Also the card's off control and the footer's toggle, in both of the toggle's states."""
    page.emulate_media(color_scheme=scheme)
    open_page(page, glossary_server, "blog-post.html")
    open_first_card(page, "#story")
    control = card(page).get_by_role("button", name="Turn off highlights")
    expect(control).to_be_visible()
    if highlights == "off":
        control.click()
    toggle = page.get_by_role("button", name=f"Glossary highlights: {highlights}")
    expect(toggle).to_be_visible()

    results = Axe().run(page)

    if highlights == "on":
        assert card(page).is_visible(), "the card closed while axe ran"
    else:
        assert page.locator("glossary-term").count() == 0
    assert results.violations_count == 0, results.generate_report()


def test_the_card_is_in_english_on_a_page_in_another_language(page: Page, fixture_server) -> None:
    """Its words are the glossary's: a screen reader reads them with an English voice (WCAG 3.1.2),
    whatever the host page's `lang`."""
    html = CARD_PAGE_HTML.replace('<html lang="en">', '<html lang="de">', 1)
    assert html != CARD_PAGE_HTML
    page.route(
        f"{fixture_server.url}/examples/german.html", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    open_page(page, fixture_server, "german.html")

    hover(page, term(page, "premium"))

    shown = card(page, "premium")
    expect(shown).to_be_visible()
    assert shown.evaluate("el => el.matches(':lang(en)') && !el.matches(':lang(de)')")
    assert term(page, "premium").evaluate("el => el.matches(':lang(de)')")  # the page's words stay its own


MODAL_HTML = CARD_PAGE_HTML.replace(
    '<div class="spacer">',
    '<dialog id="modal" style="display: flex; flex-direction: column; gap: 12px">'
    "<p>In the dialog, a class action is filed.</p><button>Close</button></dialog>"
    "<script>document.querySelector('#modal').showModal()</script>"
    '<div class="spacer">',
    1,
)


def test_a_card_in_a_host_page_modal_dialog_can_be_used_and_moves_nothing(page: Page, fixture_server) -> None:
    """Outside the topmost modal dialog everything is inert: the card goes inside it while it
    shows a term of it, without a box there (a flex dialog with a gap would grow); Escape closes
    the card, not the dialog."""
    page.route(
        f"{fixture_server.url}/examples/modal.html",
        lambda route: route.fulfill(body=MODAL_HTML, content_type="text/html"),
    )
    open_page(page, fixture_server, "modal.html")
    inside = page.locator("#modal glossary-term")
    expect(inside).to_have_count(1)
    dialog_box = page.locator("#modal").bounding_box()

    inside.focus()
    page.keyboard.press("Enter")

    shown = card(page, "class-action")
    entry = shown.get_by_role("link", name="Read the full entry")
    expect(entry).to_be_visible()
    # Focus moved into the card (the card itself, as its content came after), and on to the
    # link: it is not inert.
    assert page.evaluate("document.activeElement.localName") == "glossary-card"
    page.keyboard.press("Tab")
    expect(entry).to_be_focused()
    assert page.locator("#modal").bounding_box() == dialog_box
    page.keyboard.press("Escape")
    expect(shown).to_be_hidden()
    assert page.evaluate("document.querySelector('#modal').open")
    expect(inside).to_be_focused()
