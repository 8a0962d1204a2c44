"""Highlighting benchmark: the widget against mark.js, a bare floor and a naive baseline.

Every measurement loads the article in a fresh page (a new browser context, so nothing is
cached) from a uvicorn server on loopback running the real app on a synthetic glossary and,
once it has loaded and painted, adds the widget's script tag (which downloads its real index
files) or runs the peer. The widget reports its own main-thread time
(`glossary:ready` detail.ms); the peers run on an identical copy of the article and are timed
with performance.now() around their synchronous call. Runs of the different methods are
interleaved, so that drift on a shared machine affects them alike, and medians are reported.

    python -m benchmarks.annotate [--quick] [--no-peers] [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, DEFAULT_WORKDIR, median, npm_package
from benchmarks.synthetic import (
    SyntheticTerm,
    article_html,
    count_words,
    synthetic_terms,
    write_glossary,
)
from tests.support.chromium import chromium_launch_args
from tests.support.server import LiveServer
from widget_server.app import create_app
from widget_server.assets import WIDGET_SOURCES, bundle_widget, widget_source_dir

PAGE_JS = BENCH_DIR / "page.js"
PEERS_JS = BENCH_DIR / "peers.js"
MARK_JS = ("mark.js", "8.11.1", "dist/mark.min.js")
UNLIMITED = "1000000"  # data-max: every occurrence, as mark.js and the floor wrap them all
WAIT_MS = 180_000
SETTLE_MS = 1500  # from `load` to the widget's tag or the peer's run (see settled_page)
LONG_TASK_MS = 50

# Widget variants: the script tag's data-* attributes (no data-max: the default of 100).
WIDGET_VARIANTS = {
    "widget-all": {"occurrences": "all", "max": UNLIMITED},
    "widget-first": {"occurrences": "first", "max": UNLIMITED},
    "widget-first-max100": {"occurrences": "first"},
}
# Peers that are quick enough to repeat; the slow ones run once per size with a time limit.
FAST_PEERS = ("floor", "markRegExp")
SLOW_PEERS = ("naive", "markArray")
MARK_PEERS = ("markRegExp", "markArray")
# The methods that report a prepare time apart from their scan (see Run).
PREPARING = (*WIDGET_VARIANTS, *FAST_PEERS)


@dataclass(frozen=True)
class AnnotateConfig:
    terms: int = 2000
    words: int = 10_000
    term_scale: tuple[int, ...] = (500, 2000, 5000, 20_000)
    word_scale: tuple[int, ...] = (1000, 10_000, 100_000)
    long_task_words: int = 100_000
    reps: int = 11  # the headline comparison: single runs vary by 2x on two shared cores
    scale_reps: int = 3  # the other sizes
    slow_reps: int = 1  # naive and mark() with the array, per size
    limit_s: float = 30.0  # for the naive baseline and mark() with the array
    long_task_reps: int = 3
    peers: bool = True  # mark.js, fetched with npm

    @classmethod
    def quick(cls) -> AnnotateConfig:
        """Tiny sizes for the smoke test: seconds, not minutes."""
        return cls(
            terms=50,
            words=1000,
            term_scale=(20, 50),
            word_scale=(300, 1000),
            long_task_words=1000,
            reps=1,
            scale_reps=1,
            limit_s=5.0,
            long_task_reps=1,
        )


@dataclass
class Run:
    """One measurement: main-thread ms of the scan; for the widget also wall time from adding its
    tag. `prepare_ms` is the main-thread time, before the scan, of turning the names into what
    scans for them: the widget's matcher (its `setupMs`), the floor's and markRegExp's compiled
    expression. The slow peers build theirs inside their clock."""

    method: str
    ms: float
    hits: int
    wall_ms: float | None = None
    terms_on_page: int | None = None
    finished: bool = True
    done: int = 1
    total: int = 1
    prepare_ms: float | None = None


@dataclass
class Point:
    """All runs of one glossary size and article length."""

    terms: int
    words: int  # as asked for; the article has about as many
    real_words: int  # as counted in the article
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, run: Run) -> None:
        self.runs.setdefault(run.method, []).append(run)

    def median_ms(self, method: str) -> float:
        return median([r.ms for r in self.runs.get(method, [])])

    def median_prepare_ms(self, method: str) -> float:
        """NaN when no run has a prepare time (the slow peers, an older results.json)."""
        return median([r.prepare_ms for r in self.runs.get(method, []) if r.prepare_ms is not None])

    def median_total_ms(self, method: str) -> float:
        """Preparing and scanning, run by run: what highlighting costs a page view's main thread
        once the names have arrived."""
        runs = self.runs.get(method, [])
        if method in PREPARING and any(r.prepare_ms is None for r in runs):
            return float("nan")  # not measured (an older results.json); the slow peers have none
        return median([(r.prepare_ms or 0.0) + r.ms for r in runs])


@dataclass
class LongTasks:
    """The widget injected into a settled 100,000-word page with `all` occurrences."""

    words: int
    runs: int
    longest_ms: float  # longest task over all runs (0 when none passed the 50 ms threshold)
    long_tasks: list[float]
    long_frames: list[float]  # animation frames over 50 ms, rendering included, longest first
    cls: float  # worst cumulative layout shift over all runs
    scan_ms: float
    highlights: int


@dataclass
class ProfileRow:
    function: str
    location: str
    ms: float  # self time, or time on the stack in AnnotateResult.profile_inclusive
    share: float


@dataclass
class AnnotateResult:
    config: dict[str, Any]
    points: list[Point]
    long_tasks: LongTasks
    profile: list[ProfileRow]
    peers_note: str
    chromium: str
    # Time with each widget function on the stack (itself and what it calls): the phases.
    profile_inclusive: list[ProfileRow] = field(default_factory=list)

    def point(self, terms: int, words: int) -> Point:
        return next(p for p in self.points if p.terms == terms and p.words == words)


# ---- Pages ----------------------------------------------------------------------------------


def page_html(body: str) -> str:
    """A partner article: a site header outside, the text in <article> (the widget's root)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<title>Benchmark article</title><link rel="icon" href="data:,">'
        "<style>body{font:16px/1.5 Georgia,serif;max-width:42em;margin:2em auto}</style>"
        f"</head><body><header><h1>Benchmark article</h1></header><article>{body}</article>"
        "</body></html>"
    )


