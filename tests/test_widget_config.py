"""The script tag's settings (issue 3, "Configuration"), on generated pages served from the
fixture server's origin, so that /widget.js and the API are the real ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import FIXTURES, LiveServer
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

from tests.support.widget import (
    Console,
    fresh_page,
    highlights,
    html_page,
    open_ready,
    serve_html,
    shared_context,
    widget_tag,
)
from widget_server.app import create_app

ARTICLE = '<article id="article"><p>A premium and a policy.</p></article>'

# One term per container, to tell the roots apart.
BODY = '<p id="in-body">A tax in the body.</p>'
ARTICLE_IN_MAIN = (
    '<article id="article"><p>A policy in the article.</p>'
    '<section class="comments"><p>A class action in the comments.</p></section></article>'
)
MAIN_AROUND = '<main id="main"><p>A premium in main.</p>{}</main>'
ROLE_MAIN = '<div role="main" id="role-main"><p>A wage theft in role=main.</p></div>'
ASIDE = '<aside id="aside"><p>A data broker in the aside.</p></aside>'
FULL = BODY + MAIN_AROUND.format(ARTICLE_IN_MAIN) + ROLE_MAIN + ASIDE

# Each term of the fixture glossary once (one in two categories), then each again.
ALL_TERMS = (
    "<p>premium, policy, workers' compensation</p>"  # insurance (+ employment-law)
    "<p>café fee, health savings account, savings account, tax</p>"  # finance (+ healthcare)
    "<p>ACA</p>"  # healthcare
    "<p>class action, noncompete, wage theft</p>"  # employment-law
    "<p>data broker</p>"  # privacy
)
SLUGS_BY_CATEGORY = {
    "insurance": {"premium", "policy", "workers-compensation"},
    "finance": {"cafe-fee", "health-savings-account", "savings-account", "tax"},
    "healthcare": {"aca", "health-savings-account"},
    "employment-law": {"class-action", "non-compete-agreement", "wage-theft", "workers-compensation"},
    "privacy": {"data-broker"},
}
EVERY_SLUG = set().union(*SLUGS_BY_CATEGORY.values())


def many_premiums(count: int) -> str:
    return "<article>" + "".join(f"<p>Premium number {i}.</p>" for i in range(count)) + "</article>"


def load(page: Page, server: LiveServer, body: str, tag: str | None = None, **data: str) -> dict:
    url = serve_html(page, f"{server.url}/examples/generated.html", html_page(body + (tag or widget_tag(**data))))
    return open_ready(page, url)


def slugs(page: Page, within: str = "body") -> set[str]:
    return {slug for slug, _ in highlights(page, within)}


def api_requests(page: Page) -> list[str]:
    requests: list[str] = []

    def record(request: Request) -> None:
        if "/api/" in request.url:
            requests.append(request.url)

    page.on("request", record)
    return requests


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    yield from shared_context(browser)


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    yield from fresh_page(context)


# ---- data-occurrences ----------------------------------------------------------------------

REPEATS = (
    '<article><p id="one">A premium, then the ACA.</p>'
    '<p id="two">Premiums again, a policy, and the Affordable Care Act.</p>'
    '<p id="three">A premium, a policy, the ACA.</p></article>'
)


def test_occurrences_first_is_the_default_and_highlights_the_first_in_document_order(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    load(page, fixture_server, REPEATS)

    assert highlights(page, "#one") == [("premium", "premium"), ("aca", "ACA")]
    assert highlights(page, "#two") == [("policy", "policy")]  # alias or plural: the same term
    assert highlights(page, "#three") == []


def test_occurrences_first_explicitly(page: Page, fixture_server: LiveServer) -> None:
    load(page, fixture_server, REPEATS, occurrences="first")

    assert len(highlights(page)) == 3


def test_occurrences_all(page: Page, fixture_server: LiveServer) -> None:
    load(page, fixture_server, REPEATS, occurrences="all")

    assert highlights(page, "#two") == [("premium", "Premiums"), ("policy", "policy"), ("aca", "Affordable Care Act")]
    assert len(highlights(page)) == 8


def test_first_occurrence_follows_document_order_not_the_order_of_the_roots(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    body = '<main id="main"><p>A premium.</p></main><aside id="aside"><p>A premium.</p></aside>'
    load(page, fixture_server, body, root="#aside, #main")

    assert highlights(page, "#main") == [("premium", "premium")]
    assert highlights(page, "#aside") == []


def test_a_mention_in_an_area_to_skip_uses_up_no_first_occurrence(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """The scan matches the text of links, headings and excluded areas and drops what it finds
    there: the first mention outside them is the one highlighted."""
    body = (
        '<article><h2>Premiums</h2><p id="links">See <a href="#">the premium</a> and '
        '<span class="ad">a policy</span>.</p><p id="text">A premium, a policy.</p></article>'
    )
    load(page, fixture_server, body, exclude=".ad")

    assert highlights(page, "#links") == []
    assert highlights(page, "#text") == [("premium", "premium"), ("policy", "policy")]


# ---- data-max ------------------------------------------------------------------------------


def test_max_limits_the_highlights_on_the_page_in_document_order(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    detail = load(page, fixture_server, many_premiums(12), occurrences="all", max="5")

    texts = page.eval_on_selector_all("[data-glossary-term]", "els => els.map(e => e.parentNode.textContent)")
    assert texts == [f"Premium number {i}." for i in range(5)]
    assert detail["highlights"] == 5


def test_max_defaults_to_100(page: Page, fixture_server: LiveServer) -> None:
    detail = load(page, fixture_server, many_premiums(150), occurrences="all")

    assert detail["highlights"] == 100
    assert len(highlights(page)) == 100


def test_max_counts_every_term_together(page: Page, fixture_server: LiveServer) -> None:
    load(page, fixture_server, ALL_TERMS, max="3", root="body")

    assert highlights(page) == [
        ("premium", "premium"),
        ("policy", "policy"),
        ("workers-compensation", "workers' compensation"),
    ]


# ---- data-exclude --------------------------------------------------------------------------


def test_exclude_skips_every_area_of_the_selector_list(page: Page, fixture_server: LiveServer) -> None:
    body = (
        '<article><p id="kept">A premium.</p><div class="ad"><p>A policy.</p></div>'
        '<section id="related"><p>A tax.</p><p class="teaser">A data broker.</p></section>'
        '<p id="kept-too">A wage theft.</p></article>'
    )
    load(page, fixture_server, body, occurrences="all", exclude=".ad, #related .teaser")

    assert highlights(page) == [("premium", "premium"), ("tax", "tax"), ("wage-theft", "wage theft")]


# ---- data-root -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (FULL, {"policy", "class-action"}),  # the article in main, though main's own text comes first
        # A teaser <article> before <main> (news sites' headers): the story in main comes first.
        (
            '<article id="teaser"><p>A tax teaser.</p></article>' + MAIN_AROUND.format(ARTICLE_IN_MAIN),
            {"policy", "class-action"},
        ),
        (BODY + MAIN_AROUND.format("") + ROLE_MAIN + ASIDE, {"premium"}),  # then main
        # "More to read" cards after the story are <article>s too: main still comes first.
        (MAIN_AROUND.format("") + "<footer><article><p>A tax in a card.</p></article></footer>", {"premium"}),
        (BODY + ROLE_MAIN + ASIDE, {"wage-theft"}),  # then [role=main]
        (BODY + ARTICLE + ASIDE, {"premium", "policy"}),  # then an article
        (BODY + ASIDE, {"tax", "data-broker"}),  # else body
    ],
    ids=["article-in-main-later", "article-in-main", "main", "main-before-cards", "role-main", "article", "body"],
)
def test_default_root(page: Page, fixture_server: LiveServer, body: str, expected: set[str]) -> None:
    load(page, fixture_server, body, occurrences="all")

    assert slugs(page) == expected


def test_root_selector_list(page: Page, fixture_server: LiveServer) -> None:
    load(page, fixture_server, FULL, occurrences="all", root="#aside, .comments, #in-body")

    assert highlights(page) == [("tax", "tax"), ("class-action", "class action"), ("data-broker", "data broker")]


@pytest.mark.parametrize("root", ["#main, #article", "#article, #main", "#main, .comments, p"])
def test_nested_roots_are_scanned_once(page: Page, fixture_server: LiveServer, root: str) -> None:
    detail = load(page, fixture_server, FULL, occurrences="all", root=root)

    expected = [("premium", "premium"), ("policy", "policy"), ("class-action", "class action")]
    if root.endswith("p"):  # every paragraph is a root too
        expected = [("tax", "tax"), *expected, ("wage-theft", "wage theft"), ("data-broker", "data broker")]
    assert highlights(page) == expected
    assert detail["highlights"] == len(expected)
    assert page.evaluate("document.querySelectorAll('glossary-term glossary-term').length") == 0


def test_nested_roots_do_not_count_twice_towards_max(page: Page, fixture_server: LiveServer) -> None:
    """Three highlights in main (one in main, two in the article inside it), then one in the
    aside: a data-max of 4 reaches the aside only if the article is not counted again."""
    load(page, fixture_server, FULL, occurrences="all", max="4", root="#main, #article, #aside")

    assert highlights(page) == [
        ("premium", "premium"),
        ("policy", "policy"),
        ("class-action", "class action"),
        ("data-broker", "data broker"),
    ]


def test_root_that_matches_nothing_highlights_nothing_and_says_so(page: Page, fixture_server: LiveServer) -> None:
    """Once: the page may add such a root later (test_widget_dom.py), so it is not an
    error, but a site owner whose selector has a typo learns why nothing is highlighted."""
    console = Console.attach(page)
    detail = load(page, fixture_server, FULL, root="#nowhere")

    assert detail["highlights"] == 0
    assert highlights(page) == []
    assert console.page_errors == []
    assert len(console.warnings) == 1
    assert 'data-root "#nowhere" matches nothing yet' in console.warnings[0]


# ---- data-categories -----------------------------------------------------------------------


def test_all_categories_by_default(page: Page, fixture_server: LiveServer) -> None:
    requests = api_requests(page)
    load(page, fixture_server, ALL_TERMS, root="body")

    assert slugs(page) == EVERY_SLUG
    # One file holds every category's terms.
    assert [url.split("/api/v1/")[1] for url in requests if "/matcher" in url] == ["matcher.json"]


@pytest.mark.parametrize(
    "categories",
    [
        "insurance",
        "privacy",
        "finance,healthcare",
        " employment-law , privacy ",
    ],
)
def test_categories_limit_the_terms_and_the_downloads(
    page: Page,
    fixture_server: LiveServer,
    categories: str,
) -> None:
    requests = api_requests(page)
    console = Console.attach(page)
    load(page, fixture_server, ALL_TERMS, root="body", categories=categories)

    chosen = [slug.strip() for slug in categories.split(",")]
    assert slugs(page) == set().union(*(SLUGS_BY_CATEGORY[c] for c in chosen))
    files = sorted(url.rsplit("/", 1)[1] for url in requests if "/matcher/" in url)
    assert files == sorted(f"{c}.json" for c in chosen)
    assert console.warnings == []


def test_a_term_in_two_chosen_categories_is_highlighted_once(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    load(page, fixture_server, ALL_TERMS, root="body", categories="finance,healthcare")

    assert [s for s, _ in highlights(page)].count("health-savings-account") == 1


def test_unknown_category_is_named_in_one_warning_and_the_rest_works(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """The index files are asked for beside categories.json (one round trip), so the unknown
    category's is asked for too: the browser's own line about its 404 is the one error."""
    console = Console.attach(page)
    requests = api_requests(page)
    load(page, fixture_server, ALL_TERMS, root="body", categories="insurance,crypto-scams")

    assert slugs(page) == SLUGS_BY_CATEGORY["insurance"]
    assert len(console.warnings) == 1
    assert "crypto-scams" in console.warnings[0]
    assert "insurance" not in console.warnings[0]
    assert f"{fixture_server.url}/api/v1/matcher/crypto-scams.json" in requests
    assert console.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert console.page_errors == []


# ---- malformed values ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5", "1e9x", "Infinity"])
def test_malformed_max_warns_once_and_uses_100(
    page: Page,
    fixture_server: LiveServer,
    value: str,
) -> None:
    console = Console.attach(page)
    detail = load(page, fixture_server, many_premiums(120), occurrences="all", max=value)

    assert detail["highlights"] == 100
    assert len(console.warnings) == 1
    assert f'"{value}"' in console.warnings[0] and "data-max" in console.warnings[0]


def test_malformed_occurrences_warns_once_and_uses_first(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    console = Console.attach(page)
    load(page, fixture_server, REPEATS, occurrences="sometimes")

    assert len(highlights(page)) == 3
    assert len(console.warnings) == 1
    assert '"sometimes"' in console.warnings[0]


def test_malformed_root_warns_once_and_uses_the_default_root(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    console = Console.attach(page)
    load(page, fixture_server, FULL, occurrences="all", root="[[")

    assert slugs(page) == {"policy", "class-action"}
    assert len(console.warnings) == 1
    assert '"[["' in console.warnings[0]


def test_malformed_exclude_warns_once_and_excludes_nothing_more(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    console = Console.attach(page)
    load(page, fixture_server, ARTICLE, occurrences="all", exclude="p[")

    assert slugs(page) == {"premium", "policy"}
    assert len(console.warnings) == 1
    assert '"p["' in console.warnings[0]


def test_malformed_api_warns_once_and_uses_the_script_folder(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    console = Console.attach(page)
    requests = api_requests(page)
    load(page, fixture_server, ARTICLE, api="http://[::1")

    assert slugs(page) == {"premium", "policy"}
    assert all(url.startswith(fixture_server.url + "/api/v1/") for url in requests)
    assert len(console.warnings) == 1
    assert "http://[::1" in console.warnings[0]


def test_several_problems_are_all_named(page: Page, fixture_server: LiveServer) -> None:
    console = Console.attach(page)
    load(page, fixture_server, REPEATS, max="lots", categories="insurance,nope")

    assert slugs(page) == {"premium", "policy"}
    assert 1 <= len(console.warnings) <= 2
    assert '"lots"' in " ".join(console.warnings) and "nope" in " ".join(console.warnings)


def test_valid_settings_give_no_warning(page: Page, fixture_server: LiveServer) -> None:
    console = Console.attach(page)
    load(
        page,
        fixture_server,
        FULL,
        occurrences="all",
        max="7",
        root="main",
        exclude=".comments",
        categories="insurance,employment-law",
    )

    assert highlights(page) == [("premium", "premium"), ("policy", "policy")]
    assert console.messages == []


# ---- data-api and the default base ---------------------------------------------------------


@pytest.fixture(scope="module")
def partner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A partner's site on another origin, with its own copy of /widget.js, serving the pages
    that tests write to its folder. (Served for real: Chromium's local network access checks
    would treat a page fulfilled by Playwright as public and block its requests to loopback.)"""
    pages = tmp_path_factory.mktemp("partner-pages")
    app = create_app(FIXTURES / "glossary", examples_dir=pages)
    with LiveServer(app) as server:
        server.pages = pages  # type: ignore[attr-defined]
        yield server


