"""The Starlette application: routes, endpoints and error answers over the live snapshot."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from widget_server.admin import ADMIN_PATH, admin_page
from widget_server.annotating import AnnotateEndpoint
from widget_server.api import (
    ANNOTATE_PATH,
    EVENTS_PATH,
    FEEDBACK_PATH,
    MAX_ANNOTATE_BODY,
    MAX_WRITE_BODY,
    READ_PREFLIGHT,
)
from widget_server.assets import build_assets
from widget_server.clients import ClientKeys
from widget_server.errors import json_error
from widget_server.feedback import FeedbackEndpoints
from widget_server.headers import etag_matches
from widget_server.limits import BodyLimit
from widget_server.memoryfiles import MemoryFiles
from widget_server.model import Glossary
from widget_server.negotiation import CODINGS, coded_headers, not_modified, preferred_coding, read_headers
from widget_server.pinned import kept_files
from widget_server.snapshot import LiveSite, Resource, Snapshot, copies_of
from widget_server.staticfiles import example_pages
from widget_server.store import open_store
from widget_server.writer import BatchWriter

NOT_FOUND_PAGE = "404.html"
# How `serve --workers N` hands its settings to the worker processes it starts.
SETTINGS_VARIABLE = "GLOSSARY_WIDGET_SETTINGS"
READ_METHODS = ["GET", "HEAD"]
CROSS_ORIGIN_READ_METHODS = [*READ_METHODS, "OPTIONS"]  # the API's and the widget's files
WRITE_METHODS = ["POST", "OPTIONS"]
# The body limits of the endpoints that take one (limits.py's own is for every other path).
BODY_LIMITS = {
    f"/{ANNOTATE_PATH}": MAX_ANNOTATE_BODY,
    f"/{FEEDBACK_PATH}": MAX_WRITE_BODY,
    f"/{EVENTS_PATH}": MAX_WRITE_BODY,
}
METHOD_ORDER = [*READ_METHODS, *WRITE_METHODS]


def create_app(
    data_dir: Path,
    *,
    base_url: str = "",
    reload: bool = False,
    examples_dir: Path | None = None,
    state_dir: Path | None = None,
    database_url: str | None = None,
    admin_password: str | None = None,
) -> Starlette:
    """Build the app for the glossary in `data_dir`; raises GlossaryInvalid if it is not valid.

    The widget, the stylesheet and our pages' scripts are built at start and served from
    memory (memoryfiles.py); a `state_dir` also keeps them for later starts, with those of earlier
    starts (pinned.py). With a `state_dir` (SQLite) or a `database_url` (PostgreSQL) the app takes
    readers' feedback and the store is migrated here, at start (raises StoreError if it cannot
    be opened); `admin_password` then also serves /admin/.
    """
    assets = build_assets()
    store = open_store(state_dir, database_url) if state_dir or database_url else None
    site = LiveSite(data_dir, assets, base_url, feedback_url="" if store else None)

    def not_found() -> Response:
        return _not_found_page(site.snapshot)

    # With a state folder, the hashed files of earlier starts too, for the pinned tags (pinned.py).
    static = MemoryFiles({**assets.files, **(kept_files(state_dir, assets.files) if state_dir else {})}, not_found)

    writer = BatchWriter(store) if store else None
    routes = [
        Route("/healthz", _healthz(site)),
        *(feedback_routes(site, writer, admin_password) if writer else []),
        *annotate_routes(site),
        Route("/api/{path:path}", _api(site, writes=writer is not None), methods=CROSS_ORIGIN_READ_METHODS),
        Route("/widget.js", static, methods=CROSS_ORIGIN_READ_METHODS),
        Route("/static/{path:path}", static, methods=CROSS_ORIGIN_READ_METHODS),
    ]
    if examples_dir is not None:
        examples = example_pages(examples_dir, not_found)
        routes.append(Route("/examples/{path:path}", examples, methods=READ_METHODS))
    routes.append(Route("/{path:path}", _pages(site), methods=READ_METHODS))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with _background(site.watch() if reload else None), _running(writer):
            yield

    app = Starlette(
        routes=routes,
        middleware=[Middleware(BodyLimit, limits=BODY_LIMITS)],
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error(site)},
    )
    # Every path has a route (the last is a catch-all), except one with a line break, which `.`
    # in the routes' patterns does not match: a miss, not the redirect Starlette would try. The
    # patterns end in `$`, which matches before a final line break too (/widget.js%0A would be
    # the widget): `\Z` ends them at the end of the path.
    app.router.redirect_slashes = False
    for route in routes:
        route.path_regex = re.compile(route.path_regex.pattern.removesuffix("$") + r"\Z")
    app.state.site = site
    app.state.writer = writer
    return app


def create_app_from_environment() -> Starlette:
    """The app factory uvicorn's worker processes call, with the settings `serve` was given."""
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    return create_app(
        Path(settings["data_dir"]),
        base_url=settings["base_url"],
        reload=settings["reload"],
        examples_dir=Path(settings["examples_dir"]) if settings["examples_dir"] else None,
        state_dir=Path(settings["state_dir"]) if settings["state_dir"] else None,
        database_url=settings["database_url"],
        admin_password=settings["admin_password"],
    )


