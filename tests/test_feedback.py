"""The write path, against both stores: POST api/v1/feedback and api/v1/events, every status of
the API, what is stored and what is not, migrations, group commit, stats and /admin/."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from starlette.testclient import TestClient

from tests.support.server import http_scope
from widget_server.app import create_app
from widget_server.build import build_site
from widget_server.cli import main
from widget_server.clients import POSTS_PER_MINUTE
from widget_server.origin import NO_ORIGIN
from widget_server.stats import since_day
from widget_server.store import MIGRATIONS, Store, StoreError, Write, open_store, today

GLOSSARY = FIXTURES / "glossary"
PARTNER = "https://news.example.org"
VOTE = {"term": "premium", "helpful": True}
PASSWORD = "correct horse"


@pytest.fixture
def store(store_settings: dict[str, Any]) -> Iterator[Store]:
    """A second handle on the app's store, to see what was written."""
    handle = open_store(**store_settings)
    yield handle
    handle.close()


@pytest.fixture
def client(store_settings: dict[str, Any], tmp_path: Path, store: Store) -> Iterator[TestClient]:
    app = create_app(GLOSSARY, admin_password=PASSWORD, **store_settings)
    with TestClient(app, headers={"Origin": PARTNER, "User-Agent": "reader"}) as test_client:
        yield test_client


def post(client: TestClient, body: Any, path: str = "api/v1/feedback", **headers: str) -> httpx.Response:
    content = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
    return client.post(f"/{path}", content=content, headers={"Content-Type": "text/plain", **headers})


def counts(store: Store) -> list[tuple[Any, ...]]:
    return [
        tuple(int(v) if isinstance(v, int) else v for v in row)
        for row in store.query(
            "SELECT day, site, term, opens, helpful_yes, helpful_no FROM term_day ORDER BY site, term"
        )
    ]


def comments(store: Store) -> list[tuple[Any, ...]]:
    return store.query("SELECT day, site, term, text FROM comment ORDER BY id")


def test_a_vote_and_an_open_are_counted_per_day_site_and_term(client: TestClient, store: Store) -> None:
    yes = post(client, VOTE)
    opened = post(client, {"event": "open", "term": "premium"}, "api/v1/events")
    no = post(client, {"term": "data-broker", "helpful": False}, **{"User-Agent": "another reader"})

    assert (yes.status_code, opened.status_code, no.status_code) == (204, 204, 204)
    assert yes.content == b"" and yes.headers["access-control-allow-origin"] == "*"
    assert yes.headers["cache-control"] == "no-store"
    assert counts(store) == [
        (today(), PARTNER, "data-broker", 0, 0, 1),
        (today(), PARTNER, "premium", 1, 1, 0),
    ]
    assert comments(store) == []


def test_a_comment_is_kept_as_one_line_of_text_with_its_term_site_and_day(client: TestClient, store: Store) -> None:
    assert post(client, {"term": "premium", "helpful": False}).status_code == 204
    # The page's second post (the comment after "No") adds the text, not a second vote.
    answer = post(client, {"term": "premium", "comment": "  Which\nfees?\t<b>x</b> "})

    assert answer.status_code == 204
    assert counts(store) == [(today(), PARTNER, "premium", 0, 0, 1)]
    assert comments(store) == [(today(), PARTNER, "premium", "Which fees? <b>x</b>")]


def test_a_comment_alone_counts_no_vote_whoever_sent_the_vote(client: TestClient, store: Store) -> None:
    """The comment need not reach the process that counted its "No" (serve --workers): it
    never counts one. A vote sent again with a comment counts in a process that has not seen
    it, as any vote does."""
    post(client, {"term": "premium", "helpful": False})
    post(client, {"term": "premium", "comment": "What fees?"}, **{"User-Agent": "a reader this process has not seen"})
    post(client, {"term": "premium", "helpful": False, "comment": "And which?"}, **{"User-Agent": "a third reader"})

    assert counts(store) == [(today(), PARTNER, "premium", 0, 0, 2)]
    assert sorted(text for *_, text in comments(store)) == ["And which?", "What fees?"]


def test_a_reader_counts_once_per_term_and_day(client: TestClient, store: Store) -> None:
    for _ in range(3):
        assert post(client, VOTE).status_code == 204
    assert post(client, {**VOTE, "helpful": False}).status_code == 204

    assert counts(store) == [(today(), PARTNER, "premium", 0, 1, 0)]


