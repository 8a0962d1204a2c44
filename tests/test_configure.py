"""The configurator, /configure/, in Chromium: choices change the preview and the tag, pasted
markup stays text, the copied tag behaves on a fresh page as previewed; axe, a phone, no script."""

from __future__ import annotations

import html
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import GLOSSARY_DATA, LiveServer, free_port
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect
from starlette.testclient import TestClient

from tests.support.widget import (
    HIGHLIGHTS_JS,
    RECORD_PAGE,
    Console,
    highlights,
    html_page,
    install_clock,
    serve_html,
    static_server,
    wait_ready,
)
from widget_server.app import create_app
from widget_server.build import build_site
from widget_server.configure import PLACEHOLDER_BASE_URL
from widget_server.content import load_glossary
from widget_server.sites import origin_problem

# How long the configurator waits for typing to pause before it starts a new preview
# (widget_server/static/configure.js).
TYPING_PAUSE_MS = 400


def open_configurator(page: Page, server: LiveServer) -> None:
    """Opens the configurator with its timers on Playwright's clock (time runs as usual), so
    that `settle` can end its wait for typing to pause at once."""
    install_clock(page)
    page.goto(f"{server.url}/configure/")
    expect(page.locator("#highlights-summary")).to_contain_text("highlight")


def preview(page: Page) -> Frame:
    """The current preview's frame (each change of the settings makes a new one)."""
    handle = page.wait_for_selector("#preview")
    frame = handle.content_frame() if handle else None
    assert frame is not None
    return frame


def preview_highlights(page: Page) -> list[tuple[str, str]]:
    rows = preview(page).eval_on_selector_all("glossary-term", HIGHLIGHTS_JS)
    return [(slug, text) for slug, text in rows]


def settle(page: Page) -> None:
    """Waits for the preview that the last change started to report its highlights: a typed
    change starts it once typing has paused, which the clock skips; the others at once."""
    page.clock.fast_forward(TYPING_PAUSE_MS)
    expect(page.locator("#highlights-summary")).not_to_have_text("Loading the preview…")


