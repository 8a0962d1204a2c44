"""The HTML glossary: index, entry pages, snippets, escaping, and one check in Chromium."""

from __future__ import annotations

import datetime
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from markupsafe import escape
from playwright.sync_api import Page, expect
from starlette.testclient import TestClient

from widget_server.app import create_app
from widget_server.content import load_glossary
from widget_server.model import Glossary, Term, slugify
from widget_server.pages import name_paths

GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"
ENTRY = "/glossary/neuromuscular-re-education/"
JSON_LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(GLOSSARY_DATA)
    with TestClient(app) as client:
        yield client


def json_ld(page_html: str) -> dict[str, Any]:
    blocks = JSON_LD_RE.findall(page_html)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_index_groups_terms_by_category_a_to_z(client: TestClient) -> None:
    response = client.get("/glossary/")
    glossary = load_glossary(GLOSSARY_DATA)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    sections = re.findall(r'<section class="category" id="([^"]+)".*?</section>', page, re.DOTALL)
    assert sections == [c.slug for c in glossary.categories]
    for category in glossary.categories:
        section = re.search(rf'<section class="category" id="{category.slug}".*?</section>', page, re.DOTALL)
        assert section is not None
        expected = glossary.terms_in(category.slug)
        heading = re.search(r"<h2[^>]*>(.*?) <span class=\"count\">(\d+) terms</span></h2>", section.group())
        assert heading is not None
        assert (heading.group(1), int(heading.group(2))) == (category.label, len(expected))
        links = re.findall(r'<li(?: data-aliases="[^"]*")?><a href="([^"]+)/">([^<]+)</a></li>', section.group())
        titles = [html.unescape(title) for _, title in links]
        # A to Z, and numbers by their value.
        assert titles == sorted(
            titles, key=lambda t: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", t.casefold())]
        )
        assert {slug for slug, _ in links} == {t.slug for t in expected}
        assert f'<a href="#{category.slug}">{category.label}</a> <span class="count">{len(expected)}</span>' in page
    assert f"{len(glossary.terms)} terms in 5 categories" in page
    assert page.index(">Chapter 7 Bankruptcy<") < page.index(">Chapter 13 Bankruptcy<")


def test_index_json_ld_is_the_defined_term_set(client: TestClient) -> None:
    data = json_ld(client.get("/glossary/").text)
    glossary = load_glossary(GLOSSARY_DATA)

    assert data["@type"] == "DefinedTermSet"
    assert data["url"] == "/glossary/"
    assert len(data["hasDefinedTerm"]) == len(glossary.terms)
    assert all(item["@type"] == "DefinedTerm" for item in data["hasDefinedTerm"])


def test_entry_page_sections(client: TestClient) -> None:
    response = client.get(ENTRY)

    assert response.status_code == 200
    page = response.text
    assert "<h1>Neuromuscular Re-education</h1>" in page
    assert '<a class="category-tag" href="../../glossary/#healthcare">Healthcare</a>' in page
    headings = re.findall(r'<h2 id="section-([a-z]+)">(.*?)</h2>', page)
    assert [name for name, _ in headings] == ["definition", "examples", "misuse", "benefits", "conclusion", "related"]
    assert [text for _, text in headings][:2] == ["Definition", "Examples"]
    misuse = re.search(r'<section class="entry-section misuse".*?</section>', page, re.DOTALL)
    assert misuse is not None
    assert "Watch out" in misuse.group()
    assert "some clinics bill routine stretching" in misuse.group()
    assert page.count("<li>") >= 2  # the Examples list is a real list
    assert "Also called: neuromuscular reeducation" in page


def test_entry_page_last_modified(client: TestClient) -> None:
    term = load_glossary(GLOSSARY_DATA).term("neuromuscular-re-education")
    assert term is not None

    page = client.get(ENTRY).text

    day = term.updated
    shown = f"{day:%B} {day.day}, {day.year}"
    expected = f'Last modified: <time datetime="{day.isoformat()}">{shown}</time>'
    assert expected in page


def test_entry_page_json_ld(client: TestClient) -> None:
    data = json_ld(client.get(ENTRY).text)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "DefinedTerm"
    assert data["name"] == "Neuromuscular Re-education"
    assert data["url"] == ENTRY
    assert data["alternateName"] == ["neuromuscular reeducation"]
    assert data["description"].startswith("Neuromuscular re-education is a type of therapy")
    assert data["inDefinedTermSet"]["@type"] == "DefinedTermSet"
    assert data["inDefinedTermSet"]["url"] == "/glossary/"
    assert "dateModified" not in data  # a property of CreativeWork, not of DefinedTerm


