"""Feedback benchmark: how many votes `serve` stores per second, and what writing costs the reads.

For each store (SQLite with one worker, PostgreSQL with two), the real `serve` command on the
bundled glossary, in its own process:

1. wrk posts votes (`POST api/v1/feedback`) as fast as 64 connections allow, each with its own
   User-Agent so that every post is a new reader (none rate-limited or deduplicated), terms
   taking turns: accepted (204) posts per second and the p99 latency.
2. wrk reads a term's JSON at 64 connections alone, then again while a second wrk posts votes
   at about 500 a second (each of its connections waits between posts): the read requests per
   second with writes, against without. Alone and with writes take turns, `runs` times each.

wrk runs on a core of its own where there is one to spare (see server.split_cores).

    python -m benchmarks.feedback [--quick] [--no-install] [--store sqlite|postgresql] [--json FILE]

`make bench` runs it too, after the server benchmark, and reports it in RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_WORKDIR, ROOT, median, ratio
from benchmarks.server import WRK_REPORT, Measured, serve_ours, split_cores, wrk_load
from tests.support.postgres import PostgresCluster
from tests.support.server import free_port
from tests.support.tools import debian_tool
from widget_server.content import load_glossary

GLOSSARY_DATA = ROOT / "glossary_data"
STORES = {"sqlite": 1, "postgresql": 2}  # store -> worker processes, as the issue asks
POST_TARGET_PER_S = 2000
P99_TARGET_MS = 50.0
READ_DROP_LIMIT = 0.10
POSTS = """
local terms = {%(terms)s}
local counter, id, n = 0, 0, 0
setup = function(thread) counter = counter + 1; thread:set("id", counter) end
request = function()
  n = n + 1
  local body = string.format('{"term":"%%s","helpful":%%s}', terms[n %% #terms + 1],
    n %% 4 == 0 and "false" or "true")
  return wrk.format("POST", "/api/v1/feedback",
    {["Content-Type"] = "text/plain", ["User-Agent"] = "bench " .. id .. " " .. n}, body)
end
%(delay)s
"""


@dataclass(frozen=True)
class FeedbackConfig:
    duration_s: int = 5
    runs: int = 3
    connections: int = 64
    paced_rate: int = 500  # posts per second while the reads are measured
    paced_connections: int = 100  # each waits 200 ms between posts, so latency hardly slows the rate
    stores: tuple[str, ...] = tuple(STORES)
    install: bool = True

    @classmethod
    def quick(cls) -> FeedbackConfig:
        """One-second runs, SQLite only (the tests cover PostgreSQL), no installing."""
        return cls(duration_s=1, runs=1, stores=("sqlite",), install=False)


@dataclass
class StoreRow:
    store: str
    workers: int
    posts_per_s: float  # accepted (204) posts per second at full load
    post_p50_ms: float
    post_p99_ms: float
    post_errors: int
    reads_alone_per_s: float
    reads_with_writes_per_s: float
    read_p99_alone_ms: float
    read_p99_with_writes_ms: float
    paced_posts_per_s: float  # the write load the reads actually had beside them
    paced_errors: int

    @property
    def read_drop(self) -> float:
        return 1 - ratio(self.reads_with_writes_per_s, self.reads_alone_per_s)


@dataclass
class FeedbackResult:
    config: dict[str, Any]
    rows: list[StoreRow]
    notes: list[str]


@contextlib.contextmanager
def store_options(store: str, workdir: Path) -> Iterator[list[str]]:
    """`serve`'s options for a new, empty store of that kind."""
    if store == "postgresql":
        with PostgresCluster() as cluster:
            yield ["--database-url", cluster.url()]
        return
    state = workdir / "feedback-state"
    shutil.rmtree(state, ignore_errors=True)
    yield ["--state", str(state)]


def post_script(path: Path, slugs: list[str], delay_ms: float | None) -> Path:
    delay = f"delay = function() return {delay_ms:.1f} end" if delay_ms else ""
    terms = ",".join(f'"{slug}"' for slug in slugs)
    path.write_text(POSTS % {"terms": terms, "delay": delay} + WRK_REPORT)
    return path


def measure_store(store: str, config: FeedbackConfig, wrk: str, workdir: Path, log: Any) -> StoreRow:
    workers = STORES[store]
    slugs = [term.slug for term in load_glossary(GLOSSARY_DATA).terms]
    cores, wrk_cores = split_cores(workers)
    full = post_script(workdir / "posts.lua", slugs, None)
    paced = post_script(workdir / "paced-posts.lua", slugs, 1000 * config.paced_connections / config.paced_rate)
    reads = workdir / "reads.lua"
    reads.write_text(WRK_REPORT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    read_url = f"{base}/api/v1/terms/{slugs[0]}.json"

    def load(script: Path, url: str, connections: int) -> Measured:
        return wrk_load(wrk, script, url, {}, connections, config.duration_s, 1, wrk_cores)

    with (
        store_options(store, workdir) as options,
        serve_ours(GLOSSARY_DATA, port, workers, workdir / f"feedback-{store}.log", cores, options),
    ):
        log(f"feedback: {store}, {workers} worker(s)")
        load(full, base + "/", config.connections)  # warm-up: connections, pools, the WAL
        posts = [load(full, base + "/", config.connections) for _ in range(config.runs)]
        alone, together, background = [], [], []
        for _ in range(config.runs):
            alone.append(load(reads, read_url, config.connections))
            writer = threading.Thread(
                target=lambda: background.append(load(paced, base + "/", config.paced_connections))
            )
            writer.start()
            together.append(load(reads, read_url, config.connections))
            writer.join()
    accepted = [m.requests_per_s - m.errors / config.duration_s for m in posts]
    return StoreRow(
        store=store,
        workers=workers,
        posts_per_s=median(accepted),
        post_p50_ms=median([m.p50_ms for m in posts]),
        post_p99_ms=median([m.p99_ms for m in posts]),
        post_errors=sum(m.errors for m in posts),
        reads_alone_per_s=median([m.requests_per_s for m in alone]),
        reads_with_writes_per_s=median([m.requests_per_s for m in together]),
        read_p99_alone_ms=median([m.p99_ms for m in alone]),
        read_p99_with_writes_ms=median([m.p99_ms for m in together]),
        paced_posts_per_s=median([m.requests_per_s for m in background]),
        paced_errors=sum(m.errors for m in background),
    )


def run(config: FeedbackConfig, workdir: Path = DEFAULT_WORKDIR, log: Any = print) -> FeedbackResult:
    folder = workdir / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    wrk, how = debian_tool("wrk", "wrk", config.install)
    if wrk is None:
        return FeedbackResult(asdict(config), [], [f"{how}; the feedback benchmark needs wrk and did not run."])
    rows = [measure_store(store, config, wrk, folder, log) for store in config.stores]
    return FeedbackResult(asdict(config), rows, [])


def targets(result: FeedbackResult) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each store measured."""
    found = []
    for row in result.rows:
        name = f"Feedback POST, {row.store}, {row.workers} worker(s), 64 connections"
        found.append(
            (
                f"{name}: at least {POST_TARGET_PER_S:,} accepted posts/s",
                f"{row.posts_per_s:,.0f} posts/s ({row.post_errors} refused)",
                row.posts_per_s >= POST_TARGET_PER_S,
            )
        )
        found.append(
            (f"{name}: p99 under {P99_TARGET_MS:.0f} ms", f"{row.post_p99_ms:.1f} ms", row.post_p99_ms < P99_TARGET_MS)
        )
        found.append(
            (
                f"Read API, {row.store}: requests/s drop at most {READ_DROP_LIMIT:.0%} "
                f"while {row.paced_posts_per_s:,.0f} posts/s are written",
                f"{row.read_drop:.1%} ({row.reads_alone_per_s:,.0f} -> {row.reads_with_writes_per_s:,.0f} requests/s)",
                row.read_drop <= READ_DROP_LIMIT,
            )
        )
    return found


def table(result: FeedbackResult) -> list[str]:
    lines = [
        "| store | workers | accepted posts/s | post p50 ms | post p99 ms | reads/s alone | "
        "reads/s with writes | writes beside the reads | read p99 ms alone / with writes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result.rows:
        lines.append(
            f"| {r.store} | {r.workers} | {r.posts_per_s:,.0f} | {r.post_p50_ms:.1f} | "
            f"{r.post_p99_ms:.1f} | {r.reads_alone_per_s:,.0f} | {r.reads_with_writes_per_s:,.0f} | "
            f"{r.paced_posts_per_s:,.0f}/s | {r.read_p99_alone_ms:.1f} / "
            f"{r.read_p99_with_writes_ms:.1f} |"
        )
    return lines + [f"\n**Note:** {note}" for note in result.notes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one-second runs, one of each")
    parser.add_argument("--no-install", action="store_true", help="never run apt-get")
    parser.add_argument(
        "--store", choices=tuple(STORES), action="append", help="only this store (repeatable; default: both)"
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    config = FeedbackConfig.quick() if args.quick else FeedbackConfig()
    config = replace(config, install=config.install and not args.no_install, stores=tuple(args.store or config.stores))
    result = run(config, args.workdir)
    print("\n".join(table(result)))
    for target, measured, met in targets(result):
        print(f"- {target}: {measured}: {'met' if met else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
