"""examples/deploy/nginx-proxy.conf in front of a live `serve`: answers pass through as the
server made them, each header once; what is over its limits is refused as the server would."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest
from conftest import FIXTURES, ROOT

from tests.support.nginx import running_nginx
from tests.support.server import LiveServer
from widget_server.app import create_app
from widget_server.protocol import GlossaryHttpProtocol

PROXY_CONF = ROOT / "examples" / "deploy" / "nginx-proxy.conf"
# Headers a proxy may set or change on its own: the rest must arrive exactly as the server sent them.
HOP_BY_HOP = {"server", "date", "connection", "keep-alive", "transfer-encoding"}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    """(nginx, the server behind it), each as (host, port)."""
    app = create_app(FIXTURES / "glossary", state_dir=tmp_path_factory.mktemp("state"))
    with LiveServer(app, http=GlossaryHttpProtocol) as server:  # as `serve` runs it
        conf = PROXY_CONF.read_text().replace("http://127.0.0.1:8000", server.url)
        with running_nginx(conf, tmp_path_factory.mktemp("nginx-proxy")) as nginx:
            yield nginx, ("127.0.0.1", server.port)


def ask(
    address: tuple[str, int], method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection(*address, timeout=30)
    connection.request(method, path, body=body, headers={"Accept-Encoding": "br", **(headers or {})})
    answer = connection.getresponse()
    result = answer.status, answer.getheaders(), answer.read()
    connection.close()
    return result


def end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((name.lower(), value) for name, value in headers if name.lower() not in HOP_BY_HOP)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/widget.js", {}),
        ("GET", "/api/v1/terms.json", {}),
        ("GET", "/api/v1/terms/nope.json", {}),
        (
            "OPTIONS",
            "/api/v1/index.json",
            {"Origin": "https://partner.example", "Access-Control-Request-Method": "GET"},
        ),
        ("OPTIONS", "/api/v1/feedback", {"Origin": "https://partner.example", "Access-Control-Request-Method": "POST"}),
        ("GET", "/glossary/", {}),
        ("GET", "/snippets/premium.html", {}),
        ("GET", "/nope", {}),
    ],
)
def test_answers_pass_through_with_each_header_once(
    proxied: tuple[tuple[str, int], tuple[str, int]], method: str, path: str, headers: dict[str, str]
) -> None:
    nginx, server = proxied
    through = ask(nginx, method, path, headers=headers)
    direct = ask(server, method, path, headers=headers)

    assert through[0] == direct[0]
    assert end_to_end(through[1]) == end_to_end(direct[1])
    assert through[2] == direct[2]
    names = [name.lower() for name, _ in through[1]]
    assert len(names) == len(set(names)), names


def test_bodies_are_refused_at_the_servers_limits_with_json(proxied: tuple[tuple[str, int], tuple[str, int]]) -> None:
    """nginx refuses a body over the server's limit for its path, as the server would: JSON with
    CORS headers, which a partner's script can read (nginx's own page is HTML without them)."""
    nginx, _ = proxied
    article = b"<p>The premium.</p>" * 30_000  # 570 KB: under annotate's 1 MB
    status, _, body = ask(nginx, "POST", "/api/v1/annotate", article, {"Content-Type": "text/html"})
    assert status == 200 and b"<sup>" in body

    for path, size in (("/api/v1/annotate", 1_100_000), ("/api/v1/feedback", 3_000), ("/api/v1/terms.json", 70_000)):
        status, headers, body = ask(nginx, "POST", path, b"x" * size, {"Content-Type": "text/plain"})
        assert status == 413
        assert {name.lower(): value for name, value in headers}["access-control-allow-origin"] == "*"
        assert "error" in json.loads(body)
    # The request line and headers: on to the server, for its own answers.
    status, _, body = ask(nginx, "GET", "/api/v1/terms/" + "x" * 9_000 + ".json")
    assert status == 414 and "error" in json.loads(body)
    assert ask(nginx, "GET", "/api/v1/terms.json", headers={"X-Big": "x" * 20_000})[0] == 200
    status, _, body = ask(nginx, "GET", "/api/v1/terms.json", headers={"X-Big": "x" * 40_000})
    assert status == 431 and "error" in json.loads(body)


def test_a_body_within_the_limit_gets_the_servers_answer_not_a_bad_gateway(
    proxied: tuple[tuple[str, int], tuple[str, int]],
) -> None:
    """The server answers some requests without their body (a 405, a 415): it reads the body to
    its end first, or nginx, still sending it, would answer 502 in place of the answer."""
    nginx, _ = proxied
    for _ in range(5):
        for path, size, status in (("/api/v1/terms.json", 60_000, 405), ("/api/v1/annotate", 1_000_000, 415)):
            answer = ask(nginx, "POST", path, b"x" * size, {"Content-Type": "text/plain"})
            assert answer[0] == status, answer[2][:200]
