"""Sizes and build time: what a partner page downloads, and how long an export takes.

- The widget: raw (the readable bundle, before minifying), minified, gzip, brotli.
- The matcher file of each category (what the widget downloads) for a 1,000-term synthetic
  glossary, raw and brotli.
- For reference, the published minified files of mark.js, tippy.js and Popper, fetched with
  `npm pack` into the git-ignored cache (never a dependency of the product or of the tests).
- The build of a 5,000-term synthetic glossary with `build_site`, into fresh folders under
  the work folder (see `build_time` on why), with the number of files it wrote; and the same
  builds into memory (/dev/shm), which leave out the file system's share.

    python -m benchmarks.size [--quick] [--no-peers] [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_WORKDIR, median, npm_package
from benchmarks.synthetic import synthetic_terms, write_glossary
from widget_server.api import api_files
from widget_server.assets import WIDGET_PATH, build_assets, bundle_widget, widget_source_dir
from widget_server.build import BuildSummary, brotli_size, build_site
from widget_server.content import load_glossary

# name, version, the file a site would load (the bundle with its CSS, for tippy.js).
PEERS = (
    ("mark.js", "8.11.1", "dist/mark.min.js"),
    ("tippy.js", "6.3.7", "dist/tippy-bundle.umd.min.js"),
    ("@popperjs/core", "2.11.8", "dist/umd/popper.min.js"),
)
INDEX_PREFIX = "api/v1/matcher/"


@dataclass(frozen=True)
class SizeConfig:
    index_terms: int = 1000
    build_terms: int = 5000
    build_reps: int = 3
    peers: bool = True

    @classmethod
    def quick(cls) -> SizeConfig:
        return cls(index_terms=50, build_terms=50, build_reps=1)


@dataclass
class Bytes:
    name: str
    raw: int
    gzip: int
    brotli: int
    minified: int | None = None
    note: str = ""


@dataclass
class Build:
    terms: int
    seconds: list[float]
    median_s: float
    files_written: int  # on disk, with the .br and .gz copies
    site_files: int  # the files of the site, before compression
    raw_bytes: int
    brotli_bytes: int
    stages: list[tuple[str, float]]  # build_site's own progress messages, timed (last run)
    # The same builds into memory (tmpfs), where there is one: the build's own work, apart from
    # the file system's (empty for an older results.json, or without /dev/shm).
    memory_seconds: list[float] = field(default_factory=list)
    memory_median_s: float = float("nan")


@dataclass
class SizeResult:
    config: dict[str, Any]
    widget: Bytes
    indexes: list[Bytes]
    peers: list[Bytes]
    build: Build
    notes: list[str] = field(default_factory=list)


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def widget_bytes() -> Bytes:
    readable = bundle_widget(widget_source_dir()).encode()
    minified = build_assets().files[WIDGET_PATH]
    return Bytes(
        "widget.js", raw=len(readable), minified=len(minified), gzip=gzip_size(minified), brotli=brotli_size(minified)
    )


def index_bytes(workdir: Path, count: int) -> list[Bytes]:
    """The matcher file of every category, as the server and the export send it."""
    folder = workdir / "size" / f"glossary-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    glossary = load_glossary(write_glossary(folder, synthetic_terms(count)))
    rows = []
    for path, body in sorted(api_files(glossary)):
        if path.startswith(INDEX_PREFIX):
            terms = len({name[0] for names in json.loads(body)["names"].values() for name in names})
            name = path.removeprefix(INDEX_PREFIX)
            rows.append(
                Bytes(name, raw=len(body), gzip=gzip_size(body), brotli=brotli_size(body), note=f"{terms} terms")
            )
    return rows


def peer_bytes(enabled: bool) -> tuple[list[Bytes], list[str]]:
    if not enabled:
        return [], ["mark.js, tippy.js and Popper not fetched (--no-peers)."]
    rows = []
    for name, version, path in PEERS:
        body = (npm_package(name, version) / path).read_bytes()
        rows.append(
            Bytes(
                f"{name} {version}",
                raw=len(body),
                minified=len(body),
                gzip=gzip_size(body),
                brotli=brotli_size(body),
                note=path,
            )
        )
    return rows, []


def build_time(workdir: Path, count: int, reps: int) -> Build:
    """Median wall time of `build_site` into a fresh folder, and the number of files the last
    build wrote.

    Every run gets a folder of its own, and all are removed only after the last one: on this
    machine's file system (ext4 without a journal), creating files right after tens of thousands
    were deleted is several times slower, because the inode allocator steps over each recently
    freed inode (the kernel's `recently_deleted`), so removing one run's output before the next
    would time the deletion's after-effects instead of the build. The same builds are then timed
    into memory: on this machine's disk a file costs ten times its cost in memory for minutes
    after many were written, which the two figures side by side show.
    """
    base = workdir / "build"
    for leftover in base.glob("site-*"):  # from an interrupted run
        shutil.rmtree(leftover)
    # Named by size, so that files from a larger earlier run never join the glossary.
    data = write_glossary(base / f"glossary-{count}", synthetic_terms(count))
    seconds = []
    summary = None
    stages: list[tuple[str, float]] = []
    outs = [base / f"site-{rep}" for rep in range(reps)]
    for out in outs:
        os.sync()  # the writes of earlier work are not flushed during this build
        summary, elapsed, stages = timed_build(data, out)
        seconds.append(elapsed)
    assert summary is not None
    written = sum(1 for path in outs[-1].rglob("*") if path.is_file())
    for out in outs:
        shutil.rmtree(out)  # tens of thousands of files, of no further use
    in_memory = [round(timed_build(data, out)[1], 3) for out in memory_outs(reps)]
    return Build(
        terms=count,
        seconds=[round(s, 3) for s in seconds],
        median_s=median(seconds),
        files_written=written,
        site_files=summary.files,
        raw_bytes=summary.raw_bytes,
        brotli_bytes=summary.brotli_bytes,
        stages=stages,
        memory_seconds=in_memory,
        memory_median_s=median(in_memory),
    )


def memory_outs(reps: int) -> Iterator[Path]:
    """Fresh output folders in memory (/dev/shm), each removed once built; none without it."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return
    for _ in range(reps):
        with tempfile.TemporaryDirectory(dir=shm, prefix="glossary-build-") as folder:
            yield Path(folder) / "site"


def timed_build(data: Path, out: Path) -> tuple[BuildSummary, float, list[tuple[str, float]]]:
    """One build: its summary, seconds, and how long each stage it announces took (its
    progress messages, timed), which shows where the build time goes."""
    marks: list[tuple[str, float]] = []

    def progress(message: str) -> None:
        marks.append((message, time.perf_counter()))

    start = time.perf_counter()
    summary = build_site(data, out, progress=progress)
    end = time.perf_counter()
    ends = [t for _, t in marks[1:]] + [end]
    stages = [(message, round(stop - begin, 3)) for (message, begin), stop in zip(marks, ends, strict=True)]
    return summary, end - start, stages


def run(config: SizeConfig, workdir: Path = DEFAULT_WORKDIR, log: Any = print) -> SizeResult:
    log("size: widget and indexes")
    widget = widget_bytes()
    indexes = index_bytes(workdir, config.index_terms)
    peers, notes = peer_bytes(config.peers)
    log(f"size: building a {config.build_terms}-term glossary")
    build = build_time(workdir, config.build_terms, config.build_reps)
    return SizeResult(asdict(config), widget, indexes, peers, build, notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny glossaries")
    parser.add_argument("--no-peers", action="store_true", help="do not fetch mark.js etc.")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    config = SizeConfig.quick() if args.quick else SizeConfig()
    result = run(replace(config, peers=not args.no_peers), args.workdir)
    print(json.dumps(asdict(result), indent=1))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