@pytest.mark.parametrize("suffix", ["", "/"])
def test_api_on_another_origin(
    page: Page,
    partner_server: LiveServer,
    fixture_server: LiveServer,
    suffix: str,
) -> None:
    name = f"api{len(suffix)}.html"
    (partner_server.pages / name).write_text(  # type: ignore[attr-defined]
        html_page(ARTICLE + widget_tag(api=fixture_server.url + suffix)), encoding="utf-8"
    )
    requests = api_requests(page)
    console = Console.attach(page)
    open_ready(page, f"{partner_server.url}/examples/{name}")

    assert slugs(page) == {"premium", "policy"}
    assert requests
    assert all(url.startswith(fixture_server.url + "/api/v1/") for url in requests)
    assert console.messages == []


def test_pinned_copy_uses_the_parent_of_static_as_base(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    pinned = fixture_server.app.state.site.assets.widget
    assert pinned.startswith("static/widget.")
    requests = api_requests(page)
    load(page, fixture_server, ARTICLE, tag=widget_tag(src="/" + pinned))

    assert slugs(page) == {"premium", "policy"}
    assert f"{fixture_server.url}/api/v1/categories.json" in requests
    assert all(url.startswith(fixture_server.url + "/api/v1/") for url in requests)


def test_default_base_is_the_folder_of_the_script(page: Page, fixture_server: LiveServer) -> None:
    """A copy of the glossary under /cdn/glossary/: the widget and the API both below it."""
    mirror = f"{fixture_server.url}/cdn/glossary/"

    def from_origin(route: Route) -> None:
        path = route.request.url.removeprefix(mirror)
        route.fulfill(response=page.request.get(f"{fixture_server.url}/{path}"))

    page.route(mirror + "**", from_origin)
    requests = api_requests(page)
    load(page, fixture_server, ARTICLE, tag=widget_tag(src="/cdn/glossary/widget.js"))

    assert slugs(page) == {"premium", "policy"}
    assert requests
    assert all(url.startswith(mirror + "api/v1/") for url in requests)
