"""The Starlette application: API and pages from an in-memory snapshot, static files via
WhiteNoise."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from whitenoise import WhiteNoise

from widget_server.assets import Assets, build_assets
from widget_server.build import write_site
from widget_server.content import Glossary, GlossaryInvalid, load_glossary
from widget_server.headers import file_headers, media_type
from widget_server.site import render_site

logger = logging.getLogger("widget_server")

NOT_FOUND_PAGE = "404.html"
# The example partner pages are served from the glossary's own origin, so `'self'` stands for
# GLOSSARY-HOST in the policy a strict partner site would send.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)
STRICT_CSP_EXAMPLE = "strict-csp.html"
# How `serve --workers N` hands its settings to the worker processes it starts.
SETTINGS_VARIABLE = "GLOSSARY_WIDGET_SETTINGS"


@dataclass(frozen=True)
class Resource:
    """One file's bytes and headers, computed once per snapshot rather than per request."""

    body: bytes
    headers: dict[str, str]

    @classmethod
    def for_file(cls, path: str, body: bytes) -> Resource:
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {"Content-Type": media_type(path), "ETag": etag, **file_headers(path)}
        return cls(body, headers)


@dataclass(frozen=True)
class Snapshot:
    """Everything the server answers from one valid glossary; replaced whole on reload."""

    glossary: Glossary
    resources: dict[str, Resource]

    @classmethod
    def render(cls, glossary: Glossary, assets: Assets, base_url: str) -> Snapshot:
        files = render_site(glossary, assets, base_url)
        resources = {
            path: Resource.for_file(path, body)
            for path, body in files.items()
            if path not in assets.files  # those are served by WhiteNoise
        }
        return cls(glossary, resources)


class LiveSite:
    """Holds the current snapshot; `reload()` swaps in a new one only when the content is valid."""

    def __init__(self, data_dir: Path, assets: Assets, base_url: str) -> None:
        self.data_dir = data_dir
        self.assets = assets
        self.base_url = base_url
        self.snapshot = Snapshot.render(load_glossary(data_dir), assets, base_url)

    def reload(self) -> bool:
        try:
            glossary = load_glossary(self.data_dir)
        except GlossaryInvalid as invalid:
            logger.error("glossary not reloaded; still serving the last good version:\n%s", invalid)
            return False
        self.snapshot = Snapshot.render(glossary, self.assets, self.base_url)
        logger.info("glossary reloaded: %d terms", len(glossary.terms))
        return True

    async def watch(self) -> None:
        from watchfiles import awatch

        async for _changes in awatch(self.data_dir):
            self.reload()