def write_pages(folder: Path, terms: list[SyntheticTerm], words: int) -> tuple[str, int]:
    """Writes the article; returns its file stem and number of words."""
    body = article_html(terms, words)
    stem = f"article-{len(terms)}-{words}"
    (folder / f"{stem}.html").write_text(page_html(body))
    return stem, count_words(body)


def prepare_site(workdir: Path, count: int) -> tuple[Path, Path, list[SyntheticTerm]]:
    """A fresh synthetic glossary of `count` terms and an empty folder for its pages."""
    base = workdir / "annotate" / f"terms-{count}"
    shutil.rmtree(base, ignore_errors=True)
    terms = synthetic_terms(count)
    data = write_glossary(base / "glossary", terms)
    pages = base / "pages"
    pages.mkdir(parents=True)
    # Readable names in the CPU profile: the same widget, not minified.
    (pages / "widget.debug.js").write_text(bundle_widget(widget_source_dir()))
    return data, pages, terms


# ---- Browser runs ---------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_page(browser: Any) -> Iterator[Any]:
    """A page in a new context: empty cache, no state from the previous run."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.add_init_script(path=str(PAGE_JS))
        yield page
    finally:
        context.close()


def widget_run(browser: Any, url: str, method: str) -> Run:
    """The widget's script tag added to the loaded, painted article, as for the peers, whose
    scripts run on the loaded article too: neither is charged for the page's own parsing and
    first layout. Wall time runs from adding the tag to `glossary:ready`."""
    with settled_page(browser, url) as page:
        since = page.evaluate("data => window.__bench.inject('/widget.js', data)", WIDGET_VARIANTS[method])
        page.evaluate("ms => window.__bench.whenReady(ms)", WAIT_MS)
        ready = page.evaluate("({...window.__bench.ready})")
    return Run(
        method=method,
        ms=ready["ms"],
        hits=ready["highlights"],
        wall_ms=ready["at"] - since,
        terms_on_page=ready["terms"],
        prepare_ms=ready["setupMs"],
    )


@contextlib.contextmanager
def settled_page(browser: Any, url: str) -> Iterator[Any]:
    """A fresh page with `url` loaded, painted and quiet.

    For most of a second after `load` the browser still rasterizes the long article on its
    other threads and processes; on two cores, a script run in that time lost 15-60% of its
    wall time to them, varying run by run (its CPU time did not change). After SETTLE_MS the
    browser is idle, and every method is timed alone.
    """
    with fresh_page(browser) as page:
        page.goto(url)
        page.wait_for_load_state("load")
        page.evaluate("ms => window.__bench.settle(ms)", SETTLE_MS)
        yield page


def peer_run(
    browser: Any, url: str, method: str, terms: list[SyntheticTerm], limit_s: float, mark_js: Path | None
) -> Run:
    names = [name for term in terms for name in term.names]
    with settled_page(browser, url) as page:
        if method in MARK_PEERS:
            assert mark_js is not None
            page.add_script_tag(path=str(mark_js))
        page.add_script_tag(path=str(PEERS_JS))
        prepare_ms = None
        if method in FAST_PEERS:
            prepare_ms = page.evaluate("names => window.benchPeers.prepare(names)", names)
        if method == "naive":
            args: list[Any] = [[list(term.names) for term in terms], limit_s * 1000]
        elif method == "markArray":
            args = [names, limit_s * 1000]
        else:
            args = []
        result = page.evaluate("([method, args]) => window.benchPeers[method](...args)", [method, args])
    return Run(
        method=method,
        ms=result["ms"],
        hits=result["hits"],
        finished=result["finished"],
        done=result["done"],
        total=result["total"],
        prepare_ms=prepare_ms,
    )


def long_task_run(browser: Any, url: str) -> tuple[list[float], list[float], float, float, int]:
    """(long task durations, long animation frame durations, layout shift, scan ms, highlights)
    for the widget injected into a page that has finished loading and painting, so the page's own
    parsing and first layout are not counted against it."""
    with settled_page(browser, url) as page:
        since = page.evaluate("data => window.__bench.inject('/widget.js', data)", WIDGET_VARIANTS["widget-all"])
        page.evaluate("ms => window.__bench.whenReady(ms)", WAIT_MS)
        page.evaluate("window.__bench.settle(300)")  # the frames after the last slice count too
        bench = page.evaluate("({...window.__bench})")
    tasks = [duration for start, duration in bench["longTasks"] if start >= since]
    frames = [duration for start, duration in bench["longFrames"] if start >= since]
    shift = sum(value for start, value in bench["shifts"] if start >= since)
    return tasks, frames, shift, bench["ready"]["ms"], bench["ready"]["highlights"]


def profile_run(browser: Any, url: str, save: Path) -> tuple[list[ProfileRow], list[ProfileRow]]:
    """Self and inclusive time per function while the unminified widget starts and scans
    (CDP Profiler); the whole profile is saved to `save`, which Chrome DevTools can open."""
    with settled_page(browser, url) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        page.evaluate(
            "data => window.__bench.inject('/examples/widget.debug.js', data)",
            {**WIDGET_VARIANTS["widget-all"], "api": "/"},
        )
        page.evaluate("ms => window.__bench.whenReady(ms)", WAIT_MS)
        profile = cdp.send("Profiler.stop")["profile"]
    save.write_text(json.dumps(profile))
    return self_times(profile), inclusive_times(profile)


def self_times(profile: dict[str, Any], top: int = 15) -> list[ProfileRow]:
    """Top functions by self time among the samples taken inside the widget's code (a widget
    frame anywhere on the stack, so the DOM and regular-expression work it calls counts too),
    then garbage collection and other native work as rows of their own. Idle time and the
    harness's own calls are left out."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}

    def in_widget(node_id: int | None) -> bool:
        while node_id is not None:
            if nodes[node_id]["callFrame"].get("url", "").endswith("widget.debug.js"):
                return True
            node_id = parents.get(node_id)
        return False

    samples, deltas = profile["samples"], profile["timeDeltas"]
    totals: dict[tuple[str, str], float] = {}
    for i, node_id in enumerate(samples):
        frame = nodes[node_id]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        if name in ("(garbage collector)", "(program)"):
            key = (name, "")
        elif in_widget(node_id):
            key = (name, widget_location(frame))
        else:
            continue
        duration = deltas[i + 1] if i + 1 < len(deltas) else 0
        totals[key] = totals.get(key, 0.0) + duration / 1000
    busy = sum(totals.values()) or 1.0
    rows = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return [ProfileRow(name, where, round(ms, 2), round(ms / busy, 3)) for (name, where), ms in rows]


