"""Highlighting benchmark: the widget against mark.js, a bare floor and a naive baseline.

Every measurement loads the article in a fresh page (a new browser context, so nothing is
cached) from a uvicorn server on loopback running the real app on a synthetic glossary and,
once it has loaded and painted, adds the widget's script tag (which downloads its real index
files) or runs the peer. The widget reports its own main-thread time
(`glossary:ready` detail.ms); the peers run on an identical copy of the article and are timed
with performance.now() around their synchronous call. Runs of the different methods are
interleaved, so that drift on a shared machine affects them alike, and medians are reported.

For issue 23 the headline size also has a dense article (many more highlights, from many more
terms), where the cost of each highlight shows; the widget as it was before that issue (git
revision BEFORE_REVISION) runs and is profiled beside today's on both articles; and the time to
first highlight is measured with widget.js cached, under an emulated round trip.

    python -m benchmarks.annotate [--quick] [--no-peers] [--workdir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks.common import BENCH_DIR, DEFAULT_WORKDIR, ROOT, median, npm_package
from benchmarks.synthetic import (
    DENSE,
    SPARSE,
    SyntheticTerm,
    article_html,
    count_words,
    synthetic_terms,
    write_glossary,
)
from tests.support.chromium import chromium_launch_args
from tests.support.server import LiveServer
from widget_server import assets
from widget_server.app import create_app
from widget_server.assets import WIDGET_SOURCES, bundle_widget, minify_widget, widget_source_dir

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
# The widget as it was before issue 23 changed how it loads its data and matches, run with
# `all` beside today's for the before/after comparison in RESULTS.md. A fixed revision (the
# last commit before that work), so that "before" stays the same while the widget changes.
BEFORE_REVISION = "7e5e491"
BEFORE = "widget-before"
BEFORE_FILE = f"widget-{BEFORE_REVISION}.js"  # beside the pages, so data-api names the glossary
# The articles: today's headline one and issue 23's dense one (see synthetic.py).
ARTICLES = {"sparse": SPARSE, "dense": DENSE}
# Time to first highlight (issue 23): the round trip emulated with CDP, and the tags compared:
# the default one and one that names two of the five categories.
RTT_MS = 150
FIRST_HIGHLIGHT_TAGS = {"default": {}, "categories": {"categories": "finance,privacy"}}
# Peers that are quick enough to repeat; the slow ones run once per size with a time limit.
FAST_PEERS = ("floor", "markRegExp")
SLOW_PEERS = ("naive", "markArray")
# markRegExp making the widget's highlight element (peers.js): on the two headline articles only,
# where the cost per highlight is measured, for what the element itself costs.
MARK_AS_WIDGET = "markRegExpAsWidget"
HEADLINE_PEERS = (*FAST_PEERS, MARK_AS_WIDGET)
MARK_PEERS = ("markRegExp", MARK_AS_WIDGET, "markArray")
# The methods that report a prepare time apart from their scan (see Run).
PREPARING = (*WIDGET_VARIANTS, BEFORE, *HEADLINE_PEERS)
# What runs on the dense article: what its targets compare, and the floor for scale; not the
# slow peers (mark() with the array alone would take its whole time limit).
DENSE_METHODS = ("widget-all", "widget-first", BEFORE, *HEADLINE_PEERS)


@dataclass(frozen=True)
class AnnotateConfig:
    terms: int = 2000
    words: int = 10_000
    term_scale: tuple[int, ...] = (500, 2000, 5000, 20_000)
    word_scale: tuple[int, ...] = (1000, 10_000, 100_000)
    long_task_words: int = 100_000
    reps: int = 11  # the headline comparison: single runs vary by 2x on two shared cores
    scale_reps: int = 5  # the other sizes, whose medians the scaling targets compare in pairs
    slow_reps: int = 1  # naive and mark() with the array, per size
    limit_s: float = 30.0  # for the naive baseline and mark() with the array
    long_task_reps: int = 3
    dense_reps: int = 5  # the dense article (issue 23), headline glossary and length
    first_highlight_reps: int = 5  # time to first highlight, per tag
    peers: bool = True  # mark.js, fetched with npm
    before: bool = True  # the widget at BEFORE_REVISION, built from git

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
            dense_reps=1,
            first_highlight_reps=1,
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
    article: str = "sparse"  # a key of ARTICLES

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
class Profile:
    """A CPU profile of a widget starting and scanning an article with `all` (see profile_run)."""

    method: str  # widget-all, or BEFORE
    article: str
    words: int
    rows: list[ProfileRow]  # self time
    inclusive: list[ProfileRow]  # time on the stack


@dataclass
class FirstHighlight:
    """One page view with widget.js in the HTTP cache and the glossary not, under an emulated
    round trip of RTT_MS (see first_highlight_run)."""

    tag: str  # a key of FIRST_HIGHLIGHT_TAGS
    wall_ms: float  # tag added to glossary:ready
    scan_ms: float
    setup_ms: float
    highlights: int
    script_cached: bool  # widget.js came from the HTTP cache, not the server
    requests: list[tuple[str, float]]  # (path, ms after the first) of the requests for data
    rounds: int  # sequential round trips those took


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
    # Issue 23: the before/after profiles beside the one above, time to first highlight, and
    # why the widget before issue 23 was not measured (empty when it was).
    profiles: list[Profile] = field(default_factory=list)
    first_highlight: list[FirstHighlight] = field(default_factory=list)
    before_note: str = ""

    def point(self, terms: int, words: int, article: str = "sparse") -> Point:
        found = self.find_point(terms, words, article)
        if found is None:
            raise LookupError(f"no {article} article of {words} words x {terms} terms measured")
        return found

    def find_point(self, terms: int, words: int, article: str = "sparse") -> Point | None:
        """As `point`, None when it was not measured (no dense article in an older run)."""
        return next((p for p in self.points if (p.terms, p.words, p.article) == (terms, words, article)), None)


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


def write_pages(folder: Path, terms: list[SyntheticTerm], words: int, article: str = "sparse") -> tuple[str, int]:
    """Writes the article; returns its file stem and number of words."""
    body = article_html(terms, words, mix=ARTICLES[article])
    stem = f"{'article' if article == 'sparse' else article}-{len(terms)}-{words}"
    (folder / f"{stem}.html").write_text(page_html(body))
    return stem, count_words(body)


@dataclass(frozen=True)
class Bundle:
    """An unminified widget bundle served beside the pages, for the CPU profile: its file name,
    and its source files in order with their lengths in lines, which turn the profile's line
    numbers back into file:line."""

    name: str
    files: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, name: str, folder: Path, sources: tuple[str, ...]) -> Bundle:
        return cls(name, tuple((f, (folder / f).read_text(encoding="utf-8").count("\n") + 1) for f in sources))


@dataclass(frozen=True)
class Before:
    """The widget at BEFORE_REVISION: minified (served as BEFORE_FILE) and readable."""

    code: str
    bundle: Bundle


def current_bundle() -> Bundle:
    return Bundle.of("widget.debug.js", widget_source_dir(), WIDGET_SOURCES)


def git_show(path: str) -> str:
    """A file of this repository as it was at BEFORE_REVISION."""
    command = ["git", "-C", str(ROOT), "show", f"{BEFORE_REVISION}:{path}"]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def assigned(module: str, name: str) -> Any:
    """The literal a Python module's source assigns to `name` at its top level."""
    for node in ast.parse(module).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{name} not assigned")


