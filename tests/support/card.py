"""Helpers shared by the hover card browser tests (test_card*.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, Request, Route

from tests.support.widget import install_clock, pause_clock

if TYPE_CHECKING:
    from conftest import LiveServer

CARD_PAGE = "card.html"
PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
CARD_PAGE_HTML = (PAGES / CARD_PAGE).read_text(encoding="utf-8")
TERM_JSON = "**/api/v1/terms/*.json"
# The widget's own timings (widget_js/card.js). Written out here, not read from card.js, so that
# a changed delay fails the timing tests.
PREFETCH_MS = 100
OPEN_MS = 300
CLOSE_MS = 300


def term(page: Page, slug: str) -> Locator:
    return page.locator(f'glossary-term.glossary-widget-term[data-glossary-term="{slug}"]')


def card(page: Page, slug: str | None = None) -> Locator:
    """The card root; Playwright's CSS engine looks inside the open shadow root."""
    return page.locator(f'[data-glossary-card="{slug}"]' if slug else "[data-glossary-card]")


def open_page(page: Page, server: LiveServer, name: str = CARD_PAGE) -> Page:
    page.goto(f"{server.url}/examples/{name}")
    page.locator("glossary-term.glossary-widget-term").first.wait_for(state="attached")
    return page


def open_page_with_paused_clock(page: Page, server: LiveServer, name: str = CARD_PAGE) -> Page:
    """Opens the page with its timers in the test's hands (Playwright's clock emulation): time runs
    while the page loads, then stands still until the test moves it on with `page.clock.run_for(ms)`.

    The widget's delays are then exact however busy the machine is, and mouse moves take no page
    time at all: a pointer moved over a term and off it again, with the clock standing, has passed
    it in 0 ms, so no prefetch or open timer can have fired."""
    install_clock(page)
    open_page(page, server, name)
    pause_clock(page)
    return page


def open_variant(page: Page, server: LiveServer, script_attributes: str) -> Page:
    """The card fixture page with extra attributes on the widget's script tag (data-theme=...)."""
    tag = '<script src="/widget.js"'
    html = CARD_PAGE_HTML.replace(tag, f"{tag} {script_attributes}")
    assert html != CARD_PAGE_HTML
    page.route(
        f"{server.url}/examples/variant.html",
        lambda route: route.fulfill(body=html, content_type="text/html"),
    )
    return open_page(page, server, "variant.html")


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, "element has no box"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def hover(page: Page, locator: Locator, steps: int = 1) -> None:
    page.mouse.move(*centre(locator), steps=steps)


def rest_on(page: Page, locator: Locator) -> None:
    """Moves the pointer onto a term and, on a paused page clock, lets it rest there until the card opens."""
    hover(page, locator)
    page.clock.run_for(OPEN_MS)


def move_away(page: Page) -> None:
    """To the empty top margin of the fixture page, away from every term and card."""
    page.mouse.move(4, 4)


def rect(locator: Locator) -> dict[str, float]:
    """The first line box of an element (a term may wrap), in viewport coordinates."""
    return locator.evaluate(
        """el => {
            const r = el.getClientRects()[0] || el.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                    width: r.width, height: r.height};
        }"""
    )


def viewport(page: Page) -> dict[str, float]:
    return page.evaluate(
        """({width: document.documentElement.clientWidth,
             height: document.documentElement.clientHeight})"""
    )


def log_card_events(page: Page) -> None:
    """Records in `window.cardLog`, with page timestamps, when the pointer enters, leaves or is
    lifted from a term or the card, when the page fetches a term's data ("fetch <slug>", also for a
    request that is aborted before it reaches the network) and when the card opens or closes."""
    page.evaluate(
        """() => {
            const log = window.cardLog = [];
            const what = el => el.closest &&
                (el.closest("glossary-term") ? "term" : el.closest("glossary-card") && "card");
            for (const type of ["pointerover", "pointerout", "pointerup"]) {
                document.addEventListener(type, e => {
                    const on = what(e.target), to = e.relatedTarget && what(e.relatedTarget);
                    if (on && on !== to) log.push([e.timeStamp, `${type} ${on}`]);
                }, true);
            }
            const fetch = window.fetch;
            window.fetch = function (url, ...rest) {
                const slug = /\\/api\\/v1\\/terms\\/([^/]+)\\.json$/.exec(String(url));
                if (slug) log.push([performance.now(), `fetch ${slug[1]}`]);
                return fetch.call(this, url, ...rest);
            };
            // The card's container joins the page (after <body>) when a card is first shown. The
            // card is open exactly when it matches :popover-open; its beforetoggle event fires
            // synchronously inside showPopover/hidePopover (it does not bubble: on the card).
            const find = () => document.querySelector("glossary-card")?.shadowRoot.querySelector(".card");
            const watch = card => card.addEventListener("beforetoggle", e => {
                log.push([performance.now(), e.newState]);
            });
            const card = find();
            if (card) watch(card);
            else new MutationObserver((_, observer) => {
                const card = find();
                if (!card) return;
                observer.disconnect();
                watch(card);
                // Shown in the same task that added it, before this observer heard of it.
                if (card.matches(":popover-open")) log.push([performance.now(), "open"]);
            }).observe(document.documentElement, {childList: true});
        }"""
    )


def card_log(page: Page) -> list[tuple[float, str]]:
    return [(time, event) for time, event in page.evaluate("window.cardLog")]


def card_events(page: Page) -> list[str]:
    """What `log_card_events` has recorded, without the times."""
    return [event for _, event in card_log(page)]


def term_json(server: LiveServer, page: Page, slug: str) -> dict:
    response = page.request.get(f"{server.url}/api/v1/terms/{slug}.json")
    assert response.ok
    return response.json()


def record_term_requests(page: Page) -> list[str]:
    """The term slugs whose card data the page requests, in order."""
    slugs: list[str] = []

    def on_request(request: Request) -> None:
        found = re.search(r"/api/v1/terms/([^/]+)\.json$", request.url)
        if found:
            slugs.append(found.group(1))

    page.on("request", on_request)
    return slugs


def hold_term_requests(page: Page) -> list[Route]:
    """Intercepts the term JSON requests and keeps them pending until the test answers them."""
    held: list[Route] = []
    page.route(TERM_JSON, lambda route: held.append(route))
    return held


# ---- colours ------------------------------------------------------------------------------


def parse_colour(value: str) -> tuple[float, float, float, float]:
    number = r"([\d.]+)"
    found = re.fullmatch(rf"rgba?\({number}, {number}, {number}(?:, {number})?\)", value.strip())
    assert found, f"not an rgb() colour: {value}"
    r, g, b, a = found.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def luminance(value: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = parse_colour(value)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    assert parse_colour(background)[3] == 1, f"background {background} is not opaque"
    assert parse_colour(foreground)[3] == 1, f"text colour {foreground} is not opaque"
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_png(path: Path) -> bool:
    signature = b"\x89PNG\r\n\x1a\n"
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:8] == signature
