"""The widget and stylesheet as the server sends them: cache lifetimes, compression, CORS, SRI."""

from __future__ import annotations

import email.utils
import time
from types import SimpleNamespace

import brotli
import pytest
from conftest import FIXTURES, LiveServer
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount
from starlette.testclient import TestClient

from widget_server import memoryfiles
from widget_server.app import create_app
from widget_server.assets import build_assets, integrity
from widget_server.memoryfiles import MemoryFiles


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(FIXTURES / "glossary")
    return TestClient(app)


def assets_of(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.site.assets  # type: ignore[attr-defined]


def test_stable_widget_url_is_short_lived_and_revalidated(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=86400"
    assert response.headers["content-type"].startswith("text/javascript")
    etag = response.headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("if_none_match", ["W/{etag}", '"other", {etag}', "*"])
def test_widget_revalidates_with_weak_and_listed_tags(client: TestClient, if_none_match: str) -> None:
    etag = client.get("/widget.js", headers={"Accept-Encoding": "identity"}).headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert again.status_code == 304


def test_widget_revalidates_by_date(client: TestClient) -> None:
    """A cache that kept only Last-Modified revalidates with If-Modified-Since."""
    last_modified = client.get("/widget.js").headers["last-modified"]
    again = client.get("/widget.js", headers={"If-Modified-Since": last_modified})
    assert again.status_code == 304 and again.content == b""


def test_widget_answers_a_byte_range(client: TestClient) -> None:
    """A resumed download or a CDN fetching in parts gets the bytes it asked for."""
    whole = client.get("/widget.js", headers={"Accept-Encoding": "identity"}).content
    part = client.get("/widget.js", headers={"Accept-Encoding": "identity", "Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}"
    assert part.content == whole[10:20]


@pytest.mark.parametrize("accept", ["br", "gzip", "br, gzip"])
def test_a_byte_range_is_a_range_of_the_plain_file(client: TestClient, accept: str) -> None:
    """A slice of the brotli or gzip copy cannot be decoded alone: ranges come from the file."""
    whole = client.get("/widget.js", headers={"Accept-Encoding": "identity"}).content
    with client.stream("GET", "/widget.js", headers={"Accept-Encoding": accept, "Range": "bytes=-5"}) as part:
        raw = b"".join(part.iter_raw())
        assert part.status_code == 206 and "content-encoding" not in part.headers
    assert raw == whole[-5:]


def test_a_range_of_another_version_gets_the_whole_file(client: TestClient) -> None:
    """If-Range (RFC 9110, 13.1.5): a client resuming a copy of another version, or of a
    compressed answer (whose ETag is weak, and If-Range compares strongly), gets the whole file
    rather than a slice to splice into the wrong bytes; the plain file's own ETag or date resumes."""
    plain = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    compressed = client.get("/widget.js", headers={"Accept-Encoding": "br"})
    assert compressed.headers["etag"] == f"W/{plain.headers['etag']}"

    def ranged(if_range: str) -> int:
        headers = {"Accept-Encoding": "identity", "Range": "bytes=0-9", "If-Range": if_range}
        return client.get("/widget.js", headers=headers).status_code

    assert ranged(plain.headers["etag"]) == ranged(plain.headers["last-modified"]) == 206
    for other in ('"stale"', compressed.headers["etag"], "Mon, 01 Jan 2001 00:00:00 GMT", "not a date"):
        assert ranged(other) == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Modified-Since": "Mon, 07 Dec 2026 04:15:22 +9999999999999999999"},
        {"If-Modified-Since": "Mon, 07 Dec 99999999999999999999 04:15:22 GMT"},
        {"Range": "bytes=0-9", "If-Range": "Mon, 07 Dec 99999999999999999999 04:15:22 GMT"},
    ],
)
def test_a_date_too_large_for_python_is_no_date(client: TestClient, headers: dict[str, str]) -> None:
    """Python's date parsing overflows on a year or a zone of twenty digits: the field is then
    ignored, as any malformed date is (RFC 9110), not a 500."""
    response = client.get("/widget.js", headers={"Accept-Encoding": "identity", **headers})
    assert response.status_code == 200


def test_a_range_unit_is_read_in_any_case(client: TestClient) -> None:
    response = client.get("/widget.js", headers={"Accept-Encoding": "identity", "Range": "Bytes=0-9"})
    assert response.status_code == 206 and len(response.content) == 10


def test_a_header_sent_on_several_lines_is_one_list() -> None:
    """RFC 9110, 5.3: a proxy may split If-None-Match (or Accept-Encoding) over several lines."""
    files = MemoryFiles(build_assets().files, lambda: Response(status_code=404))
    etag = files.files["widget.js"].headers["ETag"]
    scope = {
        "type": "http",
        "method": "GET",
        "path_params": {},
        "headers": [(b"if-none-match", b'"other"'), (b"if-none-match", etag.encode())],
    }
    assert files.respond(scope).status_code == 304
    scope["headers"] = [(b"accept-encoding", b"identity"), (b"accept-encoding", b"gzip")]
    assert files.respond(scope).headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [("*", "br"), ("x-gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("*;q=0, gzip", "gzip"), ("deflate", None)],
)
def test_the_coding_follows_the_clients_weights(client: TestClient, accept_encoding: str, coding: str | None) -> None:
    with client.stream("GET", "/widget.js", headers={"Accept-Encoding": accept_encoding}) as response:
        assert response.headers.get("content-encoding") == coding


def test_widget_revalidates_by_a_date_in_any_of_https_formats(client: TestClient) -> None:
    """RFC 9110, 5.6.7: a recipient reads the IMF date, RFC 850's and asctime's."""
    last_modified = client.get("/widget.js").headers["last-modified"]
    date = email.utils.parsedate_to_datetime(last_modified)
    for form in (date.strftime("%A, %d-%b-%y %H:%M:%S GMT"), date.strftime("%a %b %e %H:%M:%S %Y")):
        assert client.get("/widget.js", headers={"If-Modified-Since": form}).status_code == 304, form


def test_a_head_request_gets_the_headers_of_the_get_and_no_body(client: TestClient) -> None:
    got = client.get("/widget.js", headers={"Accept-Encoding": "br"})
    head = client.head("/widget.js", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers == got.headers


def test_each_answer_has_headers_of_its_own() -> None:
    """The widget's headers are encoded once, at start: a header added to one answer (by a
    middleware, say) must not reach the next."""
    files = MemoryFiles(build_assets().files, lambda: Response(status_code=404))
    scope = {"type": "http", "method": "GET", "path_params": {}, "headers": [(b"accept-encoding", b"br")]}
    first = files.respond(scope)
    first.headers["X-Added"] = "once"
    assert "x-added" not in files.respond(scope).headers


@pytest.mark.parametrize("value", ["bytes=0-1,5-6", "bytes=-", "items=0-5", "bytes=5-2"])
def test_several_or_malformed_ranges_get_the_whole_file_or_a_416(client: TestClient, value: str) -> None:
    """One range is answered; several, or one that is not a byte range, get the whole file; an
    empty one (5-2) cannot be satisfied."""
    whole = client.get("/widget.js", headers={"Accept-Encoding": "identity"}).content
    response = client.get("/widget.js", headers={"Accept-Encoding": "identity", "Range": value})
    if value == "bytes=5-2":
        assert response.status_code == 416 and "error" in response.json()
    else:
        assert (response.status_code, response.content) == (200, whole)


def test_a_range_of_more_digits_than_python_reads_is_past_the_end(client: TestClient) -> None:
    """Python reads no integer of more than 4,300 digits; a position that long is past the end
    of any file, and a suffix that long is the whole file."""
    huge = "9" * 5000
    whole = client.get("/widget.js", headers={"Accept-Encoding": "identity"}).content
    answers = {
        value: client.get("/widget.js", headers={"Accept-Encoding": "identity", "Range": value})
        for value in (f"bytes={huge}-", f"bytes=0-{huge}", f"bytes=-{huge}")
    }

    assert answers[f"bytes={huge}-"].status_code == 416
    for value in (f"bytes=0-{huge}", f"bytes=-{huge}"):
        assert (answers[value].status_code, answers[value].content) == (206, whole)


def test_widget_etag_survives_a_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partner pages revalidate the stable widget every five minutes: a deploy or a second
    worker with the same bytes must answer 304, not send the widget again."""
    first = TestClient(create_app(FIXTURES / "glossary"))
    got = first.get("/widget.js").headers
    etag = got["etag"]
    # Started in another second, so with another Last-Modified (the start time), without
    # waiting for a second to pass: the files' clock, and only theirs, is a minute on.
    minute_on = time.time() + 60
    monkeypatch.setattr(memoryfiles, "time", SimpleNamespace(time=lambda: minute_on))
    second = TestClient(create_app(FIXTURES / "glossary"))

    assert second.get("/widget.js").headers["last-modified"] != got["last-modified"]
    assert second.get("/widget.js").headers["etag"] == etag
    assert second.get("/widget.js", headers={"If-None-Match": etag}).status_code == 304


def test_hashed_files_are_immutable(client: TestClient) -> None:
    assets = assets_of(client)
    for path in (assets.widget, assets.stylesheet):
        response = client.get(f"/{path}")
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content == assets.files[path]


@pytest.mark.parametrize("path", ["/widget.js", "/api/v1/terms.json"])
def test_widget_and_api_files_are_readable_from_any_origin(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://partner.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("br", "br", brotli.decompress), ("gzip", "gzip", None), ("identity", None, None)],
)
def test_encoding_follows_accept_encoding(client: TestClient, accept, encoding, decode) -> None:  # type: ignore[no-untyped-def]
    widget = assets_of(client).files["widget.js"]
    # httpx decodes gzip itself; read the raw stream to see what was sent.
    with client.stream("GET", "/widget.js", headers={"Accept-Encoding": accept}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers.get("content-encoding") == encoding
        assert "Accept-Encoding" in response.headers.get("vary", "")
    if encoding == "br":
        assert brotli.decompress(raw) == widget
    elif encoding == "gzip":
        import gzip

        assert gzip.decompress(raw) == widget
    else:
        assert raw == widget


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0, br;q=0", None),
        ("br; q=0.0, gzip;q=0.5", "gzip"),
        ("br;Q=0, gzip", "gzip"),
    ],
)
def test_refused_encodings_are_not_sent(client: TestClient, accept: str, encoding: str | None) -> None:
    with client.stream("GET", "/widget.js", headers={"Accept-Encoding": accept}) as response:
        assert response.headers.get("content-encoding") == encoding


def test_unknown_static_file_is_404(client: TestClient) -> None:
    assert client.get("/static/widget.000000000000.js").status_code == 404


def open_pinned(page: Page, server: LiveServer, integrity_value: str) -> None:
    """A partner page that loads the pinned widget with `integrity_value` as its SRI hash."""
    src = f"{server.url}/{server.app.state.site.assets.widget}"  # type: ignore[attr-defined]
    page.route(
        f"{server.url}/sri.html",
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!doctype html><html lang=en><body><article><p>The premium went up.</p></article>"
                f'<script src="{src}" integrity="{integrity_value}" crossorigin="anonymous" defer>'
                "</script></body></html>"
            ),
        ),
    )
    page.goto(f"{server.url}/sri.html")
    page.wait_for_load_state("load")


def test_pinned_tag_with_integrity_loads(page: Page, fixture_server: LiveServer) -> None:
    assets = fixture_server.app.state.site.assets  # type: ignore[attr-defined]
    open_pinned(page, fixture_server, integrity(assets.files[assets.widget]))
    page.wait_for_selector("glossary-term[data-glossary-term=premium]")
    assert page.evaluate("GlossaryWidget.version") == "0.1.0"


def test_pinned_tag_with_a_wrong_hash_is_refused(page: Page, fixture_server: LiveServer) -> None:
    open_pinned(page, fixture_server, integrity(b"something else"))
    assert page.evaluate("typeof GlossaryWidget") == "undefined"
    assert page.locator("glossary-term").count() == 0


def test_widget_is_served_below_a_mount_point(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Mounted under a prefix, as an app inside another: the files keep their URLs below it."""
    glossary = create_app(FIXTURES / "glossary")
    client = TestClient(Starlette(routes=[Mount("/glossary-widget", app=glossary)]))

    widget = client.get("/glossary-widget/widget.js")
    api = client.get("/glossary-widget/api/v1/terms.json")

    assert widget.status_code == api.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")


@pytest.fixture(scope="module")
def examples_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The server with a folder of example pages, as `make run` starts it."""
    examples = tmp_path_factory.mktemp("examples")
    (examples / "index.html").write_text("<p>the examples</p>", encoding="utf-8")
    (examples / "page.html").write_text("<p>a page</p>", encoding="utf-8")
    (examples / "folder").mkdir()
    (examples / "folder" / "index.html").write_text("<p>a folder</p>", encoding="utf-8")
    app = create_app(FIXTURES / "glossary", examples_dir=examples)
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "location", "target"),
    [
        ("/examples/index.html", "./", "/examples/"),
        ("/examples/folder/index.html", "./", "/examples/folder/"),
        ("/examples/folder", "folder/", "/examples/folder/"),
    ],
)
def test_an_index_file_redirects_to_its_folder(
    examples_client: TestClient, method: str, path: str, location: str, target: str
) -> None:
    """WhiteNoise answers `x/index.html` with a redirect to `x/` (which was a 500)."""
    response = examples_client.request(method, path)

    assert response.status_code == 302
    assert response.headers["location"] == location
    followed = examples_client.get(response.url.join(location))
    assert followed.url.path == target
    assert followed.status_code == 200 and followed.text.startswith("<p>")


EXAMPLE_PATHS = ["/examples/index.html", "/examples/folder", "/examples/page.html", "/examples/nothing.html"]
# The widget's files also answer a CORS preflight (OPTIONS); the example pages do not.
CROSS_ORIGIN_PATHS = ["/widget.js", "/static/nothing.js"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *((method, path) for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS") for path in EXAMPLE_PATHS),
        *((method, path) for method in ("POST", "PUT", "DELETE", "PATCH") for path in CROSS_ORIGIN_PATHS),
    ],
)
def test_static_paths_answer_other_methods_with_json_405(examples_client: TestClient, method: str, path: str) -> None:
    response = examples_client.request(method, path, content=b"x")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert "GET" in response.json()["error"]
    allowed = {"GET", "HEAD", "OPTIONS"} if path in CROSS_ORIGIN_PATHS else {"GET", "HEAD"}
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize("path", ["/widget.js", "{pinned}", "/api/v1/terms.json", "/api/v1/index/finance.json"])
def test_a_get_with_headers_of_the_pages_own_passes_its_preflight(client: TestClient, path: str) -> None:
    """A partner's fetch wrapper or tracing library adds headers (X-Requested-With,
    traceparent) that make a cross-origin GET wait for a preflight: it must get a 2xx that
    allows the method and the headers, or the browser never sends the GET."""
    path = path.format(pinned="/" + assets_of(client).widget)
    asked = {
        "Origin": "https://partner.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-requested-with, traceparent",
    }
    response = client.options(path, headers=asked)

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "*"


def test_a_range_past_the_end_is_416_json(client: TestClient) -> None:
    size = len(client.get("/widget.js", headers={"Accept-Encoding": "identity"}).content)

    response = client.get("/widget.js", headers={"Accept-Encoding": "identity", "Range": f"bytes={size + 10}-"})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.headers["content-type"] == "application/json"
    assert "range" in response.json()["error"]
