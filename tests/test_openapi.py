"""The OpenAPI document: it validates, it matches the routes both ways, and the app answers as it
says for generated requests (schemathesis). The apps here have a feedback store (SQLite, in a
temporary folder) and an admin password, so that every route the server can have is there."""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from conftest import EXAMPLES, FIXTURES
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from starlette.routing import Route
from starlette.testclient import TestClient

from widget_server.app import create_app
from widget_server.build import build_site
from widget_server.openapi import OPENAPI_PATH

# The example partner pages stand for partners' sites; `make run` serves them for development.
UNDOCUMENTED_ROUTES = {"/examples/{path:path}"}
PAGE_NOT_FOUND = {"$ref": "#/components/responses/PageNotFound"}
PASSWORD = "correct horse"
CREDENTIALS = {"Authorization": "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
STATE = tempfile.TemporaryDirectory(prefix="glossary-widget-openapi-")


def full_app(state_dir: Path) -> Any:
    """An app with every route: a feedback store of its own (each app runs its own writer)."""
    return create_app(
        FIXTURES / "glossary",
        base_url="https://glossary.example.org/",  # for sitemap.xml and robots.txt
        examples_dir=EXAMPLES,
        state_dir=state_dir,
        admin_password=PASSWORD,
    )


APP = full_app(Path(STATE.name) / "client")
SCHEMA = schemathesis.openapi.from_asgi(f"/{OPENAPI_PATH}", full_app(Path(STATE.name) / "schema"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(APP, follow_redirects=False) as test_client:  # starts the store's writer
        yield test_client


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    return client.get(f"/{OPENAPI_PATH}").json()


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_document_is_an_api_file_with_the_api_headers(client: TestClient) -> None:
    response = client.get(f"/{OPENAPI_PATH}")

    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert client.get(f"/{OPENAPI_PATH}", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_build_exports_the_document_the_server_serves(client: TestClient, tmp_path: Path) -> None:
    build_site(FIXTURES / "glossary", tmp_path / "site")

    assert (tmp_path / "site" / OPENAPI_PATH).read_bytes() == client.get(f"/{OPENAPI_PATH}").content


def path_pattern(template: str) -> re.Pattern[str]:
    """A documented path as a regular expression: a parameter is one path segment or part of one."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


def served_urls(client: TestClient) -> set[str]:
    """Every URL the app answers with a file: the snapshot's and the built assets', at the URL
    they are served at (a folder's index.html at the folder)."""
    site = client.app.state.site  # type: ignore[attr-defined]
    paths = set(site.snapshot.resources) | set(site.assets.files) | {"healthz"}
    return {"/" + re.sub(r"(^|/)index\.html$", r"\1", path) for path in paths}


def test_every_url_the_app_serves_is_documented_once(client: TestClient, document: dict[str, Any]) -> None:
    patterns = {template: path_pattern(template) for template in document["paths"]}
    for url in served_urls(client):
        matches = [template for template, pattern in patterns.items() if pattern.fullmatch(url)]
        assert len(matches) == 1, (url, matches)


def example_url(template: str, operation: dict[str, Any]) -> str:
    examples = {p["name"]: p["example"] for p in operation.get("parameters", []) if "example" in p}
    return re.sub(r"\{([^}]+)\}", lambda m: examples[m.group(1)], template)


def documented_methods(item: dict[str, Any]) -> set[str]:
    """The methods a path item documents; GET brings HEAD (its headers, no body)."""
    methods = {method.upper() for method in item}
    return methods | {"HEAD"} if "GET" in methods else methods


def example_request(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's example body in its first media type (JSON in text/plain, as pages send
    it, for the feedback endpoints), and credentials."""
    request: dict[str, Any] = {}
    if "requestBody" in operation:
        media, body = next(iter(operation["requestBody"]["content"].items()))
        example = body["example"]
        request["content"] = example if isinstance(example, str) else json.dumps(example)
        request["headers"] = {"Content-Type": media}
    if "security" in operation:
        request["headers"] = CREDENTIALS
    return request


def test_every_documented_operation_is_answered_as_documented(client: TestClient, document: dict[str, Any]) -> None:
    """Each operation, with its example parameters and body, gets its documented success (not a
    404); each path answers exactly the methods it documents, and any other with a 405."""
    assets = client.app.state.site.assets  # type: ignore[attr-defined]
    for template, item in document["paths"].items():
        for method, operation in item.items():
            url = example_url(template, operation)
            if template == "/static/{file}":
                url = f"/{assets.widget}"
            response = client.request(method.upper(), url, **example_request(operation))
            success = min(code for code in operation["responses"] if code < "400")
            assert str(response.status_code) == success, (method, template, url, response.text)
            if method == "get":
                assert client.head(url, **example_request(operation)).status_code == response.status_code
        allowed = documented_methods(item)
        for method in set(METHODS) - allowed:
            refused = client.request(method, url)
            assert refused.status_code == 405, (method, template)
            assert set(refused.headers["allow"].split(", ")) == allowed, (method, template)
            if method != "HEAD":  # a HEAD answer has no body
                assert isinstance(refused.json()["error"], str)


def test_every_operation_documents_the_errors_any_request_may_get(document: dict[str, Any]) -> None:
    """The server's limits and methods apply on every path (docs/api.md: Limits)."""
    for template, item in document["paths"].items():
        for method, operation in item.items():
            assert {"400", "405", "413", "414", "431"} <= set(operation["responses"]), (method, template)


def test_every_route_of_the_app_is_documented(client: TestClient, document: dict[str, Any]) -> None:
    """Every Starlette route answers a documented path, with the methods the document says."""
    items = {example_url(t, next(iter(item.values()))): item for t, item in document["paths"].items()}
    for route in client.app.routes:  # type: ignore[attr-defined]
        assert isinstance(route, Route)
        if route.path in UNDOCUMENTED_ROUTES:
            continue
        served = [item for url, item in items.items() if route.path_regex.match(url)]
        assert any(route.methods == documented_methods(item) for item in served), route.path


def test_a_server_without_store_or_password_answers_as_the_descriptions_say(
    document: dict[str, Any], tmp_path: Path
) -> None:
    """The write paths, /admin/ and the files for search engines say what a server without a
    store (or password, or base URL) answers."""
    write = document["paths"]["/api/v1/feedback"]["post"]["description"]
    assert "405" in write and "404" in write and "without" in write
    assert "404" in document["paths"]["/admin/"]["get"]["description"]
    bare = TestClient(create_app(FIXTURES / "glossary"))

    for path in ("/api/v1/feedback", "/api/v1/events"):
        assert [bare.request(method, path).status_code for method in ("POST", "OPTIONS", "GET")] == [405, 404, 404]
    missing = bare.get("/admin/", headers=CREDENTIALS)
    assert (missing.status_code, missing.headers["content-type"].split(";")[0]) == (404, "text/html")
    for path in ("/sitemap.xml", "/robots.txt"):
        assert "--base-url" in document["paths"][path]["get"]["description"]
        assert bare.get(path).status_code == 404


def test_the_report_periods_are_the_documented_ones(client: TestClient, document: dict[str, Any]) -> None:
    """The periods the report's own page offers."""
    [since] = document["paths"]["/admin/"]["get"]["parameters"][:1]
    offered = re.findall(r'<a href="\?since=(\w+)"', client.get("/admin/", headers=CREDENTIALS).text)
    assert since["schema"]["enum"] == offered


@pytest.fixture
def fuzzed(tmp_path: Path) -> Any:
    """A new app for each operation: schemathesis starts its lifespan (the store's writer) for
    the test and ends it after, and a server's lifespan runs once."""
    return full_app(tmp_path / "state")


@schemathesis.check
def errors_are_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is JSON `{"error": "..."}`, but for a missing page (the HTML 404 page) and the
    report's sign-in answer."""
    if not 400 <= response.status_code < 500:
        return None
    documented = case.operation.definition.raw["responses"].get(str(response.status_code))
    if response.status_code == 404 and documented == PAGE_NOT_FOUND:
        assert response.headers["content-type"][0].startswith("text/html")
        return None
    if response.status_code == 401 and case.operation.path == "/admin/":
        # The report's sign-in answer is for a browser: plain text beside WWW-Authenticate.
        assert response.headers["content-type"][0].startswith("text/plain")
        return None
    assert response.headers["content-type"][0] == "application/json", response.headers
    assert isinstance(json.loads(response.content)["error"], str)
    return None


@schemathesis.check
def no_undocumented_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """No 5xx but a documented one: a write's 503 (the store cannot take it, with Retry-After)."""
    if response.status_code >= 500 and str(response.status_code) in case.operation.definition.raw["responses"]:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [
    no_undocumented_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    errors_are_json,
]


@SCHEMA.parametrize()
@settings(
    # A quarter of the profile's examples per operation: 25 in `make test`, more in `make fuzz`.
    max_examples=max(settings.default.max_examples // 4, 1),
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_document_says(case: schemathesis.Case, fuzzed: Any) -> None:
    case.call_and_validate(checks=CHECKS, app=fuzzed)
    if "security" in case.operation.definition.raw:  # signed in as well: the report itself
        case.call_and_validate(checks=CHECKS, app=fuzzed, headers=CREDENTIALS)