def feedback_routes(site: LiveSite, writer: BatchWriter, admin_password: str | None) -> list[Route]:
    """The write endpoints, and /admin/ when a password is set (else it is the pages' 404)."""
    endpoints = FeedbackEndpoints(site, writer, ClientKeys())
    # One route a path, so that a 405 there lists both of its methods in `Allow`.
    routes = [
        Route(f"/{path}", _or_preflight(endpoint, endpoints.preflight), methods=WRITE_METHODS)
        for path, endpoint in ((FEEDBACK_PATH, endpoints.feedback), (EVENTS_PATH, endpoints.events))
    ]
    if admin_password:
        routes.append(Route(ADMIN_PATH, admin_page(writer.store, site, admin_password)))
        # Typed without its slash, as addresses are: relative, as the pages' redirects.
        routes.append(Route(ADMIN_PATH.rstrip("/"), _redirect_to_folder("admin/")))
    return routes


def _redirect_to_folder(location: str) -> Callable[[Request], Awaitable[Response]]:
    async def redirect(request: Request) -> Response:
        return RedirectResponse(location, status_code=301)

    return redirect


def annotate_routes(site: LiveSite) -> list[Route]:
    """`POST api/v1/annotate` and its CORS preflight (a POST of text/html is not "simple"),
    served without a feedback store: annotating writes nothing."""
    endpoint = AnnotateEndpoint(site, ClientKeys())
    return [Route(f"/{ANNOTATE_PATH}", _or_preflight(endpoint.annotate, endpoint.preflight), methods=WRITE_METHODS)]


