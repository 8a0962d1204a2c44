"""The server's state: every answer computed once from a valid glossary, swapped whole on reload."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from widget_server.assets import Assets
from widget_server.compress import compressed_copies, may_compress
from widget_server.content import load_glossary
from widget_server.headers import entity_tag, file_headers, media_type
from widget_server.model import Glossary, GlossaryInvalid, NoGlossary
from widget_server.site import render_site

logger = logging.getLogger("widget_server")


@dataclass(frozen=True)
class Resource:
    """One file's bytes and headers, computed once per snapshot rather than per request; its
    compressed copies once a client asks for one (`copies_of`)."""

    path: str
    body: bytes
    headers: dict[str, str]
    made: list[dict[str, bytes]] = field(default_factory=list, compare=False, repr=False)
    making: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False, repr=False)

    @classmethod
    def for_file(cls, path: str, body: bytes) -> Resource:
        headers = {"Content-Type": media_type(path), "ETag": entity_tag(body), **file_headers(path)}
        if may_compress(path, body):
            headers["Vary"] = "Accept-Encoding"
        return cls(path, body, headers)


async def copies_of(resource: Resource) -> dict[str, bytes]:
    """The resource's compressed copies by coding, as the export writes them (compress.py).
    Made the first time a client asks for one, not at start: for every page and term file of a
    large glossary that takes as long as a build, in each worker. Made in a worker thread, once
    for requests that come together (brotli's best setting, which the matcher files get, takes
    ~0.1 s for the bundled glossary's and up to ~2 s, see compress.BEST_MAX_BYTES, and would hold
    up every other request)."""
    if not resource.made:
        async with resource.making:
            if not resource.made:
                resource.made.append(await anyio.to_thread.run_sync(compressed_copies, resource.path, resource.body))
    return resource.made[0]


@dataclass(frozen=True)
class Snapshot:
    """Everything the server answers from one valid glossary; replaced whole on reload."""

    glossary: Glossary
    resources: dict[str, Resource]

    @classmethod
    def render(cls, glossary: Glossary, assets: Assets, base_url: str, feedback_url: str | None) -> Snapshot:
        files = render_site(glossary, assets, base_url, feedback_url)
        resources = {
            path: Resource.for_file(path, body)
            for path, body in files.items()
            if path not in assets.files  # those are answered by memoryfiles.py
        }
        return cls(glossary, resources)


class LiveSite:
    """Holds the current snapshot; `reload()` swaps in a new one only when the content is valid."""

    def __init__(self, data_dir: Path, assets: Assets, base_url: str, feedback_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.assets = assets
        self.base_url = base_url
        self.feedback_url = feedback_url  # see pages.page_files
        self.snapshot = Snapshot.render(load_glossary(data_dir), assets, base_url, feedback_url)

    def reload(self) -> bool:
        try:
            glossary = load_glossary(self.data_dir)
            snapshot = Snapshot.render(glossary, self.assets, self.base_url, self.feedback_url)
        except (GlossaryInvalid, NoGlossary) as invalid:
            logger.error("glossary not reloaded; still serving the last good version:\n%s", invalid)
            return False
        except Exception:
            # Say so and keep watching: an error escaping here would end the watcher silently.
            logger.exception("glossary not reloaded; still serving the last good version")
            return False
        self.snapshot = snapshot
        logger.info("glossary reloaded: %d terms", len(glossary.terms))
        return True

    async def watch(self) -> None:
        from starlette.concurrency import run_in_threadpool
        from watchfiles import awatch

        # In a worker thread: loading and rendering a glossary takes a good part of a second,
        # which requests would otherwise wait out. The new snapshot is swapped in at once.
        async for _changes in awatch(self.data_dir):
            await run_in_threadpool(self.reload)