def test_changing_categories_changes_the_preview_and_the_tag(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    expect(page.locator("#tag")).to_have_text(f'<script src="{glossary_server.url}/widget.js" defer></script>')
    before = preview_highlights(page)
    assert {"payday-loan", "premium", "data-broker"} <= {slug for slug, _ in before}

    page.uncheck("#category-finance")
    page.uncheck("#category-privacy")
    settle(page)

    expect(page.locator("#tag")).to_have_text(
        f'<script src="{glossary_server.url}/widget.js" '
        'data-categories="insurance,healthcare,employment-law" defer></script>'
    )
    after = preview_highlights(page)
    assert after and not {"payday-loan", "data-broker", "credit-score"} & {slug for slug, _ in after}
    assert {"premium", "deductible"} <= {slug for slug, _ in after}
    listed = page.locator("#highlights li").all_inner_texts()
    assert any(item.startswith("Premium: “premiums” (plural of its title)") for item in listed)
    assert len(listed) == len({slug for slug, _ in after})


def test_the_preview_counts_no_opens_and_asks_for_no_votes(page: Page, tmp_path: Path) -> None:
    """A site owner trying settings is no reader: with a feedback store, whose endpoint the real
    widget would post opens and votes to, the preview's card posts nothing and asks nothing."""
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    with LiveServer(create_app(GLOSSARY_DATA, state_dir=tmp_path / "state")) as server:
        open_configurator(page, server)
        highlight = preview(page).locator("glossary-term").first
        highlight.focus()
        shown = preview(page).locator("[data-glossary-card]")
        expect(shown.get_by_text("Read the full entry")).to_be_visible()

        expect(shown).not_to_contain_text("Was this helpful?")
        assert posts == []


def test_the_list_says_which_name_matched(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    listed = page.locator("#highlights li").all_inner_texts()
    assert 'Annual Percentage Rate: “APR” (its alias "APR")' in listed
    assert 'Out-of-Network: “out of network” (its alias "out of network")' in listed
    assert "Premium: “premiums” (plural of its title)" in listed


def test_pasted_markup_is_shown_as_text(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    pasted = (
        "<img src=x onerror=\"parent.document.title='owned'\"><b>Bold</b> claim about a deductible."
        "\n\nA second paragraph on the premium your insurer charges."
    )
    page.fill("#text", pasted)
    settle(page)

    frame = preview(page)
    assert frame.eval_on_selector_all("#article p", "ps => ps.map(p => p.textContent)") == [
        "<img src=x onerror=\"parent.document.title='owned'\"><b>Bold</b> claim about a deductible.",
        "A second paragraph on the premium your insurer charges.",
    ]
    assert frame.locator("img, b").count() == 0
    assert preview_highlights(page) == [("deductible", "deductible"), ("premium", "premium")]
    assert page.title() != "owned"


def test_the_copied_tag_on_a_fresh_page_behaves_as_previewed(
    page: Page, context: BrowserContext, glossary_server: LiveServer
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=glossary_server.url)
    open_configurator(page, glossary_server)
    page.uncheck("#category-healthcare")
    page.check("#occurrences-all")
    page.fill("#max", "6")
    page.fill("#exclude", ".aside")
    settle(page)
    previewed = preview_highlights(page)
    paragraphs = preview(page).eval_on_selector_all("#article p", "ps => ps.map(p => p.textContent)")
    article = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)

    page.click("#copy")
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    tag = page.evaluate("navigator.clipboard.readText()")
    assert 'data-occurrences="all"' in tag and 'data-max="6"' in tag

    fresh = context.new_page()
    fresh.add_init_script(RECORD_PAGE)
    url = serve_html(
        fresh, f"{glossary_server.url}/fresh.html", html_page(f"<main><article>{article}</article></main>{tag}")
    )
    fresh.goto(url)
    wait_ready(fresh)
    assert highlights(fresh) == previewed
    assert len(previewed) == 6


def test_a_tag_for_this_computer_says_no_reader_can_reach_it(page: Page, glossary_server: LiveServer) -> None:
    """As `embed` warns: a site owner trying `make run` must not paste a 127.0.0.1 tag."""
    open_configurator(page, glossary_server)

    expect(page.locator("#tag")).to_contain_text(f'src="{glossary_server.url}/widget.js"')
    expect(page.locator("#tag-local")).to_be_visible()
    expect(page.locator("#tag-host")).to_have_text(glossary_server.url.removeprefix("http://"))


def test_a_tag_for_a_public_address_gets_no_warning(page: Page) -> None:
    with LiveServer(create_app(GLOSSARY_DATA, base_url="https://glossary.example.org/")) as server:
        open_configurator(page, server)

        expect(page.locator("#tag")).to_contain_text('src="https://glossary.example.org/widget.js"')
        expect(page.locator("#tag-local")).to_be_hidden()


def test_an_invalid_selector_is_reported_and_not_used(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    page.fill("#exclude", "p[")
    error = page.locator("#exclude-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text('"p[" is not a valid CSS selector')
    expect(page.locator("#exclude")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tag")).not_to_contain_text("data-exclude")
    page.fill("#exclude", "p")
    expect(error).to_be_hidden()
    expect(page.locator("#tag")).to_contain_text('data-exclude="p"')


def test_a_registered_site_gets_its_yaml_and_a_tag_that_names_it(
    page: Page, glossary_server: LiveServer, tmp_path: Path
) -> None:
    open_configurator(page, glossary_server)
    page.check("#category-finance")
    page.uncheck("#category-privacy")
    page.select_option("#theme", "dark")
    page.check("#kind-pinned")
    page.fill("#site", "daily-ledger")
    page.fill("#origins", "https://www.daily-ledger.example")
    expect(page.locator("#tag")).to_contain_text('data-site="daily-ledger" defer></script>')
    expect(page.locator("#tag")).to_contain_text('integrity="sha384-')
    yaml_text = page.locator("#yaml").text_content() or ""

    # The YAML is a valid site file with the chosen settings.
    data = shutil.copytree(GLOSSARY_DATA, tmp_path / "data")
    (data / "sites" / "daily-ledger.yml").write_text(yaml_text, "utf-8")
    site = next(s for s in load_glossary(data).sites if s.id == "daily-ledger")
    assert site.origins == ("https://www.daily-ledger.example",)
    assert site.categories == ("insurance", "finance", "healthcare", "employment-law")
    assert site.theme == "dark"


@pytest.mark.parametrize(
    "bad",
    [
        "http://bad origin",
        "https://news.example.com/articles",
        "https://news.example.com?ref=glossary",
        '"https://news.example.org"',
        "http://news.example.org",
        "https://News.Example.org",
        "https://news.example.com",  # twice
    ],
)
def test_the_sites_addresses_must_be_origins(page: Page, glossary_server: LiveServer, bad: str) -> None:
    """Each line is an origin as `glossary-widget check` takes it, or it is marked and no site
    file is made: a line with a space was once split into two "origins"."""
    assert origin_problem(bad) or bad == "https://news.example.com"
    open_configurator(page, glossary_server)
    page.fill("#site", "daily-ledger")
    page.fill("#origins", f"https://news.example.com\n{bad}")

    error = page.locator("#origins-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(f'"{bad}"')
    expect(page.locator("#origins")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#yaml-invalid")).to_be_visible()
    expect(page.locator("#yaml")).to_be_hidden()
    expect(page.locator("#yaml")).to_have_text("")
    # The tag only names the site: it stays right.
    expect(page.locator("#tag")).to_contain_text('data-site="daily-ledger"')

    page.fill("#origins", "https://news.example.com\n\nhttp://localhost:8080 ")
    expect(error).to_be_hidden()
    expect(page.locator("#origins")).to_have_attribute("aria-invalid", "false")
    expect(page.locator("#yaml")).to_contain_text('origins: ["https://news.example.com", "http://localhost:8080"]')


@pytest.mark.parametrize("value", ["0", "1001", "2.5", "-3", ""])
def test_a_highest_number_out_of_range_leaves_no_tag_to_copy(
    page: Page, glossary_server: LiveServer, value: str
) -> None:
    open_configurator(page, glossary_server)
    page.fill("#max", "6")
    expect(page.locator("#tag")).to_contain_text('data-max="6"')
    page.fill("#max", value)

    expect(page.locator("#max-error")).to_have_text("Enter a whole number from 1 to 1000.")
    expect(page.locator("#max")).to_have_attribute("aria-invalid", "true")
    expect_no_tag(page)

    page.fill("#max", "1000")
    expect(page.locator("#max-error")).to_be_hidden()
    expect(page.locator("#tag")).to_contain_text('data-max="1000"')
    expect(page.locator("#copy")).to_be_visible()


def test_no_category_leaves_no_tag_to_copy(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    page.fill("#site", "daily-ledger")
    for box in page.locator("input[name=categories]").all():
        box.uncheck()

    expect(page.locator("#categories-error")).to_be_visible()
    expect_no_tag(page)
    expect(page.locator("#yaml-block")).to_be_hidden()

    page.check("#category-finance")
    expect(page.locator("#tag")).to_contain_text('data-site="daily-ledger"')
    expect(page.locator("#yaml")).to_contain_text("categories: [finance]")
    expect(page.locator("#copy")).to_be_visible()


def expect_no_tag(page: Page) -> None:
    """Nothing left on screen to paste: not the tag, the copy button or a site file."""
    expect(page.locator("#tag-invalid")).to_be_visible()
    expect(page.locator("#tag")).to_be_hidden()
    expect(page.locator("#tag")).to_have_text("")
    expect(page.locator("#copy")).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(page: Page, glossary_server: LiveServer, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    open_configurator(page, glossary_server)
    page.fill("#exclude", "p[")
    page.fill("#site", "my-site")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_usable_on_a_phone(page: Page, glossary_server: LiveServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_configurator(page, glossary_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for selector in ("#preview", "#tag", "#copy", "#exclude"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector


def test_keyboard_reaches_every_choice_and_the_copy_button(page: Page, glossary_server: LiveServer) -> None:
    open_configurator(page, glossary_server)
    page.focus("#category-insurance")
    page.keyboard.press("Space")
    expect(page.locator("#tag")).to_contain_text("data-categories=")
    wanted = {"max", "theme", "link-target", "exclude", "text", "site", "copy"}
    reached = set()
    # Until each is reached: the change above replaces the preview while Tab runs, and focus in
    # the old one can start over from the top of the page (in one full run, 60 presses did not
    # reach the copy button, which 14-18 presses reach otherwise).
    for _ in range(300):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
        if wanted <= reached:
            break
    assert wanted <= reached


def test_without_javascript_the_page_shows_the_default_tag() -> None:
    client = TestClient(create_app(GLOSSARY_DATA, base_url="https://glossary.example.org/"))
    page = client.get("/configure/")
    assert page.status_code == 200
    assert "&lt;script src=&#34;https://glossary.example.org/widget.js&#34; defer&gt;&lt;/script&gt;" in page.text
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, "an inline script"
    assert "style=" not in page.text and "<style" not in page.text
    preview_page = client.get("/configure/preview.html")
    assert preview_page.status_code == 200
    assert re.search(r"<script(?![^>]*\bsrc=)", preview_page.text) is None


def test_without_javascript_a_placeholder_address_is_said_to_be_one(
    browser: Browser, glossary_server: LiveServer
) -> None:
    """Served without --base-url, the page cannot know the glossary's public address: a reader
    without script is told the tag's is a placeholder, and sees no preview that cannot load."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{glossary_server.url}/configure/")
        expect(page.locator("#tag")).to_have_text(f'<script src="{PLACEHOLDER_BASE_URL}widget.js" defer></script>')
        # (Playwright's text engine skips <noscript>, so these are found by CSS.)
        note, after = page.locator("noscript p").all()
        expect(note).to_be_visible()
        expect(note).to_contain_text(f"The address in this tag, {PLACEHOLDER_BASE_URL}, is a placeholder")
        expect(note).to_contain_text("glossary-widget embed")
        expect(after).to_be_visible()
        expect(after).to_contain_text("the tag for the default settings, once its address is replaced")
        expect(page.get_by_text("The list appears once the preview has loaded")).to_be_hidden()
        expect(page.get_by_role("heading", name="Preview")).to_be_hidden()
    finally:
        context.close()


def test_without_javascript_a_known_address_gives_the_real_tag(browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        with LiveServer(create_app(GLOSSARY_DATA, base_url="https://glossary.example.net/")) as server:
            page = context.new_page()
            page.goto(f"{server.url}/configure/")
            expect(page.locator("#tag")).to_have_text(
                '<script src="https://glossary.example.net/widget.js" defer></script>'
            )
            # (Playwright's text engine skips <noscript>, so this is found by CSS.)
            (note,) = page.locator("noscript p").all()
            expect(note).to_be_visible()
            expect(note).to_have_text(
                "This is the tag for the default settings. Turn on JavaScript to choose your own and preview them."
            )
            expect(page.get_by_role("heading", name="Preview")).to_be_hidden()
    finally:
        context.close()


@pytest.fixture(scope="module")
def export_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled glossary's static export, under a sub-folder of a plain static server."""
    root = tmp_path_factory.mktemp("export-host")
    build_site(GLOSSARY_DATA, root / "glossary")
    for url in static_server(root, free_port()):
        yield f"{url}/glossary"


def test_the_configurator_works_from_the_static_export(page: Page, export_url: str) -> None:
    page.goto(f"{export_url}/configure/")
    expect(page.locator("#highlights-summary")).to_contain_text("highlight")
    expect(page.locator("#tag")).to_have_text(f'<script src="{export_url}/widget.js" defer></script>')
    assert ("premium", "premiums") in preview_highlights(page)
    page.check("#kind-pinned")
    pinned = re.search(r'src="([^"]+)"', page.locator("#tag").text_content() or "")
    assert pinned and urllib.request.urlopen(pinned.group(1)).status == 200


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; require-trusted-types-for 'script'; trusted-types 'none'"
)


@pytest.fixture(scope="module")
def strict_csp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The bundled glossary, its pages sent with STRICT_CSP. (Added by the server: Chromium
    refuses loopback requests from a page whose response Playwright's routing made.)"""
    app = create_app(GLOSSARY_DATA)

    async def with_csp(scope: Any, receive: Any, send: Any) -> None:
        async def send_with_csp(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope["path"].startswith("/configure/"):
                message["headers"] = [*message["headers"], (b"content-security-policy", STRICT_CSP.encode())]
            await send(message)

        await app(scope, receive, send_with_csp if scope["type"] == "http" else send)

    with LiveServer(with_csp) as server:
        yield server


def test_the_configurator_works_under_a_strict_csp_with_trusted_types(
    page: Page, strict_csp_server: LiveServer
) -> None:
    console = Console.attach(page)
    open_configurator(page, strict_csp_server)
    page.uncheck("#category-finance")
    settle(page)
    assert {"premium", "deductible"} <= {slug for slug, _ in preview_highlights(page)}
    assert "payday-loan" not in {slug for slug, _ in preview_highlights(page)}
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert console.page_errors == []
    assert [text for text in console.errors if "Content Security Policy" in text] == []