def _or_preflight(
    post: Callable[[Request], Awaitable[Response]], preflight: Callable[[Request], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    async def write(request: Request) -> Response:
        return await (preflight if request.method == "OPTIONS" else post)(request)

    return write


@contextlib.asynccontextmanager
async def _running(writer: BatchWriter | None) -> AsyncIterator[None]:
    """The writer runs while the app does; at shutdown it commits what is queued, then closes."""
    if writer is None:
        yield
        return
    await writer.start()
    try:
        yield
    finally:
        await writer.stop()
        writer.store.close()


@contextlib.asynccontextmanager
async def _background(coroutine: Any) -> AsyncIterator[None]:
    import asyncio

    task = asyncio.create_task(coroutine) if coroutine is not None else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _healthz(site: LiveSite) -> Callable[[Request], Any]:
    async def healthz(request: Request) -> Response:
        # For monitors, never for caches: each check must reach the process.
        return JSONResponse(
            {"status": "ok", "terms": len(site.snapshot.glossary.terms)},
            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        )

    return healthz


def _api(site: LiveSite, writes: bool) -> Callable[[Request], Any]:
    """The read API; a GET of a write endpoint (feedback and events only `writes`) is its 405,
    not this route's 404."""
    write_paths = {ANNOTATE_PATH, *((FEEDBACK_PATH, EVENTS_PATH) if writes else ())}

    async def api(request: Request) -> Response:
        snapshot = site.snapshot
        path = "api/" + request.path_params["path"]
        if path in write_paths:
            raise HTTPException(405, headers={"Allow": ", ".join(WRITE_METHODS)})
        resource = snapshot.resources.get(path)
        if resource is None or not path.endswith(".json"):
            return json_error(404, _api_miss_message(snapshot.glossary, path))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=READ_PREFLIGHT)
        return await _respond(request, resource)

    return api


def _api_miss_message(glossary: Glossary, path: str) -> str:
    categories = ", ".join(c.slug for c in glossary.categories)
    if path.startswith(("api/v1/matcher/", "api/v1/index/")):
        return f"unknown category; valid categories: {categories}"
    if path.startswith("api/v1/terms/"):
        return "unknown term; the list of terms is at api/v1/terms.json"
    if path.startswith("api/v1/sites/"):
        return "unknown site; the publisher registers sites in glossary_data/sites/"
    return (
        "not found; the API has api/v1/categories.json, api/v1/terms.json, "
        "api/v1/terms/<slug>.json, api/v1/matcher.json, api/v1/matcher/<category>.json, "
        f"api/v1/index.json and api/v1/index/<category>.json (categories: {categories})"
    )


def _pages(site: LiveSite) -> Callable[[Request], Any]:
    async def pages(request: Request) -> Response:
        snapshot = site.snapshot
        path: str = request.path_params["path"]
        # Redirects are relative (as WhiteNoise's are): right under whatever path a proxy serves
        # the glossary at (`--base-url https://example.org/glossary-site/`).
        if path == "":
            return RedirectResponse("glossary/", status_code=302)
        file_path = path + "index.html" if path.endswith("/") else path
        resource = snapshot.resources.get(file_path)
        if resource is not None and not file_path.startswith("api/"):
            return await _respond(request, resource)
        if f"{path}/index.html" in snapshot.resources:
            query = f"?{request.url.query}" if request.url.query else ""  # keep campaign tags
            # The last segment as the address wrote it (`glossary%2Fapr` is one segment there).
            written = request.scope.get("raw_path", b"").decode("latin-1").rsplit("/", 1)[-1]
            return RedirectResponse(f"{written or path.rsplit('/', 1)[-1]}/{query}", status_code=301)
        return _not_found_page(snapshot)

    return pages


async def _respond(request: Request, resource: Resource) -> Response:
    """The resource in the coding the client prefers, or a 304. (Several lines of a header are
    one list, RFC 9110, 5.3.) A 304 names the ETag of the coding the client would get without
    waiting for the copies to be made: a file that may be compressed is (compress.py), unless
    compressing would save under 5%, as it does for none of the site's text files."""
    asked = read_headers(request.scope)
    accepted = asked.get(b"accept-encoding", "")
    wanted = preferred_coding(accepted, CODINGS) if "Vary" in resource.headers else None
    if etag_matches(asked.get(b"if-none-match"), resource.headers["ETag"]):
        return not_modified(resource.headers, wanted)
    copies = await copies_of(resource) if wanted else {}
    coding = preferred_coding(accepted, copies)
    if coding is None:
        return Response(resource.body, headers=resource.headers)
    return Response(copies[coding], headers=resource.headers | coded_headers(coding, resource.headers["ETag"]))


def _not_found_page(snapshot: Snapshot) -> Response:
    page = snapshot.resources[NOT_FOUND_PAGE]
    # The page's own headers (its security headers among them), but a miss is not stored: the
    # page may be written a minute later, and without Cache-Control a CDN may keep a 404 for
    # minutes (RFC 9111, 4.2.2).
    headers = {k: v for k, v in page.headers.items() if k not in ("ETag", "Vary")}
    return Response(page.body, status_code=404, headers=headers | {"Cache-Control": "no-store"})


def _http_error(site: LiveSite) -> Callable[[Request, Exception], Any]:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            headers = dict(exc.headers or {})
            if "Allow" in headers:  # a route's methods are a set: give them in one order
                headers["Allow"] = ", ".join(m for m in METHOD_ORDER if m in headers["Allow"].split(", "))
            message = (
                f"method not allowed; this path answers {headers.get('Allow', 'GET, HEAD')}"
                if exc.status_code == 405
                else exc.detail
            )
            return json_error(exc.status_code, message, headers)
        return _not_found_page(site.snapshot)

    return http_error