@pytest.mark.parametrize(
    ("origin", "site"),
    [
        ("https://News.Example.org:443", PARTNER),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://[::1]:80", "http://[::1]"),
        ("https://news.example.org/politics/story?id=7#x", PARTNER),  # no path or query is kept
        ("null", NO_ORIGIN),
        (None, NO_ORIGIN),
        ("https://my_app.example.com", "https://my_app.example.com"),  # `_` is in some hosts' names
        ("capacitor://localhost", NO_ORIGIN),  # an app's web view: a reader, but no web site
        ("chrome-extension://abcdefghijklmnop", NO_ORIGIN),
    ],
)
def test_the_site_is_the_origin_reduced_to_scheme_host_and_port(
    client: TestClient, store: Store, origin: str | None, site: str
) -> None:
    headers = {"Origin": origin} if origin else {}
    if origin is None:
        client.headers.pop("Origin")

    assert post(client, VOTE, **headers).status_code == 204
    assert counts(store)[0][1] == site


def test_a_body_with_a_byte_order_mark_is_read(client: TestClient, store: Store) -> None:
    """RFC 8259 lets a parser ignore a UTF-8 byte order mark, which some tools write."""
    assert post(client, "\ufeff" + json.dumps(VOTE)).status_code == 204
    assert len(counts(store)) == 1


BAD_INPUT = [
    ("over 2 KB", json.dumps({**VOTE, "comment": "x" * 2100}), {}, 413, "over 2048 bytes"),
    # Refused by the body limit, before the endpoint reads it, with the endpoint's own limit.
    ("over 64 KiB", json.dumps({**VOTE, "comment": "x" * 70_000}), {}, 413, "the body is over 2048 bytes"),
    ("not JSON", "helpful=yes", {}, 400, "not JSON"),
    ("not UTF-8", b'{"term": "\xff"}', {}, 400, "not JSON"),
    ("a JSON list", "[1, 2]", {}, 400, "not a JSON object"),
    ("empty", "", {}, 400, "not JSON"),
    ("nested too deep", "[" * 2000, {}, 400, "not JSON"),
    ("a number", "1e999999", {}, 400, "not a JSON object"),
    ("no term", {"helpful": True}, {}, 400, "term: missing"),
    ("term not a string", {"term": 7, "helpful": True}, {}, 400, "term: must be a string"),
    ("no helpful", {"term": "premium"}, {}, 400, "helpful: missing"),
    ("no helpful, an empty comment", {"term": "premium", "comment": " \n "}, {}, 400, "helpful: missing"),
    ("helpful a string", {"term": "premium", "helpful": "yes"}, {}, 400, "helpful: must be a boolean"),
    ("helpful a number", {"term": "premium", "helpful": 1}, {}, 400, "helpful: must be a boolean"),
    ("comment not a string", {**VOTE, "comment": ["x"]}, {}, 400, "comment: must be a string"),
    ("comment too long", {**VOTE, "comment": "é" * 501}, {}, 400, "comment: at most 500"),
    (
        "comment a lone surrogate",
        '{"term": "premium", "helpful": false, "comment": "\\ud800"}',
        {},
        400,
        "comment: not valid",
    ),
    ("unknown term", {"term": "no-such-term", "helpful": True}, {}, 404, "unknown term"),
    ("garbage Origin", VOTE, {"Origin": "https://exa mple.org"}, 400, "Origin"),
    ("Origin of another scheme", VOTE, {"Origin": "javascript:alert(1)"}, 400, "Origin"),
    ("Origin with a password", VOTE, {"Origin": "https://a:b@example.org"}, 400, "Origin"),
    # An IPv6 zone (any text after `%`) and an IPvFuture literal are no browser's Origin.
    ("Origin with an IPv6 zone", VOTE, {"Origin": "http://[fe80::1%<b>x</b>]"}, 400, "Origin"),
    ("Origin with an IPvFuture literal", VOTE, {"Origin": "http://[v1.x]"}, 400, "Origin"),
    ("NaN, not JSON", '{"term": "premium", "helpful": true, "x": NaN}', {}, 400, "not JSON"),
    ("Infinity, not JSON", '{"term": "premium", "helpful": true, "x": -Infinity}', {}, 400, "not JSON"),
    ("bad Content-Length", VOTE, {"Content-Length": "-1"}, 400, "Content-Length"),
    # More digits than Python reads as an integer.
    ("Content-Length of 5,000 digits", VOTE, {"Content-Length": "9" * 5000}, 413, "over 2048 bytes"),
]


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_gets_a_json_4xx_and_stores_nothing(
    client: TestClient, store: Store, body: Any, headers: dict[str, str], status: int, message: str
) -> None:
    answer = post(client, body, **headers)

    assert answer.status_code == status
    assert message in answer.json()["error"]
    assert answer.headers["access-control-allow-origin"] == "*"
    assert counts(store) == [] and comments(store) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"term": "premium"}, "event: missing"),
        ({"event": "click", "term": "premium"}, "event: must be one of open"),
        ({"event": "open"}, "term: missing"),
        ({"event": "open", "term": "nope"}, "unknown term"),
    ],
)
def test_bad_events_get_a_json_4xx_and_store_nothing(client: TestClient, store: Store, body: Any, message: str) -> None:
    answer = post(client, body, "api/v1/events")

    assert 400 <= answer.status_code < 500 and message in answer.json()["error"]
    assert counts(store) == []


