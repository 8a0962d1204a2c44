"""The security headers of our own HTML pages, and that every page of ours runs under them in
Chromium with no policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GLOSSARY_DATA, LiveServer
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from playwright.sync_api import Route as BrowserRoute
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from widget_server.app import create_app
from widget_server.headers import NEVER_FRAMED, page_headers

ENTRY = "/glossary/annual-percentage-rate/"
SNIPPET = "/snippets/annual-percentage-rate.html"
ADMIN_PASSWORD = "page security"
# Our pages: the index, an entry, the 404 page as the pages and the static files answer it,
# and a snippet opened on its own.
OUR_PAGES = [
    "/glossary/",
    ENTRY,
    "/glossary/no-such-term/",
    "/static/nothing.css",
    SNIPPET,
    "/configure/",
    "/configure/preview.html",
]
FRAMED = [
    "/glossary/",
    ENTRY,
    "/glossary/no-such-term/",
    "/static/nothing.css",
    "/404.html",
    "/configure/",
    "/configure/preview.html",
]

# Records every violation the page reports, from before its first byte is parsed.
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

# A violation the test makes after the load, of the connect-src of every page of ours: a fetch of
# another origin, which no page of ours makes. (Chromium reports it in the console too.)
MARKER_URL = "https://violation.invalid/after-load"
MARKER = f"connect-src {MARKER_URL}"
MARKER_VIOLATION = f"fetch({MARKER_URL!r}).catch(() => {{}})"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(GLOSSARY_DATA, examples_dir=GLOSSARY_DATA.parent / "examples")
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", FRAMED)
def test_pages_allow_only_our_own_scripts_and_styles(client: TestClient, path: str) -> None:
    headers = client.get(path).headers

    assert headers["content-type"] == "text/html; charset=utf-8"
    policy = headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; script-src 'self'; style-src 'self';")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'self'" in policy and headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "geolocation=()" in headers["permissions-policy"]


def test_a_snippet_has_the_page_policy_and_may_be_framed(client: TestClient) -> None:
    """A snippet is a fragment for partners' pages: one of them may show it in a frame."""
    headers = client.get(SNIPPET).headers

    assert headers["content-security-policy"] == page_headers(None)["Content-Security-Policy"]
    assert "frame-ancestors" not in headers["content-security-policy"]
    assert "x-frame-options" not in headers
    assert headers["access-control-allow-origin"] == "*"


def test_admin_pages_get_a_header_set_that_forbids_any_frame() -> None:
    headers = page_headers(NEVER_FRAMED)

    assert headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path", ["/api/v1/terms.json", "/widget.js", "/healthz", "/examples/blog-post.html", "/examples/spa.html"]
)
def test_api_widget_and_example_files_keep_their_own_headers(client: TestClient, path: str) -> None:
    """The API and widget files are fetched by partner pages: CORS, and no page policy. The
    example pages stand for partner pages, which set their own."""
    headers = client.get(path).headers

    assert "content-security-policy" not in headers
    assert "x-frame-options" not in headers
    if path.startswith(("/api/", "/widget.js")):
        assert headers["access-control-allow-origin"] == "*"


def test_the_strict_csp_example_keeps_its_own_policy(client: TestClient) -> None:
    policy = client.get("/examples/strict-csp.html").headers["content-security-policy"]

    assert "require-trusted-types-for 'script'" in policy


def open_recording(page: Page, url: str) -> list[str]:
    """Open `url`; the console errors and page errors it gave while it loaded."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.goto(url)
    page.wait_for_load_state("load")
    # Violation events are dispatched after the fact, in the order of the violations: once the
    # marker's has come, so have those of the page's loading.
    page.evaluate(MARKER_VIOLATION)
    page.wait_for_function(f"window.__violations.includes({MARKER!r})")
    page.evaluate(f"window.__violations = window.__violations.filter((v) => v !== {MARKER!r})")
    return [problem for problem in problems if MARKER_URL not in problem]


@pytest.mark.parametrize("path", OUR_PAGES)
def test_our_pages_load_with_no_policy_violation(page: Page, glossary_server: LiveServer, path: str) -> None:
    problems = open_recording(page, glossary_server.url + path)

    assert page.evaluate("window.__violations") == []
    # 404 pages: Chromium says so in the console, which is what they are for.
    assert [p for p in problems if "404 (Not Found)" not in p] == []
    if path not in (SNIPPET, "/configure/preview.html"):  # the preview has no site header
        # The stylesheet applied: the page is laid out by our rules, not the browser's.
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline"
        assert page.evaluate("document.styleSheets[0].cssRules.length") > 0


def test_inline_script_and_style_in_a_page_of_ours_are_blocked(page: Page, glossary_server: LiveServer) -> None:
    """The check above can fail: what an injection would add is refused and reported."""

    def inject(route: BrowserRoute) -> None:
        response = route.fetch()
        body = response.text().replace(
            "</main>",
            '<script>document.title = "ran"</script><style>body{display:none}</style><p style="color:red">x</p></main>',
        )
        route.fulfill(response=response, body=body)

    page.route(f"{glossary_server.url}{ENTRY}", inject)
    problems = open_recording(page, glossary_server.url + ENTRY)

    violations = page.evaluate("window.__violations")
    assert {v.split()[0] for v in violations} >= {"script-src-elem", "style-src-elem", "style-src-attr"}
    assert page.title() != "ran"
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    assert any("Content Security Policy" in p for p in problems)


def test_a_page_of_ours_cannot_be_framed_by_another_site(page: Page, glossary_server: LiveServer) -> None:
    """A page on another origin (another port) that frames the glossary gets an error page in
    the frame; one that frames a snippet shows it."""
    framing = HTMLResponse(
        f'<iframe id="page" src="{glossary_server.url}{ENTRY}"></iframe>'
        f'<iframe id="snippet" src="{glossary_server.url}{SNIPPET}"></iframe>'
    )
    with LiveServer(Starlette(routes=[Route("/", framing)])) as other_site:
        page.goto(other_site.url)
        page.wait_for_load_state("load")

        assert "Watch out" in page.frame_locator("#snippet").locator("body").inner_text()
        framed = {frame.url for frame in page.frames}
    assert glossary_server.url + SNIPPET in framed
    assert glossary_server.url + ENTRY not in framed  # blocked: Chromium's error page instead


def test_the_feedback_block_and_the_admin_report_run_with_no_policy_violation(browser: Browser, tmp_path: Path) -> None:
    """With a feedback store: an entry page's vote (a fetch of our own API) and /admin/'s report
    (its chart included) stay within the pages' policy."""
    app = create_app(GLOSSARY_DATA, state_dir=tmp_path / "state", admin_password=ADMIN_PASSWORD)
    with LiveServer(app) as server:
        context = browser.new_context(http_credentials={"username": "admin", "password": ADMIN_PASSWORD})
        try:
            page = context.new_page()
            problems = open_recording(page, server.url + ENTRY)
            page.get_by_role("button", name="Yes").click()
            expect(page.locator(".entry-feedback").get_by_role("status")).to_have_text("Thanks")
            assert page.evaluate("window.__violations") == []
            problems += open_recording(page, server.url + "/admin/")
            expect(page.get_by_role("heading", name="Feedback report")).to_be_visible()
            assert page.evaluate("window.__violations") == []
            # Chromium asks for /favicon.ico, which the glossary does not have.
            assert [p for p in problems if "404 (Not Found)" not in p] == []
        finally:
            context.close()