def inclusive_times(profile: dict[str, Any], top: int = 10) -> list[ProfileRow]:
    """Widget functions by the time they were on the stack; shares are of all the samples
    with any widget function on the stack. The phases are `step` (reading text nodes and
    matching them, with `match` inside it) and `wrap`, both in the scan of highlighter.js."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}
    samples, deltas = profile["samples"], profile["timeDeltas"]
    totals: dict[tuple[str, str], float] = {}
    widget_ms = 0.0
    for i, node_id in enumerate(samples):
        duration = (deltas[i + 1] if i + 1 < len(deltas) else 0) / 1000
        keys = set()
        current: int | None = node_id
        while current is not None:
            frame = nodes[current]["callFrame"]
            if frame.get("url", "").endswith("widget.debug.js"):
                keys.add((frame["functionName"] or "(anonymous)", widget_location(frame)))
            current = parents.get(current)
        widget_ms += duration if keys else 0
        for key in keys:
            totals[key] = totals.get(key, 0.0) + duration
    rows = sorted(totals.items(), key=lambda item: -item[1])
    rows = [row for row in rows if row[0][1] != "bundle wrapper"][:top]
    total = widget_ms or 1.0
    return [ProfileRow(name, where, round(ms, 2), round(ms / total, 3)) for (name, where), ms in rows]


def widget_location(frame: dict[str, Any]) -> str:
    """file:line in widget_js/ for a frame of the unminified bundle; "native" for the browser's
    own functions (DOM, regular expressions) called from it."""
    url = frame.get("url", "")
    if not url.endswith("widget.debug.js"):
        return "native" if not url else url.rsplit("/", 1)[-1]
    line = frame.get("lineNumber", -1)  # 0-based; the bundle's first line is its wrapper
    if line < 1:
        return "bundle wrapper"
    for name in WIDGET_SOURCES:
        length = (widget_source_dir() / name).read_text(encoding="utf-8").count("\n") + 1
        if line <= length:
            return f"{name}:{line}"
        line -= length
    return "widget.debug.js"


# ---- The benchmark --------------------------------------------------------------------------


class Bench:
    """Runs the measurements for one glossary size on its own live server."""

    def __init__(
        self, browser: Any, server: LiveServer, terms: list[SyntheticTerm], config: AnnotateConfig, mark_js: Path | None
    ) -> None:
        self.browser = browser
        self.server = server
        self.terms = terms
        self.config = config
        self.mark_js = mark_js

    def url(self, stem: str) -> str:
        return f"{self.server.url}/examples/{stem}.html"

    def methods(self, headline: bool) -> list[str]:
        widget = list(WIDGET_VARIANTS) if headline else ["widget-all"]
        fast = [m for m in FAST_PEERS if self.mark_js or m not in MARK_PEERS]
        return widget + fast

    def slow_methods(self) -> list[str]:
        return [m for m in SLOW_PEERS if self.mark_js or m not in MARK_PEERS]

    def measure(self, point: Point, stem: str, headline: bool) -> None:
        reps = self.config.reps if headline else self.config.scale_reps
        for _ in range(reps):  # interleaved: drift hits every method alike
            for method in self.methods(headline):
                point.add(self.one(method, stem))
        for _ in range(self.config.slow_reps):
            for method in self.slow_methods():
                point.add(self.one(method, stem))

    def one(self, method: str, stem: str) -> Run:
        if method in WIDGET_VARIANTS:
            return widget_run(self.browser, self.url(stem), method)
        return peer_run(self.browser, self.url(stem), method, self.terms, self.config.limit_s, self.mark_js)

    def long_tasks(self, stem: str, words: int) -> LongTasks:
        tasks: list[float] = []
        frames: list[float] = []
        shifts: list[float] = []
        scans: list[float] = []
        highlights = 0
        for _ in range(self.config.long_task_reps):
            found, long_frames, shift, scan_ms, highlights = long_task_run(self.browser, self.url(stem))
            tasks += found
            frames += long_frames
            shifts.append(shift)
            scans.append(scan_ms)
        return LongTasks(
            words=words,
            runs=self.config.long_task_reps,
            longest_ms=max(tasks, default=0.0),
            long_tasks=sorted(tasks, reverse=True),
            long_frames=sorted(frames, reverse=True),
            cls=max(shifts),
            scan_ms=median(scans),
            highlights=highlights,
        )


def point_words(config: AnnotateConfig, count: int) -> list[int]:
    """The article lengths measured with a glossary of `count` terms."""
    words = {config.words}
    if count == config.terms:
        words.update(config.word_scale)
    return sorted(words)


def run(
    config: AnnotateConfig, workdir: Path = DEFAULT_WORKDIR, browser: Any = None, log: Any = print
) -> AnnotateResult:
    """The whole highlighting benchmark; `browser` is a Playwright Browser, or None to launch
    the Chromium the tests use."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(**chromium_launch_args())
            try:
                return run(config, workdir, launched, log)
            finally:
                launched.close()

    mark_js, peers_note = fetch_mark_js(config.peers)
    points: list[Point] = []
    long_tasks: LongTasks | None = None
    profile: tuple[list[ProfileRow], list[ProfileRow]] = ([], [])
    for count in sorted({config.terms, *config.term_scale}):
        measured = point_words(config, count)
        data, pages, terms = prepare_site(workdir, count)
        extra = [config.long_task_words] if count == config.terms else []
        stems = {words: write_pages(pages, terms, words) for words in {*measured, *extra}}
        log(f"annotate: {count} terms: starting the server")
        app = create_app(data, examples_dir=pages)
        with LiveServer(app) as server:
            bench = Bench(browser, server, terms, config, mark_js)
            for words in measured:
                stem, real_words = stems[words]
                headline = count == config.terms and words == config.words
                log(f"annotate: {count} terms x {real_words} words")
                point = Point(terms=count, words=words, real_words=real_words)
                bench.measure(point, stem, headline)
                points.append(point)
                if headline:
                    log("annotate: CPU profile of the widget")
                    profile = profile_run(browser, bench.url(stem), workdir / "widget.cpuprofile")
            if extra:
                stem, real_words = stems[config.long_task_words]
                log(f"annotate: long tasks and layout shift on {real_words} words")
                long_tasks = bench.long_tasks(stem, real_words)
    assert long_tasks is not None
    return AnnotateResult(asdict(config), points, long_tasks, profile[0], peers_note, browser.version, profile[1])


def fetch_mark_js(peers: bool) -> tuple[Path | None, str]:
    name, version, path = MARK_JS
    if not peers:
        return None, "mark.js not fetched (--no-peers)"
    return npm_package(name, version) / path, f"{name} {version} ({path})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--no-peers", action="store_true", help="do not fetch mark.js")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    config = AnnotateConfig.quick() if args.quick else AnnotateConfig()
    config = replace(config, peers=not args.no_peers)
    result = run(config, args.workdir)
    for point in result.points:
        cells = ", ".join(f"{m} {point.median_ms(m):.1f} ms" for m in point.runs)
        print(f"{point.terms} terms x {point.words} words: {cells}")
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