def test_entry_page_has_open_graph_tags_for_link_previews(client: TestClient) -> None:
    """Escaped as the rest of the page (test_content_is_escaped reads them too)."""
    page = client.get(ENTRY).text

    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Neuromuscular Re-education">' in page
    assert '<meta property="og:description" content="Neuromuscular re-education is a type of therapy' in page
    assert '<meta property="article:modified_time" content="' in page
    assert 'property="og:url"' not in page  # only an absolute one, with --base-url


def test_every_entry_page_and_its_related_links(client: TestClient) -> None:
    glossary = load_glossary(GLOSSARY_DATA)
    for term in glossary.terms:
        url = f"/glossary/{term.slug}/"
        page = client.get(url)
        assert page.status_code == 200, url
        assert f"<h1>{escape(term.title)}</h1>" in page.text
        assert json_ld(page.text)["name"] == term.title
        related = re.findall(r'<li><a href="([^"]+)">', page.text.split('id="section-related"')[-1])
        assert [urljoin(url, href) for href in related] == [f"/glossary/{s}/" for s in term.related]


def test_related_links_lead_to_entry_pages(client: TestClient) -> None:
    page = client.get(ENTRY).text
    related = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page)

    assert [title for _, title in related] == ["Rehabilitation Program", "Physical Therapy"]
    for href, title in related:
        target = client.get(urljoin(ENTRY, href))
        assert target.status_code == 200
        assert f"<h1>{title}</h1>" in target.text


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/glossary/neuromuscular-re-education", 301, "neuromuscular-re-education/"),
        ("/glossary", 301, "glossary/"),
        ("/", 302, "glossary/"),
        # The last segment as written: an encoded slash is part of it.
        ("/glossary%2Fneuromuscular-re-education", 301, "glossary%2Fneuromuscular-re-education/"),
    ],
)
def test_redirects(client: TestClient, path: str, status: int, location: str) -> None:
    """Relative: under a path a proxy serves the glossary at, they stay under it."""
    response = client.get(path, follow_redirects=False)

    assert response.status_code == status
    assert response.headers["location"] == location
    assert urljoin(f"http://example.org/glossary-site{path}", location).startswith("http://example.org/glossary-site/")


def test_redirect_keeps_the_query(client: TestClient) -> None:
    response = client.get("/glossary/neuromuscular-re-education?utm_source=partner", follow_redirects=False)

    assert response.headers["location"] == "neuromuscular-re-education/?utm_source=partner"


def test_each_other_name_of_a_term_has_an_address_that_leads_to_its_entry(client: TestClient) -> None:
    glossary = load_glossary(GLOSSARY_DATA)
    names = {slugify(name): term for term in glossary.terms for name in term.names}
    own = {term.slug for term in glossary.terms}
    assert names["apr"].slug == "annual-percentage-rate"

    for slug, term in names.items():
        response = client.get(f"/glossary/{slug}/")
        assert response.status_code == 200
        if slug in own:
            continue
        page = response.text
        assert f'<meta http-equiv="refresh" content="0; url=../{term.slug}/">' in page
        assert '<meta name="robots" content="noindex">' in page
        assert f'<a href="../{term.slug}/">{escape(term.title)}</a>' in page
        assert "canonical" not in page  # without a base URL


def term_named(slug: str, *names: str) -> Term:
    return Term(slug, names[0], ("finance",), names[1:], False, (), datetime.date(2026, 1, 1), {})


def test_a_name_whose_address_is_taken_or_shared_has_none() -> None:
    glossary = Glossary(
        (),
        (
            term_named("annual-percentage-rate", "Annual Percentage Rate", "APR", "Apr.", "Credit Card"),
            term_named("credit-card", "Credit Card"),  # an alias cannot take a term's address
            term_named("arm", "Adjustable-Rate Mortgage"),  # a title's own slug is another
            term_named("fee", "Fee", "fee!", "Schedule Fee"),
            term_named("schedule", "Schedule", "schedule-fee", "λόγος"),  # shared, and no ASCII letter
        ),
    )

    assert {slug: (name, term.slug) for slug, (name, term) in name_paths(glossary).items()} == {
        "apr": ("APR", "annual-percentage-rate"),
        "adjustable-rate-mortgage": ("Adjustable-Rate Mortgage", "arm"),
    }


def test_a_name_leads_to_its_entry_in_chromium(page: Page, glossary_server: Any) -> None:
    page.goto(f"{glossary_server.url}/glossary/apr/")

    expect(page).to_have_url(f"{glossary_server.url}/glossary/annual-percentage-rate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual Percentage Rate")


