"""Group commit: requests queue their writes, one thread commits them in batches.

A request's write goes into a queue and the request waits (without holding the event loop) for
the batch that holds it to commit; only then does it get its 204, so an acknowledged write is on
disk. One thread commits: SQLite allows one writer at a time anyway, and a single writer never
meets `database is locked` from its own process. Batches form by themselves: whatever queued
while the last commit ran is the next batch (up to MAX_BATCH), so under load a commit carries
hundreds of writes, summed into one upsert per (day, site, term), and when idle a write commits
at once, with no timer to wait for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time

from widget_server.store import Store, Write

logger = logging.getLogger("widget_server.feedback")

MAX_BATCH = 1000
# Writes waiting beyond this many get a 503 at once: the store is not keeping up.
MAX_QUEUE = 20_000
# After a failed commit, writes are refused for this long without trying the store, so that a
# database that is down costs each request a 503, not a connection time-out.
BACKOFF_S = 1.0


class StoreUnavailable(Exception):
    """The write was not stored: the database is down, full or not keeping up (a 503)."""


class BatchWriter:
    """Commits queued writes in batches on one thread; `write` returns once its batch committed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[tuple[Write, asyncio.Future[None]]] = []
        self._ready: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="feedback-writer")
        self._refuse_until = 0.0

    async def start(self) -> None:
        self._ready = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Commit what is queued, then stop: a graceful shutdown loses nothing acknowledged."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            if self._queue:
                await self._commit(self._take())
        self._thread.shutdown(wait=True)

    async def write(self, write: Write) -> None:
        """Wait until `write` is committed; raises StoreUnavailable if it was not."""
        if self._ready is None:
            raise StoreUnavailable("the feedback writer is not running")
        if time.monotonic() < self._refuse_until:
            raise StoreUnavailable("the feedback store is unavailable")
        if len(self._queue) >= MAX_QUEUE:
            raise StoreUnavailable("the feedback store is not keeping up")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((write, done))
        self._ready.set()
        await done

    async def _run(self) -> None:
        assert self._ready is not None
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                await self._commit(self._take())

    def _take(self) -> list[tuple[Write, asyncio.Future[None]]]:
        batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        return batch

    async def _commit(self, batch: list[tuple[Write, asyncio.Future[None]]]) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._thread, self.store.apply, [write for write, _ in batch])
        except Exception as error:
            logger.warning("feedback not stored (%d writes): %s", len(batch), error)
            self._refuse_until = time.monotonic() + BACKOFF_S
            # What queued behind this batch would meet the same store: refuse it now too.
            batch += self._queue
            self._queue = []
            for _, done in batch:
                if not done.done():
                    done.set_exception(StoreUnavailable(str(error)))
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)