def test_a_chunked_body_is_refused_once_it_passes_2_kb(client: TestClient, store: Store) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the body is counted as it streams
        for _ in range(100):
            yield b" " * 1024

    answer = client.post("/api/v1/feedback", content=chunks())

    assert answer.status_code == 413
    assert counts(store) == []


def test_a_client_gone_before_its_body_ended_gets_a_400_not_an_error(client: TestClient, store: Store) -> None:
    """The server tells the app that the client went away (`http.disconnect`) in the middle of a
    body: the app answers a 400 nobody reads, rather than raising (a traceback in the log)."""
    received = iter([{"type": "http.request", "body": b'{"ev', "more_body": True}, {"type": "http.disconnect"}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(received)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"testserver"), (b"origin", PARTNER.encode()), (b"content-length", b"100")]
    scope = http_scope("POST", b"/api/v1/events", headers)
    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)

    assert sent[0]["status"] == 400
    assert b"went away" in b"".join(m.get("body", b"") for m in sent)
    assert counts(store) == []


def test_past_30_posts_a_minute_a_client_gets_429_with_retry_after(client: TestClient, store: Store) -> None:
    for _ in range(POSTS_PER_MINUTE):
        assert post(client, {"event": "open", "term": "premium"}, "api/v1/events").status_code == 204

    refused = post(client, VOTE)
    other_reader = post(client, VOTE, **{"User-Agent": "someone else"})

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Not a CORS-safelisted header: the widget on a partner's page can read it only if exposed.
    assert refused.headers["access-control-expose-headers"] == "Retry-After"
    assert "30 posts a minute" in refused.json()["error"]
    assert other_reader.status_code == 204
    assert counts(store) == [(today(), PARTNER, "premium", POSTS_PER_MINUTE, 1, 0)]


@pytest.mark.parametrize("path", ["api/v1/feedback", "api/v1/events"])
def test_a_preflight_is_answered_for_clients_that_send_one(client: TestClient, path: str) -> None:
    answer = client.options(
        f"/{path}",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert answer.headers["access-control-allow-headers"].lower() == "content-type"


def test_the_read_api_stays_read_only_around_the_write_endpoints(client: TestClient) -> None:
    assert client.post("/api/v1/terms.json").status_code == 405


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_other_methods_on_a_write_endpoint_get_a_405_naming_both_of_its_methods(
    client: TestClient, method: str
) -> None:
    # Found by schemathesis: a GET was the read API's 404, and a PUT's Allow said POST alone.
    refused = client.request(method, "/api/v1/events")

    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"POST", "OPTIONS"}


def test_concurrent_writes_are_committed_in_batches_and_all_counted(
    store_settings: dict[str, Any], tmp_path: Path, store: Store
) -> None:
    app = create_app(GLOSSARY, **store_settings)
    commits = []

    async def posts() -> list[int]:
        async with app.router.lifespan_context(app):
            writer_store = app.state.writer.store
            apply = writer_store.apply
            writer_store.apply = lambda writes: (commits.append(len(writes)), apply(writes))[1]
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                answers = await asyncio.gather(
                    *(
                        http.post(
                            "/api/v1/events",
                            content='{"event":"open","term":"premium"}',
                            headers={"User-Agent": f"reader {n}", "Origin": PARTNER},
                        )
                        for n in range(300)
                    )
                )
        return [answer.status_code for answer in answers]

    # In a thread of its own: Playwright's sync API leaves an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        statuses = thread.submit(asyncio.run, posts()).result()

    assert statuses == [204] * 300
    assert counts(store) == [(today(), PARTNER, "premium", 300, 0, 0)]
    assert sum(commits) == 300 and len(commits) < 300 / 2  # group commit: far fewer commits


def test_migrations_are_recorded_and_run_once(store: Store, store_settings: dict[str, Any]) -> None:
    assert store.query("SELECT version FROM glossary_schema") == [(1,)]
    again = open_store(**store_settings)  # a second process starting on the same store
    again.close()
    assert store.query("SELECT version FROM glossary_schema") == [(len(MIGRATIONS),)]