def create_app(
    data_dir: Path,
    *,
    base_url: str = "",
    reload: bool = False,
    examples_dir: Path | None = None,
    assets_dir: Path | None = None,
) -> Starlette:
    """Build the app for the glossary in `data_dir`; raises GlossaryInvalid if it is not valid.

    The widget and the stylesheet are built at start and written, precompressed, to
    `assets_dir` (a temporary folder by default), from where WhiteNoise serves them.
    """
    assets = build_assets()
    site = LiveSite(data_dir, assets, base_url)
    if assets_dir is None:
        assets_dir = Path(tempfile.mkdtemp(prefix="glossary-widget-assets-"))
    write_site(assets_dir, assets.files)
    static = _static_app(assets_dir, site)

    routes = [
        Route("/healthz", _healthz(site)),
        Route("/api/{path:path}", _api(site), methods=["GET", "HEAD"]),
        Route("/widget.js", static),
        Route("/static/{path:path}", static),
    ]
    if examples_dir is not None:
        routes.append(Route("/examples/{path:path}", _examples_app(examples_dir, site)))
    routes.append(Route("/{path:path}", _pages(site), methods=["GET", "HEAD"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with _background(site.watch() if reload else None):
            yield

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error(site)},  # type: ignore[dict-item]
    )
    app.state.site = site
    return app


def create_app_from_environment() -> Starlette:
    """The app factory uvicorn's worker processes call, with the settings `serve` was given."""
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    return create_app(
        Path(settings["data_dir"]),
        base_url=settings["base_url"],
        reload=settings["reload"],
        examples_dir=Path(settings["examples_dir"]) if settings["examples_dir"] else None,
    )


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
        return JSONResponse({"status": "ok", "terms": len(site.snapshot.glossary.terms)})

    return healthz


def _api(site: LiveSite) -> Callable[[Request], Any]:
    async def api(request: Request) -> Response:
        snapshot = site.snapshot
        path = "api/" + request.path_params["path"]
        resource = snapshot.resources.get(path)
        if resource is None or not path.endswith(".json"):
            return _json_error(404, _api_miss_message(snapshot.glossary, path))
        return _respond(request, resource)

    return api


def _api_miss_message(glossary: Glossary, path: str) -> str:
    categories = ", ".join(c.slug for c in glossary.categories)
    if path.startswith("api/v1/index/"):
        return f"unknown category; valid categories: {categories}"
    if path.startswith("api/v1/terms/"):
        return "unknown term; the list of terms is at api/v1/terms.json"
    return (
        "not found; the API has api/v1/categories.json, api/v1/terms.json, "
        f"api/v1/terms/<slug>.json and api/v1/index/<category>.json (categories: {categories})"
    )


def _pages(site: LiveSite) -> Callable[[Request], Any]:
    async def pages(request: Request) -> Response:
        snapshot = site.snapshot
        path: str = request.path_params["path"]
        if path == "":
            return RedirectResponse("/glossary/", status_code=302)
        file_path = path + "index.html" if path.endswith("/") else path
        resource = snapshot.resources.get(file_path)
        if resource is not None and not file_path.startswith("api/"):
            return _respond(request, resource)
        if f"{path}/index.html" in snapshot.resources:
            return RedirectResponse(f"/{path}/", status_code=301)
        return _not_found_page(snapshot)

    return pages


def _respond(request: Request, resource: Resource) -> Response:
    if _matches(request.headers.get("if-none-match"), resource.headers["ETag"]):
        headers = {k: v for k, v in resource.headers.items() if k != "Content-Type"}
        return Response(status_code=304, headers=headers)
    return Response(resource.body, headers=resource.headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, which is what If-None-Match uses."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )


def _not_found_page(snapshot: Snapshot) -> Response:
    page = snapshot.resources[NOT_FOUND_PAGE]
    return Response(page.body, status_code=404, media_type="text/html; charset=utf-8")


def _http_error(site: LiveSite) -> Callable[[Request, Exception], Any]:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            message = (
                "method not allowed; the API is read-only (GET)"
                if exc.status_code == 405
                else exc.detail
            )
            return _json_error(exc.status_code, message, dict(exc.headers or {}))
        return _not_found_page(site.snapshot)

    return http_error


class _WsgiMount:
    """A WhiteNoise app behind a2wsgi, guarded against URLs that WSGI cannot carry.

    a2wsgi raises (a 500) on a query string with raw non-ASCII bytes or a path that is not
    encodable as UTF-8; some servers pass such bytes on unchanged (uvicorn with httptools does
    for the query string), so they are answered with a 400 here instead.
    """

    def __init__(self, app: WSGIMiddleware) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _wsgi_can_carry(scope):
            await self.app(scope, receive, send)  # type: ignore[arg-type]
        else:
            response = PlainTextResponse("bad request: malformed URL", status_code=400)
            await response(scope, receive, send)


def _wsgi_can_carry(scope: Scope) -> bool:
    try:
        scope["path"].encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bytes(scope.get("query_string", b"")).isascii()


def _static_app(root: Path, site: LiveSite) -> _WsgiMount:
    def add_headers(headers: Any, path: str, url: str) -> None:
        for name, value in file_headers(url.lstrip("/")).items():
            headers[name] = value

    whitenoise = WhiteNoise(
        _not_found_wsgi(site), root=root, max_age=None, add_headers_function=add_headers
    )
    return _WsgiMount(WSGIMiddleware(whitenoise))  # type: ignore[arg-type]


def _examples_app(root: Path, site: LiveSite) -> _WsgiMount:
    def add_headers(headers: Any, path: str, url: str) -> None:
        headers["Cache-Control"] = "no-cache"
        if url.endswith(STRICT_CSP_EXAMPLE):
            headers["Content-Security-Policy"] = STRICT_CSP

    whitenoise = WhiteNoise(
        _not_found_wsgi(site), root=root, prefix="examples/", autorefresh=True,
        max_age=None, add_headers_function=add_headers, index_file=True,
    )
    return _WsgiMount(WSGIMiddleware(whitenoise))  # type: ignore[arg-type]


def _not_found_wsgi(
    site: LiveSite,
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = site.snapshot.resources[NOT_FOUND_PAGE].body
        start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return not_found
