"""Helpers shared by the widget's browser tests (tests/test_widget_*.py)."""

from __future__ import annotations

import html
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Route

from widget_server.api import matcher_document

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
# The widget's matcher files: the one of every category, which a tag without data-categories
# reads, and those of one category each.
MATCHER_FILES = re.compile(r"/api/v1/matcher(/[^/?]+)?\.json$")

# The areas the issue says are never highlighted ("Never inside"), written out here rather than
# taken from the widget, so that a change to the widget's own list is caught: the elements, then
# the selector of every area.
# fmt: off
ISSUE_SKIP_ELEMENTS = (
    "a", "button", "input", "textarea", "select", "option", "label", "summary", "code", "pre",
    "kbd", "samp", "script", "style", "noscript", "template", "svg", "math", "iframe",
    "h1", "h2", "h3", "h4", "h5", "h6", "nav",
)
# fmt: on
ISSUE_SKIP_SELECTOR = ",".join(
    [
        *ISSUE_SKIP_ELEMENTS,
        "[contenteditable]:not([contenteditable=false])",
        "[hidden]",
        "[aria-hidden=true]",
        "[role=button]",
        "[role=link]",
        "[role=menuitem]",
        "[role=tab]",
        "[data-glossary-skip]",
        "glossary-term",
        ".glossary-widget",
    ]
)

# Installed before any page script: records every glossary:ready event, and what the page looked
# like when its DOM was parsed, before the widget could have changed anything (the widget only
# writes after its index requests have answered, which is always later than DOMContentLoaded).
RECORD_PAGE = """
window.__readyEvents = [];
document.addEventListener("glossary:ready", (event) => {
  window.__readyEvents.push(event.detail);
  window.__ready = event.detail;
});
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("#root") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const textNodes = [];
  for (let node; (node = walker.nextNode()); ) textNodes.push(node);
  window.__before = {
    html: document.documentElement.outerHTML,
    rootHtml: root.outerHTML,
    rootText: root.textContent,
    bodyText: document.body.textContent,
    highlights: document.querySelectorAll("glossary-term").length,
    textNodes,
    textData: textNodes.map((node) => node.data),
  };
});
"""

HIGHLIGHTS_JS = "els => els.map(e => [e.dataset.glossaryTerm, e.textContent])"
HIGHLIGHT = "[data-glossary-term]"  # any element the widget marked, whatever its tag

# The widget's script tag in the fixture pages, which tests may replace with other attributes.
FIXTURE_TAG = re.compile(r'<script src="/widget\.js"[^>]*></script>')


def shared_context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context for a module's tests (a new one per test costs more than the test),
    for modules whose tests leave no cookies or storage behind. Use through a module fixture."""
    context = browser.new_context()
    yield context
    context.close()


def fresh_page(context: BrowserContext) -> Iterator[Page]:
    """A page of `context` that is closed after the test, with its routes and listeners."""
    page = context.new_page()
    yield page
    page.close()


def widget_tag(src: str = "/widget.js", **data: str) -> str:
    """A script tag as a site owner would paste it; `data` become data-* attributes."""
    attrs = "".join(f' data-{name.replace("_", "-")}="{html.escape(value)}"' for name, value in data.items())
    return f'<script src="{html.escape(src)}"{attrs} defer></script>'


def html_page(body: str, head: str = "") -> str:
    """A small page; the empty icon keeps the browser from requesting /favicon.ico."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test</title>'
        f'<link rel="icon" href="data:,">{head}</head><body>{body}</body></html>'
    )


def fixture_html(name: str, tag: str | None = None) -> str:
    """A fixture page's HTML, with its widget tag replaced by `tag` ("" removes it)."""
    text = (PAGES / name).read_text(encoding="utf-8")
    return text if tag is None else FIXTURE_TAG.sub(lambda _: tag, text, count=1)


def serve_html(page: Page, url: str, body: str) -> str:
    """Answers requests for `url` with `body`: a page on the test server's origin, so that
    /widget.js and the API come from the real server."""

    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(url, fulfill)
    return url


def wait_ready(page: Page, count: int = 1) -> dict[str, Any]:
    """Waits for the `count`-th glossary:ready event and returns its detail."""
    page.wait_for_function(f"() => window.__readyEvents && window.__readyEvents.length >= {count}")
    return page.evaluate(f"window.__readyEvents[{count - 1}]")


def open_ready(page: Page, url: str) -> dict[str, Any]:
    """Opens `url` (with RECORD_PAGE installed) and waits for the widget's first scan."""
    page.add_init_script(RECORD_PAGE)
    page.goto(url)
    return wait_ready(page)


def highlights(page: Page, within: str = "body") -> list[tuple[str, str]]:
    """(slug, text) of every highlight inside `within`, in document order."""
    rows = page.eval_on_selector_all(f"{within} {HIGHLIGHT}", HIGHLIGHTS_JS)
    return [(slug, text) for slug, text in rows]


