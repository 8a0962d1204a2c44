"""The OpenAPI document: it validates, it matches the routes both ways, and the app answers as it
says for generated requests (schemathesis)."""

from __future__ import annotations

import json
import re
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
# Endpoints that take a body (POST, and OPTIONS for the CORS preflight) rather than GET.
WRITE_PATHS = {"/api/v1/annotate"}
PAGE_NOT_FOUND = {"$ref": "#/components/responses/PageNotFound"}

APP = create_app(FIXTURES / "glossary", examples_dir=EXAMPLES)
SCHEMA = schemathesis.openapi.from_asgi(f"/{OPENAPI_PATH}", APP)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(APP, follow_redirects=False)


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
    assert client.get(f"/{OPENAPI_PATH}",
                      headers={"If-None-Match": response.headers["etag"]}).status_code == 304


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


def test_every_url_the_app_serves_is_documented_once(
    client: TestClient, document: dict[str, Any]
) -> None:
    patterns = {template: path_pattern(template) for template in document["paths"]}
    for url in served_urls(client):
        matches = [template for template, pattern in patterns.items() if pattern.fullmatch(url)]
        assert len(matches) == 1, (url, matches)


def example_url(template: str, operation: dict[str, Any]) -> str:
    examples = {p["name"]: p["example"] for p in operation.get("parameters", []) if "example" in p}
    return re.sub(r"\{([^}]+)\}", lambda m: examples[m.group(1)], template)


def test_every_documented_path_is_answered_as_documented(
    client: TestClient, document: dict[str, Any]
) -> None:
    """Each path, with its example parameters, gets its documented answer (not a 404), and each
    operation's methods are the ones its route allows."""
    assets = client.app.state.site.assets  # type: ignore[attr-defined]
    for template, item in document["paths"].items():
        if template in WRITE_PATHS:
            assert set(item) == {"post", "options"}, template
            assert client.options(template).status_code == 204
            assert client.get(template).status_code == 405
            continue
        assert set(item) == {"get"}, template  # HEAD goes with GET; nothing else is allowed
        url = example_url(template, item["get"])
        if template == "/static/{file}":
            url = f"/{assets.widget}"
        response = client.get(url)
        success = min(code for code in item["get"]["responses"] if code < "400")
        assert str(response.status_code) == success, (template, url)
        assert client.head(url).status_code == response.status_code
        assert client.post(url).status_code == 405


def test_every_route_of_the_app_is_documented(client: TestClient, document: dict[str, Any]) -> None:
    """Every Starlette route answers a documented path, with the methods the document says."""
    urls = [example_url(t, item.get("get", {})) for t, item in document["paths"].items()]
    for route in client.app.routes:  # type: ignore[attr-defined]
        assert isinstance(route, Route)
        if route.path in UNDOCUMENTED_ROUTES:
            continue
        assert any(route.path_regex.match(url) for url in urls), route.path
        if route.path in WRITE_PATHS:
            # Every method reaches the endpoint, which refuses all but these (405).
            assert route.methods is None, route.path
            assert set(document["paths"][route.path]) == {"post", "options"}, route.path
            continue
        assert route.methods == {"GET", "HEAD"}, route.path


@schemathesis.check
def errors_are_json(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is JSON `{"error": "..."}`, but for a missing page (the HTML 404 page)."""
    if not 400 <= response.status_code < 500:
        return None
    documented = case.operation.definition.raw["responses"].get(str(response.status_code))
    if response.status_code == 404 and documented == PAGE_NOT_FOUND:
        assert response.headers["content-type"][0].startswith("text/html")
        return None
    assert response.headers["content-type"][0] == "application/json", response.headers
    assert isinstance(json.loads(response.content)["error"], str)
    return None


CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_headers_conformance, response_schema_conformance, unsupported_method, errors_are_json,
]


@SCHEMA.parametrize()
@settings(
    # A quarter of the profile's examples per operation: 25 in `make test`, more in `make fuzz`.
    max_examples=max(settings.default.max_examples // 4, 1),
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_document_says(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