def test_links_that_cannot_be_relative_follow_the_base_url(tmp_path: Path) -> None:
    """The 404 page answers for any path and a snippet is shown on partners' pages: under a
    base URL with a path (a CDN folder), their links and stylesheet must lead there."""
    app = create_app(GLOSSARY_DATA, base_url="https://cdn.example.net/glossary-widget")
    client = TestClient(app)
    stylesheet = app.state.site.assets.stylesheet

    missing = client.get("/no/such/page").text
    snippet = client.get("/snippets/annual-percentage-rate.html").text

    assert f'href="https://cdn.example.net/glossary-widget/{stylesheet}"' in missing
    assert 'href="https://cdn.example.net/glossary-widget/glossary/"' in missing
    assert '<a href="https://cdn.example.net/glossary-widget/glossary/annual-percentage-rate/">' in snippet
    other_name = client.get("/glossary/apr/").text
    assert '<link rel="canonical" href="https://cdn.example.net/glossary-widget/glossary/annual-percentage-rate/">' in (
        other_name
    )
    sitemap = client.get("/sitemap.xml").text
    assert "/glossary/annual-percentage-rate/</loc>" in sitemap and "/glossary/apr/" not in sitemap


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_the_index_and_every_entry_with_its_date() -> None:
    client = TestClient(create_app(GLOSSARY_DATA, base_url="https://glossary.example.org/"))
    glossary = load_glossary(GLOSSARY_DATA)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    listed = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    expected = {
        f"https://glossary.example.org/glossary/{term.slug}/": term.updated.isoformat() for term in glossary.terms
    }
    newest = max(term.updated for term in glossary.terms).isoformat()
    assert listed == {"https://glossary.example.org/glossary/": newest, **expected}
    for url in listed:  # each one a page the site has
        assert client.get(url.removeprefix("https://glossary.example.org")).status_code == 200


def test_an_empty_glossary_has_a_sitemap_of_its_index(tmp_path: Path) -> None:
    (tmp_path / "terms").mkdir()
    (tmp_path / "categories.yml").write_text((GLOSSARY_DATA / "categories.yml").read_text("utf-8"), "utf-8")
    client = TestClient(create_app(tmp_path, base_url="https://glossary.example.org/"))

    root = ElementTree.fromstring(client.get("/sitemap.xml").content)

    assert [url.findtext(f"{SITEMAP}loc") for url in root] == ["https://glossary.example.org/glossary/"]
    assert root[0].find(f"{SITEMAP}lastmod") is None


def test_robots_txt_names_the_sitemap_at_the_root_of_a_host() -> None:
    client = TestClient(create_app(GLOSSARY_DATA, base_url="https://glossary.example.org/"))

    response = client.get("/robots.txt")

    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    lines = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    assert lines == ["User-agent: *", "Disallow:", "Sitemap: https://glossary.example.org/sitemap.xml"]


def test_no_robots_txt_under_a_path_and_no_sitemap_without_a_base_url(client: TestClient) -> None:
    """Crawlers read robots.txt only at a host's root, and a sitemap's URLs are absolute."""
    under_a_path = TestClient(create_app(GLOSSARY_DATA, base_url="https://example.org/glossary-site/"))

    assert under_a_path.get("/robots.txt").status_code == 404
    assert "<loc>https://example.org/glossary-site/glossary/</loc>" in under_a_path.get("/sitemap.xml").text
    assert client.get("/sitemap.xml").status_code == 404
    assert client.get("/robots.txt").status_code == 404


def test_snippets_are_kept_out_of_search_results_and_pages_are_not(client: TestClient) -> None:
    assert client.get("/snippets/annual-percentage-rate.html").headers["x-robots-tag"] == "noindex"
    assert "x-robots-tag" not in client.get("/glossary/annual-percentage-rate/").headers


def test_snippet_is_a_self_contained_fragment(client: TestClient) -> None:
    response = client.get("/snippets/annual-percentage-rate.html")
    card = client.get("/api/v1/terms/annual-percentage-rate.json").json()

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    fragment = response.text
    assert fragment.lstrip().startswith("<aside")
    assert fragment.rstrip().endswith("</aside>")
    for whole_page_tag in ("<!doctype", "<html", "<head", "<body", "<link", "<script", "<style"):
        assert whole_page_tag not in fragment.lower()
    assert "<strong>Annual Percentage Rate</strong>" in fragment
    assert html.escape(card["definition"], quote=False) in fragment
    assert "Watch out:" in fragment
    assert html.escape(card["misuse"], quote=False) in fragment
    assert '<a href="/glossary/annual-percentage-rate/">' in fragment


