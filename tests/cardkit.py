"""Helpers shared by the hover card browser tests (test_card*.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, Request, Route

if TYPE_CHECKING:
    from conftest import LiveServer

CARD_PAGE = "card.html"
CARD_PAGE_HTML = (Path(__file__).parent / "fixtures" / "pages" / CARD_PAGE).read_text(encoding="utf-8")
TERM_JSON = "**/api/v1/terms/*.json"
# The widget's own timings (widget_js/card.js); the tests allow a margin around them.
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


def open_variant(page: Page, server: LiveServer, script_attributes: str) -> Page:
    """The card fixture page with extra attributes on the widget's script tag (data-theme=...)."""
    html = CARD_PAGE_HTML.replace('<script src="/widget.js"', f'<script src="/widget.js" {script_attributes}')
    assert html != CARD_PAGE_HTML
    page.route(f"{server.url}/examples/variant.html", lambda route: route.fulfill(body=html, content_type="text/html"))
    return open_page(page, server, "variant.html")


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, "element has no box"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def hover(page: Page, locator: Locator, steps: int = 1) -> None:
    page.mouse.move(*centre(locator), steps=steps)


def move_away(page: Page) -> None:
    """To the empty top margin of the fixture page, away from every term and card."""
    page.mouse.move(4, 4)


def rect(locator: Locator) -> dict[str, float]:
    """The first line box of an element (a term may wrap), in viewport coordinates."""
    return locator.evaluate(
        """el => {
            const r = el.getClientRects()[0] || el.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height};
        }"""
    )


def viewport(page: Page) -> dict[str, float]:
    return page.evaluate(
        "({width: document.documentElement.clientWidth, height: document.documentElement.clientHeight})"
    )


def log_card_events(page: Page) -> None:
    """Records, with page timestamps, when the pointer enters or leaves a term or the card and
    when the card opens or closes, in `window.cardLog`: timing checks that a busy test
    machine cannot upset."""
    page.evaluate(
        """() => {
            const log = window.cardLog = [];
            const card = document.querySelector("glossary-card").shadowRoot.querySelector(".card");
            const what = el => el.closest && (el.closest("glossary-term") ? "term" : el.closest("glossary-card") && "card");
            for (const type of ["pointerover", "pointerout"]) {
                document.addEventListener(type, e => {
                    const on = what(e.target), to = e.relatedTarget && what(e.relatedTarget);
                    if (on && on !== to) log.push([e.timeStamp, `${type} ${on}`]);
                }, true);
            }
            new MutationObserver(() => {
                const state = card.classList.contains("open") ? "open" : "closed";
                if (!log.length || log[log.length - 1][1] !== state) log.push([performance.now(), state]);
            }).observe(card, {attributes: true, attributeFilter: ["class"]});
        }"""
    )


def card_log(page: Page) -> list[tuple[float, str]]:
    return [(time, event) for time, event in page.evaluate("window.cardLog")]


def elapsed(log: list[tuple[float, str]], start: str, end: str) -> float:
    """Milliseconds from the last `start` event before the first `end` event that follows it."""
    end_index = next(i for i, (_, event) in enumerate(log) if event == end)
    start_time = [time for time, event in log[:end_index] if event == start][-1]
    return log[end_index][0] - start_time


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
    found = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value.strip())
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
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