def test_a_store_with_a_newer_schema_is_refused_by_name(store: Store, store_settings: dict[str, Any]) -> None:
    with store.transaction() as cursor:
        cursor.execute(store.sql("INSERT INTO glossary_schema (version, applied) VALUES (?, ?)"), (99, "later"))

    with pytest.raises(StoreError, match="schema version 99, newer than"):
        open_store(**store_settings)


def test_the_migrate_command_creates_the_tables(store_settings: dict[str, Any], tmp_path: Path) -> None:
    options = (
        ["--database-url", store_settings["database_url"]]
        if store_settings["database_url"]
        else ["--state", str(tmp_path / "new-state")]
    )
    result = CliRunner().invoke(main, ["migrate", "--data", str(GLOSSARY), *options])

    assert result.exit_code == 0, result.output
    assert "schema version 1" in result.output and "password" not in result.output


def test_migrate_beside_a_glossary_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    """A mistyped --data would otherwise get a new, empty store beside it."""
    result = CliRunner().invoke(main, ["migrate", "--data", str(tmp_path / "glosary_data")])

    assert result.exit_code == 2
    assert f"no glossary folder at {tmp_path / 'glosary_data'}" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["serve", "migrate", "stats"])
@pytest.mark.parametrize("url_from", ["option", "environment"])
def test_a_state_folder_and_a_database_url_together_are_refused(command: str, url_from: str, tmp_path: Path) -> None:
    """One of the two would be ignored: a report or a migration would read another store."""
    url = "postgresql://glossary@127.0.0.1:1/glossary"
    options = ["--data", str(GLOSSARY), "--state", str(tmp_path / "state")]
    env = {"GLOSSARY_DATABASE_URL": url} if url_from == "environment" else {}
    if url_from == "option":
        options += ["--database-url", url]

    result = CliRunner().invoke(main, [command, *options], env=env)

    assert result.exit_code == 2
    assert "--state and --database-url (or GLOSSARY_DATABASE_URL) name two stores: give one" in result.output
    assert not (tmp_path / "state").exists()


def test_stats_lists_the_terms_that_need_a_rewrite_first(
    client: TestClient, store: Store, store_settings: dict[str, Any]
) -> None:
    store.apply(
        [
            Write(today(), PARTNER, "data-broker", opens=40, helpful_yes=9),
            Write(today(), PARTNER, "premium", opens=30, helpful_yes=1, helpful_no=3, comment="What fees?"),
            Write(today(), "https://other.example", "premium", opens=5),
        ]
    )
    options = (
        ["--database-url", store_settings["database_url"]]
        if store_settings["database_url"]
        else ["--state", str(store_settings["state_dir"])]
    )

    def stats(*arguments: str) -> str:
        result = CliRunner().invoke(main, ["stats", "--data", str(GLOSSARY), *options, *arguments])
        assert result.exit_code == 0, result.output
        return result.output

    table = stats()
    as_json = json.loads(stats("--format", "json"))
    one_site = json.loads(stats("--format", "json", "--site", "https://OTHER.example:443"))
    csv_lines = stats("--format", "csv", "--term", "premium").splitlines()

    assert table.index("premium ") < table.index("data-broker ")
    assert "What fees?" in table
    assert [(t["term"], t["opens"], t["helpful_yes"], t["helpful_no"]) for t in as_json["terms"]] == [
        ("premium", 35, 1, 3),
        ("data-broker", 40, 9, 0),
    ]
    assert as_json["terms"][0]["helpful_share"] == 0.25
    assert as_json["comments"] == [{"day": today(), "site": PARTNER, "term": "premium", "text": "What fees?"}]
    assert [t["opens"] for t in one_site["terms"]] == [5]
    assert csv_lines[0] == "term,site,opens,helpful_yes,helpful_no,helpful_share"
    assert sorted(csv_lines[1:]) == [f"premium,{PARTNER},30,1,3,0.2500", "premium,https://other.example,5,0,0,"]


@pytest.mark.parametrize(
    ("since", "first"), [("1d", "2026-12-07"), ("30d", "2026-11-08"), ("99999999999d", "0001-01-01")]
)
def test_since_counts_days_back_and_no_further_than_the_calendar(since: str, first: str) -> None:
    assert since_day(since, datetime.date(2026, 12, 7)) == first


def test_stats_refuses_a_malformed_period_or_site() -> None:
    result = CliRunner().invoke(main, ["stats", "--since", "a month"])
    assert result.exit_code == 2 and "--since" in result.output

    result = CliRunner().invoke(main, ["stats", "--site", "news.example.org"])
    assert result.exit_code == 2
    assert "'news.example.org' is not a site's origin, such as https://" in result.output


