"""Telling readers apart for a day without identifying them: rate limits and one vote per reader.

As privacy-first analytics do, a reader is known only by a keyed hash of (IP address,
User-Agent, day). The key is random, made in memory when the first request of a UTC day comes,
and dropped with everything derived from it when the day ends; it is never written anywhere. So
the hashes cannot be traced back to an address (guessing IPv4 addresses would need the key), and
nobody can follow a reader from one day to the next. The hashes themselves are never stored
either: they live in this process's memory only, for the rate limit (a sliding minute) and for
counting a reader's vote on a term once a day.

With several `serve` processes (workers, or machines sharing one PostgreSQL), each has its own
key and its own memory: the rate limit is per process (N processes let a client through up to
N times the limit) and a reader whose requests reach two processes can count twice. That is the
price of keeping no reader identifier in the shared store.
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable

POSTS_PER_MINUTE = 30
WINDOW_S = 60.0
# Votes remembered per day before the memory stops growing; past it, repeat votes count again.
MAX_REMEMBERED_VOTES = 1_000_000


class ClientKeys:
    """The day's secret key, the per-client sliding-window rate limit and the votes seen today."""

    def __init__(self, limit: int = POSTS_PER_MINUTE, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._day = ""
        self._secret = b""
        self._posts: dict[bytes, collections.deque[float]] = {}
        self._votes: set[tuple[bytes, str]] = set()
        self._swept = 0.0

    def key(self, ip: str, user_agent: str) -> bytes:
        """The client's hash for today; a new day brings a new secret and forgets the old one."""
        now = self._clock()
        day = datetime.datetime.fromtimestamp(now, datetime.UTC).date().isoformat()
        if day != self._day:
            self._day, self._secret = day, secrets.token_bytes(32)
            self._posts.clear()
            self._votes.clear()
        message = "\0".join((ip, user_agent, day)).encode("utf-8", "replace")
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:16]

    def retry_after(self, key: bytes) -> int | None:
        """Count a post from `key`; None if allowed, else the seconds until one will be."""
        now = self._clock()
        self._sweep(now)
        posts = self._posts.setdefault(key, collections.deque(maxlen=self.limit))
        while posts and posts[0] <= now - WINDOW_S:
            posts.popleft()
        if len(posts) >= self.limit:
            return max(1, math.ceil(posts[0] + WINDOW_S - now))
        posts.append(now)
        return None

    def first_vote(self, key: bytes, term: str) -> bool:
        """True the first time today that this client votes on `term` (in this process)."""
        vote = (key, term)
        if vote in self._votes:
            return False
        if len(self._votes) < MAX_REMEMBERED_VOTES:
            self._votes.add(vote)
        return True

    def forget_vote(self, key: bytes, term: str) -> None:
        """Undo `first_vote` for a vote that could not be stored, so that its retry counts."""
        self._votes.discard((key, term))

    def _sweep(self, now: float) -> None:
        """Forget clients with no post in the last minute, so memory follows the current load."""
        if now - self._swept < WINDOW_S:
            return
        self._swept = now
        stale = [key for key, posts in self._posts.items() if not posts or posts[-1] <= now - WINDOW_S]
        for key in stale:
            del self._posts[key]
