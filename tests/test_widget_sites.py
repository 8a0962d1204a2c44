"""`data-site` and the kill switch in Chromium, on the server and on a static export served by a
plain static server with the CORS header.

The article pages come from two more plain static servers, so that every request of the widget
is cross-origin, as on a partner site: the partner's pages are at http://localhost:<one>, a
switched-off site's at http://127.0.0.1:<one>, and another site's at http://localhost:<two>.
(Chromium refuses requests to loopback from pages that did not come from it, so the pages
cannot be made up by Playwright's routing.)
"""

from __future__ import annotations

import itertools
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, LiveServer, free_port
from playwright.sync_api import Page, Route

from tests.support.widget import (
    RECORD_PAGE,
    Console,
    highlights,
    html_page,
    listening_socket,
    static_server,
    wait_for_events,
    widget_tag,
)
from widget_server.app import create_app
from widget_server.build import build_site

# Held from import, when the tests' parameters name them, until their servers start.
PAGE_SOCKET, OTHER_SOCKET = listening_socket(), listening_socket()
PAGE_PORT, OTHER_PORT = PAGE_SOCKET.getsockname()[1], OTHER_SOCKET.getsockname()[1]
PARTNER = f"http://localhost:{PAGE_PORT}"
SWITCHED_OFF = f"http://127.0.0.1:{PAGE_PORT}"
ELSEWHERE = f"http://localhost:{OTHER_PORT}"
SITES = {
    "partner": f"name: Partner\norigins: [{PARTNER}]\ncategories: [insurance]\noccurrences: all\n",
    "switched-off": f"name: Switched Off\norigins: ['{SWITCHED_OFF}']\nenabled: false\n",
}
ARTICLE = (
    "<main><article><p>Premium and premium again. Tax and tax again. The ACA, or the Affordable "
    "Care Act, and a data broker.</p></article></main>"
)
DEFAULTS = [("premium", "Premium"), ("tax", "Tax"), ("aca", "ACA"), ("data-broker", "data broker")]
PARTNER_SETTINGS = [("premium", "Premium"), ("premium", "premium")]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = Path(shutil.copytree(FIXTURES / "glossary", tmp_path_factory.mktemp("sites") / "data"))
    # These sites alone: the fixture glossary's own site would change the kill switch's list.
    shutil.rmtree(data / "sites", ignore_errors=True)
    (data / "sites").mkdir()
    for site_id, text in SITES.items():
        (data / "sites" / f"{site_id}.yml").write_text(text, "utf-8")
    return data


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder of article pages, served at PAGE_PORT and OTHER_PORT."""
    folder = tmp_path_factory.mktemp("pages")
    servers = [
        static_server(folder, PAGE_PORT, listening=PAGE_SOCKET),
        static_server(folder, OTHER_PORT, listening=OTHER_SOCKET),
    ]
    for server in servers:
        next(server)
    yield folder
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(data_dir)
    with LiveServer(app) as live:
        yield live.url


@pytest.fixture(scope="module")
def export(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("export") / "site"
    build_site(data_dir, out)
    yield from static_server(out, free_port())


@pytest.fixture(params=["server", "export"])
def glossary_url(request: pytest.FixtureRequest) -> str:
    """The server, then the static export: both must behave the same."""
    return str(request.getfixturevalue(request.param))


_page_names = itertools.count()

# Counts the page's warnings where they are written, so that the test knows how many Playwright
# has yet to deliver to it (it hears of them later than the page's own state). Once, however many
# times a test opens an article in the same page (each adds the script again).
COUNT_WARNINGS = """
if (!("__warnings" in window)) {
  window.__warnings = 0;
  const warn = console.warn;
  console.warn = function (...args) {
    window.__warnings++;
    return warn.apply(this, args);
  };
}
"""


def open_article(page: Page, pages: Path, origin: str, tag: str, scans: bool = True) -> Console:
    """Opens an article at `origin` with `tag`; waits for the widget's first scan (`scans`) or
    else its warning."""
    console = Console.attach(page)
    name = f"article-{next(_page_names)}.html"
    (pages / name).write_text(html_page(ARTICLE + tag), "utf-8")
    page.add_init_script(RECORD_PAGE)
    page.add_init_script(COUNT_WARNINGS)
    page.goto(f"{origin}/{name}")
    if scans:
        page.wait_for_function("() => window.__readyEvents.length > 0")
    else:
        page.wait_for_function("() => window.__warnings > 0")
    # A warning is written before the scan: every one the page wrote is delivered to `console`.
    warned = page.evaluate("window.__warnings")
    wait_for_events(page, lambda: len(console.warnings) >= warned, "the page's warnings")
    return console


def test_site_settings_apply_on_the_sites_origin(page: Page, pages: Path, glossary_url: str) -> None:
    console = open_article(page, pages, PARTNER, widget_tag(f"{glossary_url}/widget.js", site="partner"))
    assert highlights(page) == PARTNER_SETTINGS
    assert console.warnings == []


def test_an_attribute_on_the_tag_beats_the_site_file(page: Page, pages: Path, glossary_url: str) -> None:
    tag = widget_tag(f"{glossary_url}/widget.js", site="partner", occurrences="first")
    console = open_article(page, pages, PARTNER, tag)
    assert highlights(page) == [("premium", "Premium")]
    assert console.warnings == []


def test_the_kill_switch_beats_every_attribute_with_or_without_data_site(
    page: Page, pages: Path, glossary_url: str
) -> None:
    for tag in (
        widget_tag(f"{glossary_url}/widget.js"),
        widget_tag(f"{glossary_url}/widget.js", site="switched-off", categories="insurance"),
        widget_tag(f"{glossary_url}/widget.js", site="partner", occurrences="all"),
    ):
        console = open_article(page, pages, SWITCHED_OFF, tag, scans=False)
        assert highlights(page) == []
        assert page.evaluate("window.__readyEvents.length") == 0
        assert page.evaluate("document.documentElement.outerHTML") == page.evaluate("window.__before.html")
        assert len(console.warnings) == 1 and "switched off" in console.warnings[0], tag


def test_the_switched_off_site_is_not_published_in_plain_text(glossary_url: str) -> None:
    categories = urllib.request.urlopen(f"{glossary_url}/api/v1/categories.json").read()
    assert b"127.0.0.1" not in categories and b"switched-off" not in categories
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{glossary_url}/api/v1/sites/switched-off.json")
    assert missing.value.code == 404


@pytest.mark.parametrize(
    ("site", "origin", "warning"),
    [
        ("partner", ELSEWHERE, f'data-site "partner" not loaded (not registered for {ELSEWHERE})'),
        ("no-such-site", PARTNER, 'data-site "no-such-site" not loaded'),
    ],
)
def test_a_site_that_does_not_apply_gives_the_defaults_and_one_warning(
    page: Page, pages: Path, glossary_url: str, site: str, origin: str, warning: str
) -> None:
    console = open_article(page, pages, origin, widget_tag(f"{glossary_url}/widget.js", site=site))
    assert highlights(page) == DEFAULTS
    assert len(console.warnings) == 1 and warning in console.warnings[0]


def test_a_malformed_site_file_gives_the_defaults_and_one_warning(page: Page, pages: Path, server: str) -> None:
    page.route(
        f"{server}/api/v1/sites/partner.json",
        lambda route: route.fulfill(status=200, content_type="application/json", body='{"origins": ["http://localhost'),
    )
    console = open_article(page, pages, PARTNER, widget_tag(f"{server}/widget.js", site="partner"))
    assert highlights(page) == DEFAULTS
    assert len(console.warnings) == 1 and 'data-site "partner" not loaded' in console.warnings[0]


def test_an_unreachable_api_leaves_the_page_alone_with_one_warning(page: Page, pages: Path, server: str) -> None:
    def abort(route: Route) -> None:
        route.abort()

    page.route(f"{server}/api/**", abort)
    tag = widget_tag(f"{server}/widget.js", site="partner")
    console = open_article(page, pages, PARTNER, tag, scans=False)
    assert highlights(page) == []
    assert page.evaluate("document.documentElement.outerHTML") == page.evaluate("window.__before.html")
    assert len(console.warnings) == 1 and "glossary not loaded" in console.warnings[0]