def test_stats_on_a_folder_with_no_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    """A mistyped --state is an error naming the file, not an empty report and a new store."""
    result = CliRunner().invoke(main, ["stats", "--data", str(GLOSSARY), "--state", str(tmp_path / "typo")])

    assert result.exit_code == 1
    assert f"no feedback store at {tmp_path / 'typo' / 'feedback.sqlite3'}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_admin_asks_for_the_password_and_is_never_cached(client: TestClient) -> None:
    for auth in [None, ("admin", "wrong"), ("root", PASSWORD), ("admin", PASSWORD + "x")]:
        answer = client.get("/admin/", auth=auth)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Basic realm=")
        assert answer.headers["cache-control"] == "no-store"
    assert client.get("/admin/", headers={"Authorization": "Basic !!!"}).status_code == 401
    # Not ASCII: base64 refuses it with a ValueError of its own.
    assert client.get("/admin/", headers={"Authorization": "Basic caf\xe9".encode("latin-1")}).status_code == 401


def test_admin_shows_the_report_with_a_chart_and_escaped_comments(client: TestClient) -> None:
    post(client, {"term": "premium", "helpful": False, "comment": "<script>alert(1)</script>"})
    post(client, {"event": "open", "term": "premium"}, "api/v1/events")

    page = client.get("/admin/", auth=("admin", PASSWORD))

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "<svg" in page.text and 'fill="url(#hatch)"' in page.text
    assert f"<title>{today()}: 1 open</title>" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert f'<td class="site">{PARTNER}</td><td>1</td><td>0</td><td>1</td><td>0%</td>' in page.text


def test_admin_typed_without_its_slash_leads_to_it(client: TestClient) -> None:
    answer = client.get("/admin", follow_redirects=False)

    assert (answer.status_code, answer.headers["location"]) == (301, "admin/")
    assert client.get("/admin", auth=("admin", PASSWORD)).url.path == "/admin/"


def test_without_a_password_admin_is_the_pages_404(store_settings: dict[str, Any], tmp_path: Path) -> None:
    app = create_app(GLOSSARY, **store_settings)
    with TestClient(app) as client:
        assert client.get("/admin/", auth=("admin", "")).status_code == 404
        assert client.get("/admin", follow_redirects=False).status_code == 404


def test_entry_pages_have_the_feedback_block_only_with_a_store(client: TestClient, tmp_path: Path) -> None:
    with_store = client.get("/glossary/premium/").text
    app = create_app(GLOSSARY)
    without = TestClient(app).get("/glossary/premium/").text

    assert 'data-endpoint="../../api/v1/feedback"' in with_store and 'data-term="premium"' in with_store
    assert "Was this helpful?" in with_store and "Was this helpful?" not in without
    assert "static/feedback." not in without
    assert TestClient(app).post("/api/v1/feedback", content=json.dumps(VOTE)).status_code == 405


def test_an_export_without_feedback_url_has_no_feedback_block(tmp_path: Path) -> None:
    build_site(GLOSSARY, tmp_path / "site")

    page = (tmp_path / "site" / "glossary" / "premium" / "index.html").read_text()
    assert "Was this helpful?" not in page and "static/feedback." not in page


def test_build_refuses_a_feedback_url_that_is_not_http(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["build", "--data", str(GLOSSARY), "--out", str(tmp_path / "site"), "--feedback-url", "glossary.example.org"],
    )

    assert result.exit_code == 1 and "--feedback-url" in result.output
    assert not (tmp_path / "site").exists()


def test_build_with_a_feedback_url_says_what_the_pages_policy_must_allow(tmp_path: Path) -> None:
    """The export cannot send its headers: the host does, and its policy for the pages must let
    them post to the feedback server. The note says so; manifest.json has the headers."""
    site = tmp_path / "site"
    arguments = ["build", "--data", str(GLOSSARY), "--out", str(site)]
    result = CliRunner().invoke(main, [*arguments, "--feedback-url", "https://Feedback.example.org:443/glossary/"])

    assert result.exit_code == 0, result.output
    assert "connect-src 'self' https://feedback.example.org)" in result.output
    policy = json.loads((site / "manifest.json").read_text())["page_headers"]["Content-Security-Policy"]
    assert "; connect-src 'self' https://feedback.example.org; " in policy
    without = CliRunner().invoke(main, [*arguments])
    assert "note:" not in without.output
    assert (
        "; connect-src 'self'; "
        in json.loads((site / "manifest.json").read_text())["page_headers"]["Content-Security-Policy"]
    )