def wait_for_events(page: Page, done: Callable[[], bool], what: str, timeout_ms: int = 5000) -> None:
    """Lets Playwright deliver the page's events to the test until `done()` holds; past
    `timeout_ms`, an AssertionError naming `what`. State that event handlers fill in (held
    routes, failures, console messages) lags behind the page, and `wait_for_function` sees only
    the page's own. (The short waits are what lets Playwright deliver them: the sync API hands
    events to the test only while it waits in a call.)"""
    for _ in range(timeout_ms // 50):
        if done():
            return
        page.wait_for_timeout(50)
    assert done(), f"{what}: not within {timeout_ms} ms"


def ready_count(page: Page) -> int:
    return int(page.evaluate("window.__readyEvents.length"))


def settle(page: Page) -> None:
    """Waits until the widget has scanned whatever the page did before now, for tests that check
    that nothing (more) was highlighted: scans run one after another, so a scan asked for now ends
    after every scan already asked for, and after the start-up (loading the index, the first
    scan). That scan's own glossary:ready event is not recorded. After a start-up that failed
    there is no scan to wait for, and none is made: it waits for the start-up to have given up."""
    page.evaluate("""async () => {
      const detail = await GlossaryWidget.scan(document.createElement("p"));
      if (detail && window.__readyEvents) {
        window.__readyEvents.pop();
        window.__ready = window.__readyEvents.at(-1);
      }
    }""")


# Where the page's clock starts, for tests that hold the page's timers (Playwright's clock); the
# tests only ever measure time from where it stops.
CLOCK_START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
# Page time in which the widget, from a standing start, ends any scan of a test page: each slice
# of a scan waits for a frame (16 ms on Playwright's clock, which also runs requestAnimationFrame),
# and as the page's clock stands still within a slice, a slice ends after SLICE_NODES nodes.
SCAN_MS = 2000


def install_clock(page: Page) -> None:
    """Puts the page's timers and frames in the test's hands (Playwright's clock emulation), for
    the pages opened from now on. Time runs as usual until `pause_clock`."""
    page.clock.install(time=CLOCK_START)


def pause_clock(page: Page) -> None:
    """Stops the page's clock (an hour on, which runs every timer due before): from now on,
    timers and frames only run when the test moves the clock on with `run_clock`."""
    page.clock.pause_at(CLOCK_START + timedelta(hours=1))


def run_clock(page: Page, ms: int = SCAN_MS) -> None:
    """Moves the paused clock on by `ms`, running every timer and frame due in that time, with
    what they start: for tests that check that nothing happened, where no event can say that
    the widget is done, as the widget is gone or switched off. Whatever the widget would have
    done after a change of the page, a scan or a card, it does in timers and frames, and so it
    has been done when this returns: the test does not hope that a fixed wait was long enough."""
    page.clock.run_for(ms)


@dataclass
class Console:
    """What the page reported: console messages by type, and uncaught errors."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Page) -> Console:
        console = cls()

        def on_console(message: ConsoleMessage) -> None:
            console.messages.append((message.type, message.text))

        def on_error(error: Error) -> None:
            console.page_errors.append(str(error))

        page.on("console", on_console)
        page.on("pageerror", on_error)
        return console

    def of_type(self, kind: str) -> list[str]:
        return [text for type_, text in self.messages if type_ == kind]

    @property
    def warnings(self) -> list[str]:
        return self.of_type("warning")

    @property
    def errors(self) -> list[str]:
        return self.of_type("error")


# A plain static file server that adds the CORS header docs/deploying.md asks a CDN for, and nothing
# else (no ETag logic, no compression). Given a third argument, it serves on that inherited
# listening socket (`listening_socket`) rather than binding the port itself.
CORS_SERVER = """
import functools, http.server, socket, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()
    def log_message(self, *args):
        pass
handler = functools.partial(Handler, directory=sys.argv[2])
inherited = len(sys.argv) > 3
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler, bind_and_activate=not inherited)
if inherited:
    server.socket.close()
    server.socket = socket.socket(fileno=int(sys.argv[3]))
server.serve_forever()
"""


def listening_socket() -> socket.socket:
    """A socket listening on a free port of 127.0.0.1, held from now on. A port a test module
    names at import (in its parameters) is served minutes later, when its fixture runs: by then a
    free port may be another test's, and a server binding it would fail while the other answered
    in its place. static_server(..., listening=) serves on this socket instead."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    return listening


def static_server(folder: Path, port: int, cors: bool = True, listening: socket.socket | None = None) -> Iterator[str]:
    """Serves `folder` on `port` (on `listening`, whose port it is, if given) until the generator
    is closed; yields its URL. Without `cors`, it is `python -m http.server` itself."""
    if cors:
        command = [sys.executable, "-c", CORS_SERVER, str(port), str(folder)]
        command += [str(listening.fileno())] if listening else []
    else:
        command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]
    fds = [listening.fileno()] if listening else []
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=fds)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    # Stopped however the generator ends: a fixture's close() raises GeneratorExit at the yield,
    # and without the `finally` the server outlived the test run.
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=5)


def serve_index(page: Page, terms: list[list[str]]) -> None:
    """Answers the widget's categories.json and matcher files with one category, "money", of
    `terms` (index entries, `[slug, name, ...]`, see api.py's `index_entries`), made into the
    matcher the widget reads as the server makes it."""
    categories = {"categories": [{"slug": "money", "label": "Money", "description": "", "count": len(terms)}]}
    index = {"category": "money", **matcher_document(terms)}
    page.route("**/api/v1/categories.json", lambda route: route.fulfill(json=categories))
    page.route(MATCHER_FILES, lambda route: route.fulfill(json=index))
