"""`POST api/v1/annotate`: HTML or Markdown in, the same annotated out; every bad request a 4xx
JSON error; CORS for partners' tools; the same rate limit as the feedback endpoints."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from starlette.testclient import TestClient

from widget_server.app import create_app

PATH = "/api/v1/annotate"
HTML = {"content-type": "text/html; charset=utf-8"}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(FIXTURES / "glossary", base_url="https://glossary.example.org/"))


def test_html_in_annotated_html_out(client: TestClient) -> None:
    body = "<p>The premium is due.</p>\r\n<script>premium()</script>"
    response = client.post(f"{PATH}?style=links", content=body.encode(), headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.text == (
        '<p>The <a href="https://glossary.example.org/glossary/premium/" title="Test definition of '
        'Premium. It exists so the widget tests have a small, stable glossary.">premium</a> is '
        "due.</p>\r\n<script>premium()</script>"
    )


def test_markdown_in_annotated_markdown_out(client: TestClient) -> None:
    response = client.post(PATH, content=b"The premium and the policy.\n", headers={"content-type": "text/markdown"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.text.startswith("The premium[^1] and the policy[^2].\n\n## Glossary\n\n[^1]: ")


def test_settings_come_from_the_query_and_the_site(client: TestClient) -> None:
    body = b"<p>The premium, the premium and the policy.</p>"
    every = client.post(f"{PATH}?style=links&occurrences=all&max=2", content=body, headers=HTML)
    assert every.text.count("<a href=") == 2 and "policy</a>" not in every.text
    only = client.post(f"{PATH}?style=links&categories=finance", content=body, headers=HTML)
    assert "premium</a>" not in only.text
    site = client.post(f"{PATH}?style=links&site=fixture-partner", content=body, headers=HTML)
    assert site.status_code == 200


def test_without_a_base_url_entry_links_point_at_this_server() -> None:
    client = TestClient(create_app(FIXTURES / "glossary"))
    response = client.post(f"{PATH}?style=links", content=b"<p>premium</p>", headers=HTML)
    assert 'href="http://testserver/glossary/premium/"' in response.text


@pytest.mark.parametrize(
    ("query", "headers", "body", "status", "message"),
    [
        ("", {"content-type": "application/json"}, b"{}", 415, "text/html or text/markdown"),
        ("", {}, b"<p>premium</p>", 415, "text/html or text/markdown"),
        ("", {"content-type": "text/html; charset=latin-1"}, b"<p>premium</p>", 415, "UTF-8"),
        ("", HTML, b"\x89PNG\r\n\x1a\n\xff", 400, "not UTF-8 text"),
        ("", HTML, b"<p>premium\x00</p>", 400, "NUL byte"),
        # Parsed, this would take the parser minutes: its time grows with the square of the depth.
        ("", HTML, b"<div>" * 200_000, 400, "nests elements more than 1000 deep"),
        # An end tag the parser ignores (its element is outside the open table cell) closes nothing.
        ("", HTML, b"<div><table><tr><td></div>" * 1001, 400, "more than 1000 deep"),
        ("", HTML, b"<p>" + b"premium " * (300 * 1024) + b"</p>", 413, "over 1048576 bytes"),
        ("?style=bold", HTML, b"<p>premium</p>", 400, "style: must be one of footnotes, links"),
        ("?occurrences=some", HTML, b"<p>premium</p>", 400, "occurrences"),
        ("?max=0", HTML, b"<p>premium</p>", 400, "max: must be a whole number"),
        ("?max=x", HTML, b"<p>premium</p>", 400, "max: must be a whole number"),
        ("?max=" + "9" * 5000, HTML, b"<p>premium</p>", 400, "max: must be a whole number"),
        ("?categories=astrology", HTML, b"<p>premium</p>", 400, "categories: unknown astrology"),
        ("?site=nobody", HTML, b"<p>premium</p>", 400, "site: unknown site 'nobody'"),
    ],
)
def test_bad_requests_get_a_json_error(
    client: TestClient,
    query: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    message: str,
) -> None:
    response = client.post(f"{PATH}{query}", content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]


def test_a_chunked_body_over_the_limit_is_refused(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"<p>premium</p>" * 8000

    response = client.post(PATH, content=chunks(), headers=HTML)
    assert response.status_code == 413


def test_malformed_html_is_annotated_not_refused(client: TestClient) -> None:
    body = b"<p>A premium <b>and <i>a policy</p></b> < <div <!-- premium"
    response = client.post(PATH, content=body, headers=HTML)
    assert response.status_code == 200
    assert response.text.startswith('<p>A premium<sup><a href="#gw-fn-1" id="gw-ref-1">1</a></sup>')


def test_the_cors_preflight_allows_posts_of_html(client: TestClient) -> None:
    response = client.options(
        PATH,
        headers={
            "origin": "https://news.example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"].lower() == "content-type"


def test_other_methods_are_refused(client: TestClient) -> None:
    for method in ("GET", "HEAD", "PUT", "DELETE", "TRACE"):
        response = client.request(method, PATH)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST, OPTIONS"


def test_past_the_rate_limit_a_client_waits(client: TestClient) -> None:
    statuses = [client.post(PATH, content=b"<p>premium</p>", headers=HTML).status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    response = client.post(PATH, content=b"<p>premium</p>", headers=HTML)
    assert int(response.headers["retry-after"]) >= 1
    assert "a minute" in response.json()["error"]
    # Another client (another User-Agent here) is not held up.
    other = client.post(PATH, content=b"<p>premium</p>", headers={**HTML, "user-agent": "other"})
    assert other.status_code == 200
