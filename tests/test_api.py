"""The JSON API: shapes, headers, conditional requests, errors, and malformed input."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.support.server import http_scope
from widget_server import snapshot
from widget_server.api import (
    MAX_BEGINNINGS,
    beginnings,
    entry_words,
    index_entries,
    matcher_document,
    matcher_file,
)
from widget_server.app import create_app
from widget_server.compress import compressed_copies
from widget_server.content import load_glossary
from widget_server.markup import plain_text
from widget_server.model import Glossary

GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"
VECTORS_GLOSSARY = Path(__file__).resolve().parent / "vectors" / "glossary"
CATEGORY_SLUGS = ["insurance", "finance", "healthcare", "employment-law", "privacy"]
CARD_LIMIT = 300
ELLIPSIS = "\u2026"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Starlette:
    examples = tmp_path_factory.mktemp("examples")
    (examples / "page.html").write_text("<p>example</p>", encoding="utf-8")
    return create_app(GLOSSARY_DATA, examples_dir=examples)


@pytest.fixture(scope="module")
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def terms(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/terms.json").json()["terms"]


def api_paths() -> list[str]:
    glossary = load_glossary(GLOSSARY_DATA)
    return [
        "/api/v1/categories.json",
        "/api/v1/terms.json",
        "/api/v1/terms/neuromuscular-re-education.json",
        "/api/v1/terms/annual-percentage-rate.json",
        "/api/v1/matcher.json",
        *(f"/api/v1/matcher/{c.slug}.json" for c in glossary.categories),
        "/api/v1/index.json",
        *(f"/api/v1/index/{c.slug}.json" for c in glossary.categories),
    ]


# Shapes


def test_categories(client: TestClient, terms: list[dict[str, Any]]) -> None:
    response = client.get("/api/v1/categories.json")

    assert response.status_code == 200
    categories = response.json()["categories"]
    # `disabled`, the kill switch's hashed origins, is tested in tests/test_sites.py.
    assert list(response.json()) == ["categories", "disabled"]
    assert [c["slug"] for c in categories] == CATEGORY_SLUGS
    assert [c["label"] for c in categories] == ["Insurance", "Finance", "Healthcare", "Employment Law", "Privacy"]
    for category in categories:
        assert set(category) == {"slug", "label", "description", "count"}
        assert category["description"].strip()
        assert category["count"] == sum(category["slug"] in t["categories"] for t in terms)
        assert category["count"] >= 5


def test_terms_list(client: TestClient, terms: list[dict[str, Any]]) -> None:
    assert list(client.get("/api/v1/terms.json").json()) == ["terms"]
    assert len(terms) >= 120
    slugs = [t["slug"] for t in terms]
    assert slugs == sorted(slugs)
    assert len(set(slugs)) == len(slugs)
    for entry in terms:
        assert set(entry) == {"slug", "title", "aliases", "categories", "case_sensitive"}
        assert isinstance(entry["title"], str) and entry["title"]
        assert all(isinstance(a, str) and a for a in entry["aliases"])
        assert set(entry["categories"]) <= set(CATEGORY_SLUGS) and entry["categories"]
        assert isinstance(entry["case_sensitive"], bool)
    apr = next(t for t in terms if t["slug"] == "annual-percentage-rate")
    assert apr == {
        "slug": "annual-percentage-rate",
        "title": "Annual Percentage Rate",
        "aliases": ["APR"],
        "categories": ["finance"],
        "case_sensitive": False,
    }


def test_every_term_document(client: TestClient, terms: list[dict[str, Any]]) -> None:
    titles = {t["slug"]: t["title"] for t in terms}
    categories = client.get("/api/v1/categories.json").json()["categories"]
    labels = {c["slug"]: c["label"] for c in categories}
    glossary = load_glossary(GLOSSARY_DATA)
    for entry in terms:
        slug = entry["slug"]
        response = client.get(f"/api/v1/terms/{slug}.json")
        assert response.status_code == 200, slug
        document = response.json()
        assert list(document) == [
            "slug",
            "title",
            "categories",
            "aliases",
            "definition",
            "misuse",
            "related",
            "url",
            "updated",
        ]
        assert document["slug"] == slug
        assert document["title"] == entry["title"]
        assert document["aliases"] == entry["aliases"]
        assert document["categories"] == [{"slug": c, "label": labels[c]} for c in entry["categories"]]
        assert document["url"] == f"glossary/{slug}/"
        datetime.date.fromisoformat(document["updated"])
        for related in document["related"]:
            assert related["slug"] != slug
            assert related == {"slug": related["slug"], "title": titles[related["slug"]]}
        term = glossary.term(slug)
        assert term is not None
        for field, section in (("definition", "Definition"), ("misuse", "Misuse")):
            text = document[field]
            full = plain_text(term.sections[section])
            assert 0 < len(text) <= CARD_LIMIT, (slug, field)
            if len(full) <= CARD_LIMIT:
                assert text == full
            else:
                assert text.endswith(ELLIPSIS)
                assert full.startswith(text.removesuffix(ELLIPSIS).rstrip())


def test_term_document_of_neuromuscular_re_education(client: TestClient) -> None:
    document = client.get("/api/v1/terms/neuromuscular-re-education.json").json()

    assert document["title"] == "Neuromuscular Re-education"
    assert document["categories"] == [{"slug": "healthcare", "label": "Healthcare"}]
    assert [r["slug"] for r in document["related"]] == ["rehabilitation-program", "physical-therapy"]
    assert document["definition"].startswith("Neuromuscular re-education is a type of therapy")
    assert "<" not in document["definition"] + document["misuse"]


def test_category_matcher(client: TestClient, terms: list[dict[str, Any]]) -> None:
    """Each category's file is the matcher of its terms' entries (`index_entries`), ready-made."""
    glossary = load_glossary(GLOSSARY_DATA)
    for category in CATEGORY_SLUGS:
        document = client.get(f"/api/v1/matcher/{category}.json").json()
        # `rules`: the context words and `not` phrases, when a term of the file has some.
        assert list(document) in (["category", "names", "starts"], ["category", "names", "starts", "rules"])
        assert document["category"] == category
        entries, defaults = index_entries(glossary, category)
        assert document == {"category": category, **matcher_document(entries, defaults)}
        expected = [t for t in terms if category in t["categories"]]
        assert [row[0].removeprefix("=") for row in entries] == [t["slug"] for t in expected]
        for row, entry in zip(entries, expected, strict=True):
            # A case-sensitive term is marked once, on its slug; its names carry no mark but
            # `?` (needs context); context words (+) and not phrases (-) follow the names.
            assert row[0].startswith("=") == entry["case_sensitive"]
            marked = [name for name in row[1:] if name[0] not in "+-"]
            names = [name.removeprefix("=").removeprefix("?") for name in marked]
            assert names == [entry["title"], *entry["aliases"]]
            for name in marked:
                assert not name.startswith("==")
                if entry["case_sensitive"]:
                    assert not name.startswith("=")


def test_category_index_marks_acronyms_as_exact() -> None:
    glossary = load_glossary(GLOSSARY_DATA)
    finance = {row[0]: row[1:] for row in index_entries(glossary, "finance")[0]}
    privacy = {row[0]: row[1:] for row in index_entries(glossary, "privacy")[0]}

    assert finance["annual-percentage-rate"] == ["Annual Percentage Rate", "=APR"]
    assert privacy["=gdpr"] == ["GDPR", "General Data Protection Regulation"]


def test_index_carries_context_rules_compactly() -> None:
    """The vectors' glossary: names that need context are marked `?`, then come the term's own
    context words and its not phrases; category words go once per file; terms without rules
    are as before; a term of two categories lists the words of both itself, in either file."""
    glossary = load_glossary(VECTORS_GLOSSARY)
    insurance, insurance_words = index_entries(glossary, "insurance")
    finance, finance_words = index_entries(glossary, "finance")
    healthcare, healthcare_words = index_entries(glossary, "healthcare")
    entries = {row[0]: row for rows in (insurance, finance, healthcare) for row in rows}

    assert insurance_words == ("insurer", "policyholder", "coverage", "health plan")
    assert finance_words == ("lender", "loan")
    assert healthcare_words == ()  # no term of it uses the category's words
    assert entries["policy"] == ["policy", "Policy"]
    assert entries["premium"] == [
        "premium",
        "?Premium",
        "insurance premium",
        "-premium carmaker",
        "-premium bonds",
        "-a premium of",
    ]
    assert entries["adjustable-rate-mortgage"] == [
        "adjustable-rate-mortgage",
        "Adjustable-Rate Mortgage",
        "=?ARM",
        "-ARM processor",
    ]
    assert entries["deductible"] == [
        "deductible",
        "?Deductible",
        "+insurer",
        "+out of pocket",
        "-tax deductible",
    ]
    exclusion = [
        "exclusion",
        "?Exclusion",
        "+insurer",
        "+policyholder",
        "+coverage",
        "+health plan",
        "+patient",
        "+hospital",
        "-social exclusion",
    ]
    assert [r for r in insurance if r[0] == "exclusion"] == [exclusion]
    assert [r for r in healthcare if r[0] == "exclusion"] == [exclusion]


def index_rows(glossary: Glossary, category: str | None) -> dict[str, list[str]]:
    return {row[0]: row for row in index_entries(glossary, category)[0]}


def test_the_index_of_every_category_has_every_term_once_with_its_own_context_words(client: TestClient) -> None:
    """The file a tag without data-categories reads: every term in glossary order, each as the
    category files give it, but that it lists its context words itself (no file defaults)."""
    glossary = load_glossary(VECTORS_GLOSSARY)
    every, defaults = index_entries(glossary)

    assert defaults == ()
    assert list(matcher_file(None, every, defaults)) == ["names", "starts", "rules"]
    assert [row[0].removeprefix("=") for row in every] == [t.slug for t in glossary.terms]
    rows = index_rows(glossary, None)
    # In insurance.json, premium takes the file's `context`; here it lists those words itself.
    assert rows["premium"] == [
        "premium",
        "?Premium",
        "insurance premium",
        "+insurer",
        "+policyholder",
        "+coverage",
        "+health plan",
        "-premium carmaker",
        "-premium bonds",
        "-a premium of",
    ]
    assert rows["deductible"] == index_rows(glossary, "insurance")["deductible"]
    served = client.get("/api/v1/matcher.json").json()
    assert served == matcher_document(*index_entries(load_glossary(GLOSSARY_DATA)))


def test_the_matcher_in_an_index_finds_every_name_by_its_words() -> None:
    """`names` sends each name's first word (folded) and a one-word name's plural to the names
    that may begin there, ready for `fits`; `starts` holds the first letters of every such word;
    `rules` each set of context words and `not` phrases once."""
    entries = [
        ["premium", "Premium", "=PRM"],
        ["premium-tax-credit", "Premium Tax\u00a0Credit"],
        ["=hipaa", "HIPAA"],
        ["policy", "?Policy", "+insurer", "-policy wonk"],
        ["os", "Ος"],
        ["plan", "?Plan", "-plan b"],  # no context words of its own: `defaults`
        ["deed", "?Deed"],  # the file's; without them it never matches, and is left out
    ]
    premium = ["premium", 0, 0, 0, "premiums", "premium"]
    prm = ["premium", 1, 0, 0, "PRMs", "PRM"]  # an acronym alias is exact, its plural too
    policy = ["policy", 0, 1, 2, "policies", "policy"]
    plan = ["plan", 0, 3, 4, "plans", "plan"]
    deed = ["deed", 0, 3, 0, "deeds", "deed"]

    with_defaults = matcher_document(entries, ("insurer", "health plan"))

    assert with_defaults["names"] == {
        "premium": [premium, ["premium-tax-credit", 0, 0, 0, "credits", "premium", " ", "tax", " ", "credit"]],
        "premiums": [premium],
        "prm": [prm],
        "prms": [prm],
        "hipaa": [["hipaa", 1, 0, 0, "", "HIPAA"]],  # no plural in a case-sensitive term
        "policy": [policy],
        "policies": [policy],
        "οσ": [["os", 0, 0, 0, "οσs", "οσ"]],  # the final sigma folded as any sigma
        "οσs": [["os", 0, 0, 0, "οσs", "οσ"]],
        "plan": [plan],
        "plans": [plan],
        "deed": [deed],
        "deeds": [deed],
    }
    assert with_defaults["rules"] == [
        [["insurers", "insurer"]],
        [["wonks", "policy", " ", "wonk"]],
        [["insurers", "insurer"], ["plans", "health", " ", "plan"]],
        [["bs", "plan", " ", "b"]],
    ]
    starts = with_defaults["starts"].split("|")
    assert all(any(word.startswith(start) for start in starts) for word in with_defaults["names"])
    assert max(len(start) for start in starts) <= 4
    assert "deed" not in matcher_document(entries)["names"]
    assert "rules" not in matcher_document(entries[:3])


def test_the_matching_index_that_earlier_widgets_read_is_still_served(client: TestClient) -> None:
    """A widget pinned before the matcher files (a pinned tag keeps working after upgrades)
    reads `terms` and `context`, or `words` and `starts` too: from each name's first word
    (folded) and a one-word name's plural to the positions of the entries with the name."""
    glossary = load_glossary(GLOSSARY_DATA)
    for category in (None, *CATEGORY_SLUGS):
        path = f"/api/v1/index/{category}.json" if category else "/api/v1/index.json"
        entries, defaults = index_entries(glossary, category)
        expected = {"category": category} if category else {}
        expected |= {"terms": entries} | ({"context": list(defaults)} if defaults else {})
        expected |= {"words": entry_words(entries), "starts": beginnings(entry_words(entries))}
        assert client.get(path).json() == expected
    entries = [
        ["premium", "Premium", "=PRM"],
        ["premium-tax-credit", "Premium Tax Credit"],
        ["=hipaa", "HIPAA"],
        ["policy", "?Policy", "+insurer", "-policy wonk"],
        ["os", "Ος"],
    ]
    assert entry_words(entries) == {
        "premium": [0, 1],
        "premiums": [0],
        "prm": [0],
        "prms": [0],  # an acronym alias keeps its capitals in the plural (PRMs), then is folded
        "hipaa": [2],  # no plural in a case-sensitive term
        "policy": [3],
        "policies": [3],
        "οσ": [4],  # the final sigma folded as any sigma
        "οσs": [4],
    }