@pytest.mark.parametrize(
    "path",
    [
        "/glossary/no-such-term/",
        "/glossary/no-such-term",
        "/snippets/no-such-term.html",
        "/nothing.html",
        "/glossary/neuromuscular-re-education/extra/",
    ],
)
def test_unknown_page_is_404_html(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in response.text
    assert 'href="/glossary/"' in response.text
    assert '<meta name="robots" content="noindex">' in response.text


@pytest.mark.parametrize("path", ["/glossary/", ENTRY, "/nothing.html"])
def test_glossary_pages_lead_site_owners_to_the_configurator(client: TestClient, path: str) -> None:
    """A site owner who opens the glossary (`make run` starts at /glossary/) finds the way to
    the tag; the configurator itself does not link to itself."""
    links = re.findall(r'<a href="([^"]*configure/)">Add this glossary to your articles</a>', client.get(path).text)

    assert len(links) == 1
    assert client.get(urljoin(f"http://testserver{path}", links[0])).status_code == 200
    assert "Add this glossary to your articles" not in client.get("/configure/").text


@pytest.mark.parametrize("path", ["/glossary/", ENTRY, "/snippets/annual-percentage-rate.html"])
def test_pages_have_etag_and_304(client: TestClient, path: str) -> None:
    etag = client.get(path).headers["etag"]

    response = client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


EVIL = "<script>alert(1)</script>"
EVIL_TERM = f"""\
---
title: Evil {EVIL} Fee
categories: [finance]
aliases: [sneaky <b>bold</b> fee]
updated: 2024-05-01
---
## Definition

Defined as {EVIL} and <img src=x onerror=alert(1)> in "quotes" & more.

## Misuse

Abused with {EVIL}.
"""


@pytest.fixture(scope="module")
def evil_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("evil")
    (data / "categories.yml").write_text(
        f"- slug: finance\n  label: Fin <i>ance</i>\n  description: 'Money & {EVIL}'\n",
        encoding="utf-8",
    )
    (data / "terms").mkdir()
    (data / "terms" / "evil-fee.md").write_text(EVIL_TERM, encoding="utf-8")
    app = create_app(data)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/glossary/", "/glossary/evil-fee/", "/snippets/evil-fee.html", "/glossary/sneaky-b-bold-b-fee/"]
)
def test_content_is_escaped(evil_client: TestClient, path: str) -> None:
    page = evil_client.get(path).text

    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
    assert "<i>" not in page and "<b>" not in page
    # The only script elements are the JSON-LD block, which nothing in it can close early, and
    # our own script files.
    own_scripts = len(re.findall(r'<script src="(?:\.\./)*static/[\w.]+\.js" defer></script>', page))
    assert page.count("<script") == page.count('<script type="application/ld+json">') + own_scripts
    assert page.count("</script>") == page.count("<script")


def test_json_ld_keeps_the_text_but_cannot_break_out(evil_client: TestClient) -> None:
    page = evil_client.get("/glossary/evil-fee/").text

    data = json_ld(page)
    assert data["name"] == f"Evil {EVIL} Fee"
    assert data["alternateName"] == ["sneaky <b>bold</b> fee"]


def test_api_keeps_content_as_plain_text(evil_client: TestClient) -> None:
    document = evil_client.get("/api/v1/terms/evil-fee.json").json()

    assert document["title"] == f"Evil {EVIL} Fee"
    assert EVIL in document["definition"]  # text for textContent, never HTML


def test_entry_page_in_chromium(page: Page, glossary_server: Any) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{glossary_server.url}{ENTRY}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Neuromuscular Re-education")
    for name in ("Definition", "Examples", "Benefits", "Conclusion", "Related terms"):
        expect(page.get_by_role("heading", level=2, name=name, exact=True)).to_be_visible()
    misuse = page.locator("section.misuse")
    expect(misuse.get_by_role("heading", level=2)).to_have_text(re.compile("Watch out"))
    expect(misuse).to_contain_text("some clinics bill routine stretching")
    # Shown as a warning: set apart from an ordinary section by its own colours.
    definition = page.locator("section", has=page.locator("#section-definition"))
    assert misuse.evaluate("e => getComputedStyle(e).backgroundColor") != definition.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    expect(page.get_by_role("list").first.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_text("Last modified:")).to_be_visible()

    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["@type"] == "DefinedTerm"
    assert data["name"] == "Neuromuscular Re-education"
    assert data["inDefinedTermSet"]["@type"] == "DefinedTermSet"
    # Every request stays on this server: no external assets.
    assert requests and all(url.startswith(glossary_server.url) for url in requests)

    related = page.locator("section.related").get_by_role("link")
    expect(related).to_have_text(["Rehabilitation Program", "Physical Therapy"])
    other = related.nth(1).get_attribute("href")
    related.first.click()
    expect(page).to_have_url(f"{glossary_server.url}/glossary/rehabilitation-program/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rehabilitation Program")
    page.go_back()
    assert other is not None
    response = page.request.get(urljoin(f"{glossary_server.url}{ENTRY}", other))
    assert response.status == 200
    assert "<h1>Physical Therapy</h1>" in response.text()