def build_before(folder: Path) -> Before:
    """The widget as it was at BEFORE_REVISION: the source files that revision's assets.py lists,
    written into `folder` and bundled by today's bundle_widget, so that the two widgets differ
    only in their code. bundle_widget reads the lists of files from its module, where today's
    may name a file the old widget did not have: it is told the old lists while it runs."""
    old_assets = git_show("widget_server/assets.py")
    sources = tuple(assigned(old_assets, "WIDGET_SOURCES"))
    styles = dict(assigned(old_assets, "WIDGET_STYLES"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in (*sources, *styles.values()):
        (folder / name).write_text(git_show(f"widget_js/{name}"), encoding="utf-8")
    with mock.patch.object(assets, "WIDGET_SOURCES", sources), mock.patch.object(assets, "WIDGET_STYLES", styles):
        code = bundle_widget(folder)
    return Before(code, Bundle.of(BEFORE_FILE.replace(".js", ".debug.js"), folder, sources))


def prepare_before(config: AnnotateConfig, workdir: Path) -> tuple[Before | None, str]:
    """The widget before issue 23, or None and why not (no git, a shallow clone without the
    revision): the report then shows only today's widget."""
    if not config.before:
        return None, "not measured (turned off)"
    try:
        return build_before(workdir / "annotate" / f"widget_js-{BEFORE_REVISION}"), ""
    except (OSError, subprocess.SubprocessError, LookupError, SyntaxError, ValueError) as error:
        detail = error.stderr.strip() if isinstance(error, subprocess.CalledProcessError) else str(error)
        return None, f"not measured: git revision {BEFORE_REVISION} is not available here ({detail})"


def prepare_site(workdir: Path, count: int, before: Before | None = None) -> tuple[Path, Path, list[SyntheticTerm]]:
    """A fresh synthetic glossary of `count` terms and a folder for its pages, holding the
    widgets the pages load from there."""
    base = workdir / "annotate" / f"terms-{count}"
    shutil.rmtree(base, ignore_errors=True)
    terms = synthetic_terms(count)
    data = write_glossary(base / "glossary", terms)
    pages = base / "pages"
    pages.mkdir(parents=True)
    # Readable names in the CPU profile: the same widget, not minified.
    (pages / current_bundle().name).write_text(bundle_widget(widget_source_dir()))
    if before is not None:
        # Timed minified, as today's /widget.js is; the readable copy for its profile.
        (pages / BEFORE_FILE).write_bytes(minify_widget(before.code))
        (pages / before.bundle.name).write_text(before.code)
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


def widget_tag(method: str) -> tuple[str, dict[str, str]]:
    """The script's address and data-* attributes of a widget method."""
    if method == BEFORE:
        # Served beside the pages: data-api names the glossary at the server's root.
        return f"/examples/{BEFORE_FILE}", {**WIDGET_VARIANTS["widget-all"], "api": "/"}
    return "/widget.js", WIDGET_VARIANTS[method]


def widget_run(browser: Any, url: str, method: str) -> Run:
    """The widget's script tag added to the loaded, painted article, as for the peers, whose
    scripts run on the loaded article too: neither is charged for the page's own parsing and
    first layout. Wall time runs from adding the tag to `glossary:ready`."""
    with settled_page(browser, url) as page:
        since = page.evaluate("([src, data]) => window.__bench.inject(src, data)", widget_tag(method))
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
        if method in HEADLINE_PEERS:
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


def first_highlight_run(browser: Any, url: str, tag: str) -> FirstHighlight:
    """Time to first highlight for a returning reader: widget.js in the HTTP cache, the glossary
    not, and a round trip of RTT_MS emulated by the browser (CDP), in which the widget's data
    should arrive in one round trip after the script runs.

    The page fetch()es widget.js first, which stores it in the HTTP cache without running it
    (a script tag's load hits the same cache entry: same address, same credentials mode).
    Whether it did is recorded run by run from what the browser reports for the tag's request,
    as are the requests for data after it and how many sequential round trips they took."""
    with settled_page(browser, url) as page:
        page.evaluate("src => fetch(src).then((response) => response.text())", "/widget.js")
        page.evaluate("window.__bench.settle(200)")  # the cache entry is written after the body
        cdp = page.context.new_cdp_session(page)
        sent: dict[str, tuple[str, float]] = {}  # request id -> (address, timestamp in s)
        cached: set[str] = set()

        def on_response(event: dict[str, Any]) -> None:
            response = event["response"]
            if response.get("fromDiskCache") or response.get("fromMemoryCache"):
                cached.add(event["requestId"])

        cdp.on(
            "Network.requestWillBeSent",
            lambda e: sent.setdefault(e["requestId"], (e["request"]["url"], e["timestamp"])),
        )
        cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", on_response)
        cdp.send("Network.enable")
        conditions = {"offline": False, "latency": RTT_MS, "downloadThroughput": -1, "uploadThroughput": -1}
        cdp.send("Network.emulateNetworkConditions", conditions)
        since = page.evaluate("data => window.__bench.inject('/widget.js', data)", FIRST_HIGHLIGHT_TAGS[tag])
        page.evaluate("ms => window.__bench.whenReady(ms)", WAIT_MS)
        ready = page.evaluate("({...window.__bench.ready})")
    script = [rid for rid, (address, _) in sent.items() if address.endswith("/widget.js")]
    data = sorted((at, address) for rid, (address, at) in sent.items() if rid not in script)
    first = data[0][0] if data else 0.0
    requests = [(address.split("/", 3)[-1], round((at - first) * 1000, 1)) for at, address in data]
    return FirstHighlight(
        tag=tag,
        wall_ms=ready["at"] - since,
        scan_ms=ready["ms"],
        setup_ms=ready["setupMs"],
        highlights=ready["highlights"],
        script_cached=bool(script) and all(rid in cached for rid in script),
        requests=requests,
        rounds=round_trips([offset for _, offset in requests]),
    )


def round_trips(offsets_ms: list[float]) -> int:
    """Sequential round trips among requests sent at `offsets_ms` (sorted): a request sent at
    least one emulated round trip after the first of the current round waited for an answer,
    so it starts the next round."""
    rounds, start = 0, float("-inf")
    for offset in offsets_ms:
        if offset - start >= RTT_MS:
            rounds, start = rounds + 1, offset
    return rounds


def profile_run(browser: Any, url: str, save: Path, bundle: Bundle) -> tuple[list[ProfileRow], list[ProfileRow]]:
    """Self and inclusive time per function while an unminified widget starts and scans
    (CDP Profiler); the whole profile is saved to `save`, which Chrome DevTools can open."""
    with settled_page(browser, url) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        page.evaluate(
            "([src, data]) => window.__bench.inject(src, data)",
            [f"/examples/{bundle.name}", {**WIDGET_VARIANTS["widget-all"], "api": "/"}],
        )
        page.evaluate("ms => window.__bench.whenReady(ms)", WAIT_MS)
        profile = cdp.send("Profiler.stop")["profile"]
    save.write_text(json.dumps(profile))
    return self_times(profile, bundle), inclusive_times(profile, bundle)


def self_times(profile: dict[str, Any], bundle: Bundle, top: int = 15) -> list[ProfileRow]:
    """Top functions by self time among the samples taken inside the widget's code (a widget
    frame anywhere on the stack, so the DOM and regular-expression work it calls counts too),
    then garbage collection and other native work as rows of their own. Idle time and the
    harness's own calls are left out."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", [])}

    def in_widget(node_id: int | None) -> bool:
        while node_id is not None:
            if nodes[node_id]["callFrame"].get("url", "").endswith(bundle.name):
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
            key = (name, widget_location(frame, bundle))
        else:
            continue
        duration = deltas[i + 1] if i + 1 < len(deltas) else 0
        totals[key] = totals.get(key, 0.0) + duration / 1000
    busy = sum(totals.values()) or 1.0
    rows = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return [ProfileRow(name, where, round(ms, 2), round(ms / busy, 3)) for (name, where), ms in rows]


def inclusive_times(profile: dict[str, Any], bundle: Bundle, top: int = 10) -> list[ProfileRow]:
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
            if frame.get("url", "").endswith(bundle.name):
                keys.add((frame["functionName"] or "(anonymous)", widget_location(frame, bundle)))
            current = parents.get(current)
        widget_ms += duration if keys else 0
        for key in keys:
            totals[key] = totals.get(key, 0.0) + duration
    rows = sorted(totals.items(), key=lambda item: -item[1])
    rows = [row for row in rows if row[0][1] != "bundle wrapper"][:top]
    total = widget_ms or 1.0
    return [ProfileRow(name, where, round(ms, 2), round(ms / total, 3)) for (name, where), ms in rows]


def widget_location(frame: dict[str, Any], bundle: Bundle) -> str:
    """file:line in the widget's sources for a frame of the unminified bundle; "native" for the
    browser's own functions (DOM, regular expressions) called from it."""
    url = frame.get("url", "")
    if not url.endswith(bundle.name):
        return "native" if not url else url.rsplit("/", 1)[-1]
    line = frame.get("lineNumber", -1)  # 0-based; the bundle's first line is its wrapper
    if line < 1:
        return "bundle wrapper"
    for name, length in bundle.files:
        if line <= length:
            return f"{name}:{line}"
        line -= length
    return bundle.name


# ---- The benchmark --------------------------------------------------------------------------


class Bench:
    """Runs the measurements for one glossary size on its own live server."""

    def __init__(
        self,
        browser: Any,
        server: LiveServer,
        terms: list[SyntheticTerm],
        config: AnnotateConfig,
        mark_js: Path | None,
        before: Before | None = None,
    ) -> None:
        self.browser = browser
        self.server = server
        self.terms = terms
        self.config = config
        self.mark_js = mark_js
        self.before = before

    def url(self, stem: str) -> str:
        return f"{self.server.url}/examples/{stem}.html"

    def available(self, method: str) -> bool:
        """mark.js only where it was fetched; the widget before issue 23 only where git built it."""
        return (method not in MARK_PEERS or self.mark_js is not None) and (method != BEFORE or self.before is not None)

    def methods(self, headline: bool, article: str = "sparse") -> list[str]:
        if article == "dense":
            wanted: tuple[str, ...] = DENSE_METHODS
        else:
            wanted = (*WIDGET_VARIANTS, BEFORE, *HEADLINE_PEERS) if headline else ("widget-all", *FAST_PEERS)
        return [m for m in wanted if self.available(m)]

    def slow_methods(self) -> list[str]:
        return [m for m in SLOW_PEERS if self.available(m)]

    def measure(self, point: Point, stem: str, headline: bool) -> None:
        dense = point.article == "dense"
        reps = self.config.dense_reps if dense else self.config.reps if headline else self.config.scale_reps
        for _ in range(reps):  # interleaved: drift hits every method alike
            for method in self.methods(headline, point.article):
                point.add(self.one(method, stem))
        for _ in range(0 if dense else self.config.slow_reps):
            for method in self.slow_methods():
                point.add(self.one(method, stem))

    def one(self, method: str, stem: str) -> Run:
        if method in WIDGET_VARIANTS or method == BEFORE:
            return widget_run(self.browser, self.url(stem), method)
        return peer_run(self.browser, self.url(stem), method, self.terms, self.config.limit_s, self.mark_js)

    def profiles(self, point: Point, stem: str, workdir: Path) -> list[Profile]:
        """Today's widget's profile and, where it was built, the one before issue 23's."""
        bundles = {"widget-all": current_bundle()}
        if self.before is not None:
            bundles[BEFORE] = self.before.bundle
        found = []
        for method, bundle in bundles.items():
            save = workdir / f"{method}-{point.article}.cpuprofile"
            rows, inclusive = profile_run(self.browser, self.url(stem), save, bundle)
            found.append(Profile(method, point.article, point.real_words, rows, inclusive))
        return found

    def first_highlight(self, stem: str) -> list[FirstHighlight]:
        """Time to first highlight, the tags taking turns run by run."""
        return [
            first_highlight_run(self.browser, self.url(stem), tag)
            for _ in range(self.config.first_highlight_reps)
            for tag in FIRST_HIGHLIGHT_TAGS
        ]

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
    before, before_note = prepare_before(config, workdir)
    points: list[Point] = []
    long_tasks: LongTasks | None = None
    profiles: list[Profile] = []
    first_highlight: list[FirstHighlight] = []
    for count in sorted({config.terms, *config.term_scale}):
        measured = point_words(config, count)
        data, pages, terms = prepare_site(workdir, count, before)
        extra = [config.long_task_words] if count == config.terms else []
        stems = {words: write_pages(pages, terms, words) for words in {*measured, *extra}}
        log(f"annotate: {count} terms: starting the server")
        app = create_app(data, examples_dir=pages)
        with LiveServer(app) as server:
            bench = Bench(browser, server, terms, config, mark_js, before)
            for words in measured:
                stem, real_words = stems[words]
                headline = count == config.terms and words == config.words
                log(f"annotate: {count} terms x {real_words} words")
                point = Point(terms=count, words=words, real_words=real_words)
                bench.measure(point, stem, headline)
                points.append(point)
                if not headline:
                    continue
                log("annotate: CPU profiles of the widgets")
                profiles += bench.profiles(point, stem, workdir)
                # Issue 23's dense article, at the same length and glossary; every target on
                # it (the ratios, `first`, the slope per highlight) reads these same runs.
                dense_stem, dense_words = write_pages(pages, terms, words, "dense")
                log(f"annotate: dense article, {count} terms x {dense_words} words")
                dense = Point(terms=count, words=words, real_words=dense_words, article="dense")
                bench.measure(dense, dense_stem, headline)
                points.append(dense)
                profiles += bench.profiles(dense, dense_stem, workdir)
                log(f"annotate: time to first highlight, {RTT_MS} ms round trip")
                first_highlight = bench.first_highlight(stem)
            if extra:
                stem, real_words = stems[config.long_task_words]
                log(f"annotate: long tasks and layout shift on {real_words} words")
                long_tasks = bench.long_tasks(stem, real_words)
    assert long_tasks is not None
    # Today's widget on the headline article fills the profile fields older results had.
    today = next(p for p in profiles if (p.method, p.article) == ("widget-all", "sparse"))
    return AnnotateResult(
        asdict(config),
        points,
        long_tasks,
        today.rows,
        peers_note,
        browser.version,
        today.inclusive,
        [p for p in profiles if p is not today],
        first_highlight,
        before_note,
    )


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
        print(f"{point.terms} terms x {point.words} words, {point.article}: {cells}")
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