def test_the_first_letters_are_fewer_for_a_large_glossary() -> None:
    """Four letters while they give at most MAX_BEGINNINGS alternatives, else three, else two."""
    many = {f"{a}{b}{c}{d}x": [0] for a in "abcdefgh" for b in "abcdefgh" for c in "abcdefgh" for d in "abcde"}
    assert len({word[:4] for word in many}) > MAX_BEGINNINGS

    starts = beginnings(many).split("|")

    assert len(starts) == 8 * 8 * 8
    assert all(len(start) == 3 for start in starts)


def test_the_matcher_of_a_category_has_only_its_terms(client: TestClient) -> None:
    healthcare = client.get("/api/v1/matcher/healthcare.json").json()["names"]

    slugs = {name[0] for names in healthcare.values() for name in names}
    assert "neuromuscular-re-education" in slugs
    assert "annual-percentage-rate" not in slugs


def test_healthz(client: TestClient, terms: list[dict[str, Any]]) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "terms": len(terms)}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


# Headers and conditional requests


@pytest.mark.parametrize("path", api_paths())
def test_api_headers(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept-Encoding": "identity"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{16,}"', response.headers["etag"])  # strong: no W/
    json.loads(response.content)


def test_etags_differ_between_documents_and_stay_stable(client: TestClient) -> None:
    etags = {path: client.get(path).headers["etag"] for path in api_paths()}

    assert len(set(etags.values())) == len(etags)
    assert all(client.get(path).headers["etag"] == etag for path, etag in etags.items())


@pytest.mark.parametrize(
    ("accept_encoding", "coding"), [("br, gzip", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip")]
)
@pytest.mark.parametrize("path", ["/api/v1/index.json", "/glossary/"])
def test_index_files_and_pages_are_compressed_for_clients_that_accept_it(
    client: TestClient, path: str, accept_encoding: str, coding: str
) -> None:
    """The index files every page view downloads come compressed, as the export's copies are;
    the ETag of a compressed answer is the weak form of the plain one's (negotiation.py). The
    pages too."""
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    response = client.get(path, headers={"Accept-Encoding": accept_encoding})

    assert response.headers["content-encoding"] == coding
    assert int(response.headers["content-length"]) < len(plain.content) / 3
    assert response.content == plain.content  # httpx decodes it
    assert response.headers["etag"] == f"W/{plain.headers['etag']}"
    assert response.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    revalidated = client.get(
        path, headers={"Accept-Encoding": accept_encoding, "If-None-Match": response.headers["etag"]}
    )
    assert revalidated.status_code == 304 and revalidated.headers["etag"] == response.headers["etag"]


def test_a_header_on_several_lines_is_one_list_for_the_api_and_pages(client: TestClient) -> None:
    """RFC 9110, 5.3: a proxy may split If-None-Match or Accept-Encoding over several lines. A 304
    keeps the Vary of the answer it stands for (RFC 9110, 15.4.5)."""
    path = "/api/v1/index.json"
    etag = etag_of(client, path)
    split = [("if-none-match", '"other"'), ("if-none-match", etag), ("accept-encoding", "identity")]
    revalidated = client.send(client.build_request("GET", path, headers=split))
    assert revalidated.status_code == 304 and revalidated.headers["vary"] == "Accept-Encoding"
    coded = [("accept-encoding", "identity;q=0.5"), ("accept-encoding", "gzip")]
    with client.stream("GET", path, headers=coded) as response:
        assert response.headers["content-encoding"] == "gzip"


def test_requests_that_come_together_compress_a_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first requests for a file after a start come together (a CDN's, a page view's): its
    copies are made once, in a worker thread, and every one of them gets the brotli copy."""
    made: list[str] = []

    def slow_copies(path: str, body: bytes) -> dict[str, bytes]:
        made.append(path)
        time.sleep(0.05)  # long enough for the others to arrive meanwhile
        return compressed_copies(path, body)

    monkeypatch.setattr(snapshot, "compressed_copies", slow_copies)
    app = create_app(GLOSSARY_DATA)

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            asking = [client.get("/api/v1/index.json", headers={"Accept-Encoding": "br"}) for _ in range(5)]
            return await asyncio.gather(*asking)

    # In a thread of its own: Playwright's sync API leaves an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        answers = thread.submit(asyncio.run, together()).result()

    assert [answer.headers["content-encoding"] for answer in answers] == ["br"] * 5
    assert made == ["api/v1/index.json"]


def test_a_small_answer_is_sent_as_it_is(client: TestClient) -> None:
    """A term's JSON fits in one packet: compressing it would not make it arrive sooner
    (compress.py), and its answer does not vary."""
    response = client.get("/api/v1/terms/premium.json", headers={"Accept-Encoding": "br, gzip"})

    assert "content-encoding" not in response.headers and "vary" not in response.headers


def etag_of(client: TestClient, path: str) -> str:
    return client.get(path, headers={"Accept-Encoding": "identity"}).headers["etag"]


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        '"0123456789abcdef", {etag}',
        '{etag},"0123456789abcdef"',
        "W/{etag}",
        '"x", W/{etag}, "y"',
        "*",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/terms.json", "/api/v1/index/finance.json"])
def test_not_modified(client: TestClient, path: str, if_none_match: str) -> None:
    etag = etag_of(client, path)

    response = client.get(
        path, headers={"If-None-Match": if_none_match.format(etag=etag), "Accept-Encoding": "identity"}
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("if_none_match", ['"0123456789abcdef"', 'W/"nope", "other"', "", '""'])
def test_other_etag_gets_the_document(client: TestClient, if_none_match: str) -> None:
    response = client.get("/api/v1/terms.json", headers={"If-None-Match": if_none_match})

    assert response.status_code == 200
    assert response.json()["terms"]


def test_etag_of_one_document_does_not_match_another(client: TestClient) -> None:
    etag = etag_of(client, "/api/v1/index/finance.json")

    response = client.get("/api/v1/index/privacy.json", headers={"If-None-Match": etag})

    assert response.status_code == 200


# Errors


def assert_json_error(response: Any, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/terms/no-such-term.json",
        "/api/v1/terms/annual-percentage-rate",
        "/api/v1/terms/ANNUAL-PERCENTAGE-RATE.json",
        "/api/v1/terms/.json",
        "/api/v1/nothing.json",
        "/api/v2/terms.json",
        "/api/",
    ],
)
def test_unknown_api_path_is_404_json(client: TestClient, path: str) -> None:
    assert_json_error(client.get(path), 404)


@pytest.mark.parametrize("path", ["/api/v1/index/helthcare.json", "/api/v1/index/.json"])
def test_unknown_category_lists_the_valid_ones(client: TestClient, path: str) -> None:
    message = assert_json_error(client.get(path), 404)

    assert "unknown category" in message
    for slug in CATEGORY_SLUGS:
        assert slug in message


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/v1/terms.json", "/api/v1/terms/no-such.json", "/healthz"])
def test_write_methods_are_405_json(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, content=b'{"slug": "x"}')

    assert_json_error(response, 405)
    assert "GET" in response.headers["allow"]


def test_head_has_the_headers_of_get(client: TestClient) -> None:
    get = client.get("/api/v1/terms.json")
    head = client.head("/api/v1/terms.json")

    assert head.status_code == 200
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["access-control-allow-origin"] == "*"


# Malformed input: driven through the ASGI interface so that the exact bytes reach the app.


def call_asgi(
    app: Starlette, raw_path: bytes, query: bytes = b"", decode: str = "replace"
) -> tuple[int, dict[str, str], bytes]:
    """GET `raw_path` as a server would hand it over (`http_scope`, with `decode`)."""
    scope = http_scope("GET", raw_path, [(b"host", b"testserver")], query, decode)
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one once
    # a browser test has run. An exception here would be a 500.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], headers, body


LONG = b"a" * 10_000
MALFORMED_PATHS = [
    *(
        prefix + tail
        for prefix in (
            b"/api/v1/",
            b"/api/v1/terms/",
            b"/api/v1/index/",
            b"/glossary/",
            b"/snippets/",
            b"/static/",
            b"/widget.js/",
            b"/examples/",
            b"/",
        )
        for tail in (b"%ff%fe", b"%", b"%zz", b"%00", b"\xff\xfe", b"%c3%28.json", b"\xc3(", b"a%0A/", b"a%0Ab.json")
    ),  # a line break: no route's pattern matches
    b"/api/v1/terms/%2e%2e%2f%2e%2e%2fcategories.json",
    b"/api/v1/terms/..%2fcategories.json",
    b"/api/v1/terms/../categories.json",
    b"/api/v1/index/../../../../etc/passwd",
    b"/glossary/../../etc/passwd",
    b"/glossary/..%2f..%2fetc%2fpasswd",
    b"/static/../../../etc/passwd",
    b"/static/..%2f..%2fpyproject.toml",
    b"/examples/../pyproject.toml",
    b"/examples/%2e%2e/%2e%2e/etc/passwd",
    b"/snippets/../api/v1/terms.json",
    b"/api/" + LONG,
    b"/api/v1/terms/" + LONG + b".json",
    b"/glossary/" + LONG + b"/",
    b"/static/" + LONG,
    b"/examples/" + LONG,
    b"/" + b"%ff" * 3_000,
    b"//api/v1/terms.json",
    b"/api/v1/terms.json/",
]


@pytest.mark.parametrize(
    "path", ["/widget.js%0A", "/glossary/%0a", "/api/v1/terms/premium.json%0A", "/api/v1/terms.json%0D%0A", "/%0A"]
)
def test_a_path_ending_in_a_line_break_is_a_miss(client: TestClient, path: str) -> None:
    """A regular expression's `$` matches before a final line break: the widget, a page or a
    term must not answer at a second address (a cache key, a duplicate URL)."""
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/glossary/no-such-term/", "/api/v1/terms/no-such.json"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_miss_or_a_wrong_method_is_not_stored_by_caches(client: TestClient, path: str, method: str) -> None:
    """RFC 9111 lets a cache keep a 404 or a 405 for a while unless told not to; the term may
    be published a minute later."""
    response = client.request(method, path)

    assert response.status_code in (404, 405)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("decode", ["replace", "surrogateescape"])
@pytest.mark.parametrize("raw_path", MALFORMED_PATHS, ids=lambda p: repr(p[:40]))
def test_malformed_paths_are_4xx(app: Starlette, raw_path: bytes, decode: str) -> None:
    status, headers, body = call_asgi(app, raw_path, decode=decode)

    assert 400 <= status < 500
    if raw_path.startswith(b"/api/"):
        assert headers["content-type"] == "application/json"
        assert "error" in json.loads(body)
    assert b"[tool." not in body and b"root:" not in body  # no file from outside was served


@pytest.mark.parametrize("query", [b"%ff%fe=%zz", b"\xff\xfe", b"a=%00&&=&%", b"x=" + LONG])
@pytest.mark.parametrize(
    "path", [b"/api/v1/nothing.json", b"/glossary/nothing/", b"/static/nothing", b"/examples/nothing.html"]
)
def test_malformed_query_on_a_missing_path_is_4xx(app: Starlette, path: bytes, query: bytes) -> None:
    status, headers, body = call_asgi(app, path, query)

    assert 400 <= status < 500
    if path.startswith(b"/api/"):
        assert "error" in json.loads(body)


@pytest.mark.parametrize("query", [b"%ff%fe=%zz", b"a=%00&&=&%", b"x=" + LONG])
@pytest.mark.parametrize(
    "path", [b"/api/v1/terms.json", b"/glossary/", b"/widget.js", b"/examples/page.html", b"/healthz"]
)
def test_query_string_on_a_real_path_is_ignored(app: Starlette, path: bytes, query: bytes) -> None:
    status, _, body = call_asgi(app, path, query)

    assert status == 200
    assert body


@pytest.mark.parametrize("path", [b"/api/v1/terms.json", b"/widget.js", b"/examples/page.html"])
def test_non_ascii_query_bytes_are_never_5xx(app: Starlette, path: bytes) -> None:
    status, _, _ = call_asgi(app, path, b"q=\xff\xfe")

    assert status < 500


@pytest.mark.parametrize(
    "target",
    [
        b"/api/v1/%ff%fe.json",
        b"/api/v1/terms/%.json",
        b"/api/v1/terms/%zz.json",
        b"/api/v1/terms/%00.json",
        b"/api/v1/terms/../../etc/passwd",
        b"/api/v1/" + LONG,
        b"/api/v1/\xff\xfe.json",
        b"/static/%ff",
        b"/glossary/\xff/",
    ],
)
def test_real_server_answers_malformed_requests_with_4xx(glossary_server: Any, target: bytes) -> None:
    """The same through uvicorn, over a socket, with the request line exactly as written."""
    with socket.create_connection(("127.0.0.1", glossary_server.port), timeout=10) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = b""
        while chunk := connection.recv(65536):
            response += chunk

    status = int(response.split(b" ", 2)[1])
    assert 400 <= status < 500, response[:200]
