"""RESULTS.md and the two charts, from the results of one run of the benchmarks.

Everything in RESULTS.md is computed here from measured figures, including whether each of the
issue's targets was met, so the file can be regenerated at any time and never drifts from the
numbers it reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.annotate import (
    BEFORE,
    BEFORE_REVISION,
    FIRST_HIGHLIGHT_TAGS,
    MARK_AS_WIDGET,
    RTT_MS,
    SETTLE_MS,
    UNLIMITED,
    AnnotateResult,
    FirstHighlight,
    LongTasks,
    Point,
    Profile,
    ProfileRow,
    Run,
)
from benchmarks.common import Machine, median, ratio
from benchmarks.feedback import FeedbackResult, StoreRow
from benchmarks.feedback import table as feedback_table
from benchmarks.feedback import targets as feedback_targets
from benchmarks.server import Load, ServerResult
from benchmarks.size import Build, Bytes, SizeResult
from benchmarks.synthetic import DENSE

LABELS = {
    "widget-all": "this widget, `all`",
    "widget-first": "this widget, `first`",
    "widget-first-max100": "this widget, `first`, default `data-max` (100)",
    "floor": "bare floor (TreeWalker, one regex, no rules)",
    "markRegExp": "mark.js `markRegExp` (one alternation)",
    MARK_AS_WIDGET: "mark.js `markRegExp`, making the widget's highlight element",
    "markArray": "mark.js `mark()` with the array",
    "naive": "naive: one regex per term, first occurrence",
    BEFORE: f"this widget before issue 23 ({BEFORE_REVISION}), `all`",
}
CHART_METHODS = ("widget-all", "floor", "markRegExp", "markArray", "naive")
WIDGET_BROTLI_BUDGET = 7168
BUILD_BUDGET_S = 5.0
FLOOR_RATIO = 1.3
# The issue's figures for orientation (10,000 words x 2,000 terms, scan including compile).
ISSUE_FLOOR_MS, ISSUE_MARKREGEXP_MS = 9.0, 14.0
ISSUE_MARKREGEXP_HITS = 1335  # what markRegExp marked on the issue's article
API_ROWS = ("term JSON", "matcher JSON")
# Issue 23's targets.
MARK_SCAN_RATIO, MARK_TOTAL_RATIO = 0.75, 1.0  # widget `all` against markRegExp, both articles
FIRST_MS = {"sparse": 10.0, "dense": 15.0}  # `first`, median scan
# Building the matcher (`setupMs`) at the headline glossary (2,000 terms) and the largest (20,000).
SETUP_MS = (5.0, 20.0)
FIRST_HIGHLIGHT_SLACK_MS = 50.0  # tag added to ready: one round trip + scan + this
WIDGET_ROW = "widget.js, br"
WIDGET_P99_RATIO = 2.0  # /widget.js p99 against bare Starlette's, 1 worker, 64 connections


@dataclass(frozen=True)
class Results:
    machine: Machine
    annotate: AnnotateResult
    server: ServerResult
    size: SizeResult
    seconds: float
    load_end: tuple[float, float, float]
    quick: bool
    steal: float = float("nan")  # the share of CPU time the host took for other guests
    feedback: FeedbackResult | None = None  # runs before the feedback benchmark existed have none

    @property
    def busy(self) -> bool:
        """Whether other work was running when the run began: the load at the end is mostly
        the run's own (the browser, the servers and wrk), so it tells nothing of other work."""
        return self.machine.load_start[0] > 0.75 * self.machine.cores

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        """The inverse of dataclasses.asdict, for re-rendering a run's results.json."""
        a, s, z, m = data["annotate"], data["server"], data["size"], data["machine"]
        points = [
            Point(
                p["terms"],
                p["words"],
                p["real_words"],
                {method: [Run(**r) for r in runs] for method, runs in p["runs"].items()},
                p.get("article", "sparse"),
            )
            for p in a["points"]
        ]
        profiles = [
            Profile(
                f["method"],
                f["article"],
                f["words"],
                [ProfileRow(**r) for r in f["rows"]],
                [ProfileRow(**r) for r in f["inclusive"]],
            )
            for f in a.get("profiles", [])
        ]
        first_highlight = [
            FirstHighlight(**{**f, "requests": [tuple(r) for r in f["requests"]]}) for f in a.get("first_highlight", [])
        ]
        annotate = AnnotateResult(
            a["config"],
            points,
            LongTasks(**a["long_tasks"]),
            [ProfileRow(**r) for r in a["profile"]],
            a["peers_note"],
            a["chromium"],
            [ProfileRow(**r) for r in a.get("profile_inclusive", [])],
            profiles,
            first_highlight,
            a.get("before_note", ""),
        )
        server = ServerResult(s["config"], [Load(**load) for load in s["loads"]], s["loader"], s["notes"], s["nginx"])
        build = Build(**{**z["build"], "stages": [tuple(st) for st in z["build"]["stages"]]})
        size = SizeResult(
            z["config"],
            Bytes(**z["widget"]),
            [Bytes(**b) for b in z["indexes"]],
            [Bytes(**b) for b in z["peers"]],
            build,
            z["notes"],
        )
        machine = Machine(**{**m, "load_start": tuple(m["load_start"])})
        f = data.get("feedback")
        feedback = FeedbackResult(f["config"], [StoreRow(**r) for r in f["rows"]], f["notes"]) if f else None
        return cls(
            machine,
            annotate,
            server,
            size,
            data["seconds"],
            tuple(data["load_end"]),
            data["quick"],
            data.get("steal", float("nan")),
            feedback,
        )


@dataclass(frozen=True)
class Target:
    text: str
    measured: str
    met: bool | None  # None: could not be measured in this run


def at_most(value: float, limit: float) -> bool | None:
    """Whether `value` is within `limit`; None (not judged) when either could not be measured."""
    return None if value != value or limit != limit else value <= limit


# ---- Formatting -----------------------------------------------------------------------------


def ms(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:,.{digits}f}"


def times(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}x"


def yes_no(met: bool | None) -> str:
    return {True: "**met**", False: "**missed**", None: "not measured"}[met]


def table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def run_cell(runs: list[Run]) -> str:
    """The median, or how far a time-limited peer got."""
    if not runs:
        return "n/a"
    unfinished = [r for r in runs if not r.finished]
    if unfinished:
        r = unfinished[0]
        return f"did not finish in {r.ms / 1000:.0f} s ({r.done:,}/{r.total:,} names)"
    return ms(median([r.ms for r in runs]))


# ---- Targets --------------------------------------------------------------------------------


def headline(results: Results) -> Point:
    config = results.annotate.config
    return results.annotate.point(config["terms"], config["words"])


def dense(results: Results) -> Point | None:
    """Issue 23's dense article at the headline size; None in runs from before it."""
    config = results.annotate.config
    return results.annotate.find_point(config["terms"], config["words"], "dense")


def finished_ms(point: Point | None, method: str, total: bool = False) -> float:
    """The median scan (with `total`, preparing and scanning); NaN unless every run finished."""
    if point is None or not point.runs.get(method):
        return float("nan")
    if not all(r.finished for r in point.runs[method]):
        return float("nan")
    return point.median_total_ms(method) if total else point.median_ms(method)


def scaling_points(results: Results, axis: str) -> list[Point]:
    config = results.annotate.config
    sparse = [p for p in results.annotate.points if p.article == "sparse"]
    if axis == "terms":
        points = [p for p in sparse if p.words == config["words"]]
        return sorted((p for p in points if p.terms in config["term_scale"]), key=lambda p: p.terms)
    points = [p for p in sparse if p.terms == config["terms"]]
    return sorted((p for p in points if p.words in config["word_scale"]), key=lambda p: p.words)


def against_peer(point: Point, size: str, peer: str, label: str, limit: float) -> Target:
    """The widget against a peer on the whole cost of highlighting: preparing and scanning (see
    prepare_note), with the scans alone beside it."""
    widget_total, peer_total = point.median_total_ms("widget-all"), finished_ms(point, peer, True)
    widget_scan, peer_scan = point.median_ms("widget-all"), finished_ms(point, peer)
    whole, alone = ratio(widget_total, peer_total), ratio(widget_scan, peer_scan)
    verdicts = []
    if whole == whole:
        verdicts.append(f"{'met' if whole <= limit else 'missed'} preparing and scanning")
    if alone == alone:
        verdicts.append(f"{'met' if alone <= limit else 'missed'} on the scans alone")
    return Target(
        f"{size}, `all`: at most {limit}x {label}",
        f"{times(whole)} ({ms(widget_total)} ms against {ms(peer_total)} ms, preparing and "
        f"scanning); scans alone {times(alone)} ({ms(widget_scan)} against {ms(peer_scan)} ms); " + ", ".join(verdicts),
        None if whole != whole else whole <= limit,
    )


def word_exponent(results: Results) -> float:
    """d log(time) / d log(words) between the two longest articles: 1.0 is linear."""
    points = scaling_points(results, "words")
    if len(points) < 2:
        return float("nan")
    a, b = points[-2], points[-1]
    ta, tb = a.median_ms("widget-all"), b.median_ms("widget-all")
    if not (ta > 0 and tb > 0):
        return float("nan")
    return math.log(tb / ta) / math.log(b.real_words / a.real_words)


def highlighting_targets(results: Results) -> list[Target]:
    point = headline(results)
    size = f"{point.real_words:,} words x {point.terms:,} terms"
    first = point.median_ms("widget-first")
    targets = [
        against_peer(point, size, "markRegExp", "mark.js `markRegExp`", 0.75),
        against_peer(point, size, "floor", "the bare floor", FLOOR_RATIO),
        Target(f"{size}, `first`: median scan at most 10 ms", f"{ms(first)} ms", first <= 10),
    ]
    exponent = word_exponent(results)
    words = scaling_points(results, "words")
    span = f"{words[-2].real_words:,} to {words[-1].real_words:,} words" if len(words) > 1 else ""
    targets.append(
        Target(
            "Scan time grows at most linearly in words (exponent at most 1.0, 0.1 allowed for noise)",
            f"exponent {exponent:.2f} from {span}",
            None if exponent != exponent else exponent <= 1.1,
        )
    )
    by_terms = {p.terms: p.median_ms("widget-all") for p in scaling_points(results, "terms")}
    low, high = min(by_terms, default=0), max((t for t in by_terms if t <= 5000), default=0)
    growth = ratio(by_terms.get(high, float("nan")), by_terms.get(low, float("nan")))
    targets.append(
        Target(
            f"Nearly flat in terms: {high:,} against {low:,} terms at most 1.5x",
            f"{times(growth)} ({ms(by_terms.get(high))} ms against {ms(by_terms.get(low))} ms)",
            None if growth != growth else growth <= 1.5,
        )
    )
    return targets + long_task_targets(results)


def long_task_targets(results: Results) -> list[Target]:
    long = results.annotate.long_tasks
    return [
        Target(
            f"{long.words:,} words, `all`: no long task (> 50 ms) caused by the widget",
            f"{over_50_ms(long.long_tasks, 'long task')} (Long Tasks API); "
            f"{over_50_ms(long.long_frames, 'frame')} (Long Animation Frames, rendering included)",
            not long.long_tasks and not long.long_frames,
        ),
        Target(f"{long.words:,} words, `all`: layout shift 0", f"{long.cls:.4f}", long.cls == 0),
    ]


def server_targets(results: Results) -> list[Target]:
    server = results.server
    targets = []
    for workers in server.config["workers"]:
        ratios = []
        for connections in server.config["connections"]:
            for row in API_ROWS:
                ours = server.find("ours", workers, connections, row)
                bare = server.find("starlette", workers, connections, row)
                if ours and bare:
                    ratios.append(
                        (ratio(ours.requests_per_s, bare.requests_per_s), f"{row}, {connections} connections")
                    )
        worst = min(ratios, default=(float("nan"), ""))
        targets.append(
            Target(
                f"API JSON, {workers} worker(s): at least 0.8x bare Starlette requests/s",
                f"lowest {times(worst[0])} ({worst[1]})",
                None if worst[0] != worst[0] else worst[0] >= 0.8,
            )
        )
        counts = server.config["connections"]
        connections = 64 if 64 in counts else max(counts)

        def worst_p99(name: str, workers: int = workers, connections: int = connections) -> float:
            return max(
                (
                    load.p99_ms
                    for load in server.loads
                    if load.server == name
                    and load.workers == workers
                    and load.connections == connections
                    and load.row in API_ROWS
                ),
                default=float("nan"),
            )

        ours, ceiling = worst_p99("ours"), worst_p99("starlette")
        targets.append(
            Target(
                f"API JSON, {workers} worker(s): p99 under 25 ms at {connections} connections",
                f"highest p99 {ms(ours)} ms (bare Starlette in the same runs: {ms(ceiling)} ms)",
                None if ours != ours else ours < 25,
            )
        )
    return targets


def widget_size_target(results: Results) -> Target:
    widget = results.size.widget
    return Target(
        f"Widget at most {WIDGET_BROTLI_BUDGET:,} bytes brotli",
        f"{widget.brotli:,} bytes",
        widget.brotli <= WIDGET_BROTLI_BUDGET,
    )


def size_targets(results: Results) -> list[Target]:
    build = results.size.build
    return [
        widget_size_target(results),
        Target(
            f"Build of a {build.terms:,}-term glossary under {BUILD_BUDGET_S:.0f} s "
            "(issue 5's target, shown here with the others)",
            f"{build.median_s:.1f} s (median of {len(build.seconds)}; "
            f"{build.files_written:,} files written){memory_build(build)}",
            build.median_s < BUILD_BUDGET_S,
        ),
    ]


# ---- Issue 23's targets --------------------------------------------------------------------


def article_name(point: Point) -> str:
    hits = median([r.hits for r in point.runs.get("widget-all", [])])
    size = f"{point.real_words:,} words x {point.terms:,} terms, {hits:,.0f} highlights"
    return f"{point.article.capitalize()} article ({size})"


def peer_ratio_target(point: Point, peer: str, label: str, limit: float, total: bool) -> Target:
    """The widget's `all` against a peer on one article: the scans alone, or preparing and
    scanning (the widget's `setupMs` with its scan)."""
    widget, other = finished_ms(point, "widget-all", total), finished_ms(point, peer, total)
    value = ratio(widget, other)
    what = ("scan + setup", f"{label}'s prepare + scan") if total else ("scan", label)
    measured = f"{times(value)} ({ms(widget)} against {ms(other)} ms)"
    if peer == "markRegExp" and point.runs.get(MARK_AS_WIDGET):
        # For scale, not the target's measure: the same peer making the widget's element.
        as_widget = finished_ms(point, MARK_AS_WIDGET, total)
        measured += f"; {times(ratio(widget, as_widget))} when it makes the widget's element ({ms(as_widget)} ms)"
    name = f"{article_name(point)}, `all` {what[0]}: at most {limit}x {what[1]}"
    return Target(name, measured, at_most(value, limit))


def per_highlight_us(sparse: Point, dense: Point, method: str) -> float:
    """Microseconds per highlight: the slope of the median scan between the two articles, whose
    glossary and length are the same, so the extra time is the extra highlights'."""
    if not sparse.runs.get(method) or not dense.runs.get(method):
        return float("nan")
    hits = median([r.hits for r in dense.runs[method]]) - median([r.hits for r in sparse.runs[method]])
    return 1000 * ratio(finished_ms(dense, method) - finished_ms(sparse, method), hits)


def per_highlight_target(results: Results) -> Target:
    sparse, dense_point = headline(results), dense(results)
    if dense_point is None:
        return Target("Per highlight: at most mark.js `markRegExp`'s cost", "no dense article in this run", None)
    widget, peer, as_widget = (
        per_highlight_us(sparse, dense_point, m) for m in ("widget-all", "markRegExp", MARK_AS_WIDGET)
    )
    element = "" if math.isnan(as_widget) else f" ({ms(as_widget, 2)} µs when it makes the widget's element)"
    return Target(
        "Per highlight (scan time's slope from the sparse to the dense article): `all` at most "
        "mark.js `markRegExp`'s cost",
        f"{ms(widget, 2)} µs against {ms(peer, 2)} µs{element}",
        at_most(widget, peer),
    )


def first_targets(results: Results) -> list[Target]:
    targets = []
    for point in (headline(results), dense(results)):
        if point is not None:
            limit, value = FIRST_MS[point.article], finished_ms(point, "widget-first")
            targets.append(
                Target(
                    f"{article_name(point)}, `first`: median scan at most {limit:g} ms",
                    f"{ms(value)} ms",
                    at_most(value, limit),
                )
            )
    return targets


def setup_targets(results: Results) -> list[Target]:
    """`setupMs` at the headline glossary and the largest of the term scaling."""
    config = results.annotate.config
    targets = []
    for terms, limit in zip((config["terms"], max(config["term_scale"])), SETUP_MS, strict=True):
        point = results.annotate.find_point(terms, config["words"])
        value = point.median_prepare_ms("widget-all") if point else float("nan")
        targets.append(
            Target(
                f"Setup (building the matcher, `setupMs`) for {terms:,} terms at most {limit:g} ms",
                f"{ms(value)} ms (median)",
                at_most(value, limit),
            )
        )
    return targets


def first_highlight_target(results: Results, tag: str) -> Target:
    """Tag added to `glossary:ready` at most one round trip + that run's scan + the slack, on
    the median of the runs; not judged unless widget.js came from the cache in every run."""
    runs = [r for r in results.annotate.first_highlight if r.tag == tag]
    text = (
        f"Time to first highlight, {tag_name(tag)}, widget.js cached, {RTT_MS} ms round trip: tag "
        f"added to `glossary:ready` at most one round trip + scan + {FIRST_HIGHLIGHT_SLACK_MS:g} ms"
    )
    if not runs:
        return Target(text, "not measured in this run", None)
    over = median([r.wall_ms - r.scan_ms for r in runs])  # what is not the scan, run by run
    cached = sum(r.script_cached for r in runs)
    measured = (
        f"{ms(median([r.wall_ms for r in runs]), 0)} ms, scan {ms(median([r.scan_ms for r in runs]))} ms: "
        f"{ms(over, 0)} ms besides the scan against {RTT_MS + FIRST_HIGHLIGHT_SLACK_MS:g}; "
        f"data in {rounds_text(runs)}; widget.js from the cache in {cached} of {len(runs)} runs"
    )
    return Target(text, measured, over <= RTT_MS + FIRST_HIGHLIGHT_SLACK_MS if cached == len(runs) else None)


def tag_name(tag: str) -> str:
    data = FIRST_HIGHLIGHT_TAGS[tag]
    return "default tag" if not data else " ".join(f'`data-{k}="{v}"`' for k, v in data.items())


def rounds_text(runs: list[FirstHighlight]) -> str:
    counts = sorted({r.rounds for r in runs})
    return f"{'/'.join(map(str, counts))} round trip(s)"


def widget_p99_target(results: Results) -> Target:
    server = results.server
    counts = server.config["connections"]
    connections = 64 if 64 in counts else max(counts)
    ours, bare = (server.find(name, 1, connections, WIDGET_ROW) for name in ("ours", "starlette"))
    value = ratio(ours.p99_ms, bare.p99_ms) if ours and bare else float("nan")
    return Target(
        f"`/widget.js`, 1 worker, {connections} connections: p99 within {WIDGET_P99_RATIO:g}x bare Starlette's",
        f"{times(value)} ({ms(ours.p99_ms if ours else None)} against {ms(bare.p99_ms if bare else None)} ms)",
        at_most(value, WIDGET_P99_RATIO),
    )


def issue23_targets(results: Results) -> list[Target]:
    """Every target of issue 23, the ones it keeps from before included."""
    targets = []
    for point in (headline(results), dense(results)):
        if point is None:
            targets.append(Target("Dense article", "no dense article in this run", None))
            continue
        targets += [
            peer_ratio_target(point, "markRegExp", "mark.js `markRegExp`", MARK_SCAN_RATIO, total=False),
            peer_ratio_target(point, "markRegExp", "mark.js `markRegExp`", MARK_TOTAL_RATIO, total=True),
        ]
    return [
        *targets,
        per_highlight_target(results),
        *first_targets(results),
        *setup_targets(results),
        *(first_highlight_target(results, tag) for tag in FIRST_HIGHLIGHT_TAGS),
        widget_p99_target(results),
        *long_task_targets(results),
        widget_size_target(results),
    ]


def memory_build(build: Build) -> str:
    return "" if math.isnan(build.memory_median_s) else f"; {build.memory_median_s:.1f} s into memory"


def all_targets(results: Results) -> list[Target]:
    feedback = [Target(*target) for target in feedback_targets(results.feedback)] if results.feedback else []
    return highlighting_targets(results) + server_targets(results) + feedback + size_targets(results)


def feedback_section(results: Results) -> list[str]:
    if results.feedback is None:
        return []
    config = results.feedback.config
    return [
        "## Feedback writes",
        "",
        f"`python -m benchmarks.feedback`: the real `serve` on the bundled glossary; wrk posts votes "
        f"at {config['connections']} connections for {config['duration_s']} s (each post a new "
        "User-Agent, so none is rate-limited or deduplicated), then reads a term's JSON at "
        f"{config['connections']} connections alone and beside a second wrk pacing about "
        f"{config['paced_rate']} posts/s, the two taking turns; medians of {config['runs']} runs.",
        "",
        *feedback_table(results.feedback),
        "",
    ]


# ---- Sections -------------------------------------------------------------------------------


def machine_section(results: Results) -> list[str]:
    machine = results.machine
    load = ", ".join(f"{v:.2f}" for v in machine.load_start)
    load_end = ", ".join(f"{v:.2f}" for v in results.load_end)
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `make bench` (`python -m benchmarks.run{' --quick' if results.quick else ''}`)"
        f" on {machine.date}; do not edit by hand. Sizes, method and caveats are below the tables.",
        "",
        *table(
            ["machine", ""],
            [
                ["CPU", f"{machine.cpu}, {machine.cores} cores"],
                ["System", machine.system],
                ["Chromium", f"{results.annotate.chromium} (headless)"],
                ["Python", machine.python],
                ["Load average (1, 5, 15 min)", f"{load} at the start; {load_end} at the end (mostly this run's own)"],
                [
                    "CPU time taken by the host (steal)",
                    "not reported" if math.isnan(results.steal) else f"{results.steal:.1%} of the run",
                ],
                ["Run time", f"{results.seconds / 60:.1f} min"],
            ],
        ),
    ]
    lines += machine_speed_note(results)
    if results.busy:
        lines += [
            f"**The machine was busy when this run began** (1-minute load average above "
            f"{0.75 * machine.cores:.1f} on {machine.cores} cores): absolute times are "
            "inflated; the ratios, measured side by side, are the figures to trust.",
            "",
        ]
    return lines


def issue_methods_ms(results: Results) -> tuple[float, float]:
    """The floor's and markRegExp's preparing and scanning on the headline page: the two
    methods the issue timed too."""
    point = headline(results)
    return point.median_total_ms("floor"), point.median_total_ms("markRegExp")


def machine_speed_note(results: Results) -> list[str]:
    """The issue's orientation figures beside this run's: they come from the issue's own article,
    so they show the order of magnitude, not this machine's speed; the absolute targets are
    judged on the times measured here."""
    floor, mark = issue_methods_ms(results)
    point = headline(results)
    hits = point.runs.get("markRegExp", [Run("markRegExp", 0.0, 0)])[0].hits
    if math.isnan(floor) or math.isnan(mark):
        return []
    return [
        f"For orientation the issue measured, on its own article, `markRegExp` marking "
        f"{ISSUE_MARKREGEXP_HITS:,} occurrences in about {ISSUE_MARKREGEXP_MS:g} ms and the bare "
        f"floor at about {ISSUE_FLOOR_MS:g} ms. This run's article has {hits:,} occurrences of "
        f"the glossary's names (about 3% of its words, as the issue asks for), and here the floor "
        f"takes {ms(floor)} ms and `markRegExp` {ms(mark)} ms, preparing and scanning. The two "
        "articles differ, so the figures are not a measure of the machines' speeds; the "
        "absolute targets (milliseconds) are judged on the times measured here." + dense_orientation(results),
        "",
    ]


def dense_orientation(results: Results) -> str:
    point = dense(results)
    if point is None or not point.runs.get("markRegExp"):
        return ""
    hits = median([r.hits for r in point.runs["markRegExp"]])
    return (
        f" The dense article (issue 23), written like the issue's, has {hits:,.0f}: there "
        f"`markRegExp` takes {ms(point.median_total_ms('markRegExp'))} ms and the floor "
        f"{ms(point.median_total_ms('floor'))} ms."
    )


def targets_section(results: Results) -> list[str]:
    lines = targets_table("## Targets", "target (issue 7)", all_targets(results))
    lines += targets_table(
        "## Targets (issue 23)",
        "target (issue 23)",
        issue23_targets(results),
        "Each judged in this same run; the dense article's rows, the slope per highlight and `first` read "
        "the runs in *Highlighting: dense article* below, time to first highlight is under *Time to first "
        "highlight*, and the profiles before and after under *Before and after issue 23*.",
    )
    if results.busy:
        lines += [
            "These verdicts were measured on a busy machine: a time target missed by a "
            "small margin may be met on a quiet one, and one met by a small margin may "
            "not. Rerun `make bench` on a quiet machine before relying on them.",
            "",
        ]
    return lines


def targets_table(title: str, header: str, targets: list[Target], note: str = "") -> list[str]:
    missed = [t for t in targets if t.met is False]
    lines = [
        title,
        "",
        *([note, ""] if note else []),
        *table([header, "measured", "result"], ([t.text, t.measured, yes_no(t.met)] for t in targets)),
    ]
    if missed:
        lines += [
            f"{len(missed)} of {len(targets)} targets missed. The widget's CPU profile "
            "(below, under *Where the widget's time goes*) shows where its time goes; "
            "the build's stages are under *Build*.",
            "",
        ]
    return lines


def method_rows(point: Point) -> list[list[str]]:
    """One row per method measured on `point`: the columns of METHOD_HEADER."""
    floor, floor_total = point.median_ms("floor"), point.median_total_ms("floor")
    widget_total = point.median_total_ms("widget-all")
    rows = []
    for method, runs in point.runs.items():
        finished = all(r.finished for r in runs)
        values = [r.ms for r in runs]
        walls = [r.wall_ms for r in runs if r.wall_ms is not None]
        prepared = point.median_prepare_ms(method)
        total = point.median_total_ms(method)
        rows.append(
            [
                LABELS.get(method, method),
                run_cell(runs),
                f"{ms(min(values))}–{ms(max(values))}" if finished else "",
                str(len(runs)),
                f"{median([r.hits for r in runs]):,.0f}",
                "" if math.isnan(prepared) else ms(prepared),
                ms(total) if finished else "",
                times(ratio(median(values), floor)) if finished else "",
                times(ratio(total, floor_total)) if finished else "",
                times(ratio(total, widget_total)) if finished else "",
                ms(median(walls), 0) if walls else "",
            ]
        )
    return rows


METHOD_HEADER = [
    "method",
    "scan ms",
    "range",
    "runs",
    "hits",
    "prepare ms",
    "prepare + scan ms",
    "x floor, scan",
    "x floor, prepare + scan",
    "x widget `all`, prepare + scan",
    "wall ms",
]


def headline_section(results: Results) -> list[str]:
    point = headline(results)
    return [
        f"## Highlighting: {point.real_words:,} words x {point.terms:,} terms",
        "",
        "Main-thread milliseconds, median of the runs, all methods interleaved in one run on "
        "identical copies of the article, each in a fresh page that had loaded and painted and "
        f"then been left alone for {SETTLE_MS / 1000:g} s before the widget's tag was added or "
        "the peer ran (the browser rasterizes a long page on its other threads for most of a "
        "second after `load`, which took 15-60% of a script's wall time on two cores, varying "
        "run by run). *Scan* is the widget's own `glossary:ready` "
        "`ms`, and performance.now() around the peers' synchronous call. *Prepare* is the time "
        "before the scan to turn the names into what scans for them (below the table). "
        "*Wall* is from adding the widget's tag to `glossary:ready`, including the download of "
        "its matcher files from the loopback server. *Hits* are the highlights made.",
        "",
        *table(METHOD_HEADER, method_rows(point)),
        *prepare_note(point),
    ]


def dense_section(results: Results) -> list[str]:
    """Issue 23's dense article beside the sparse one, and the cost per highlight between them."""
    sparse, point = headline(results), dense(results)
    if point is None:
        return []
    hits = median([r.hits for r in point.runs.get("widget-all", [])])
    first = median([r.hits for r in point.runs.get("widget-first", [])])
    slopes = []
    for method in ("widget-all", BEFORE, "markRegExp", MARK_AS_WIDGET, "floor"):
        if sparse.runs.get(method) and point.runs.get(method):
            slopes.append(
                [
                    LABELS[method],
                    ms(finished_ms(sparse, method)),
                    ms(finished_ms(point, method)),
                    f"{median([r.hits for r in sparse.runs[method]]):,.0f}",
                    f"{median([r.hits for r in point.runs[method]]):,.0f}",
                    ms(per_highlight_us(sparse, point, method), 2),
                ]
            )
    return [
        f"## Highlighting: dense article, {point.real_words:,} words x {point.terms:,} terms (issue 23)",
        "",
        f"The same glossary and length as above, written as issue 23's article was: {hits:,.0f} "
        f"highlights, each a one-word name, so about {hits / point.real_words:.0%} of the words are "
        f"inside highlights, drawn from many terms (`first`, which highlights each term once, makes "
        f"{first:,.0f}). Measured as "
        "above, the methods interleaved, in fresh settled pages; the slow peers are not run. "
        + before_sentence(results),
        "",
        *table(METHOD_HEADER, method_rows(point)),
        "What a highlight costs: the slope of the median scan from the sparse article to the dense "
        "one, whose glossary and length are the same, so the extra time is the extra highlights' "
        "(finding them, wrapping them, and for the widget marking each for its card). mark.js "
        "making the widget's highlight element (its tag, class, tabindex, role, aria-haspopup, "
        "aria-expanded and data-glossary-term, with mark.js's own data-markjs) rather than a bare "
        "`<mark>` shows what the element costs apart from finding the matches.",
        "",
        *table(["method", "sparse scan ms", "dense scan ms", "sparse hits", "dense hits", "µs per highlight"], slopes),
    ]


def before_sentence(results: Results) -> str:
    note = results.annotate.before_note
    if note:
        return f"The widget before issue 23 (git revision {BEFORE_REVISION}): {note}."
    return (
        f"*{LABELS[BEFORE]}* is the widget as it was at git revision {BEFORE_REVISION}, before the work "
        "on issue 23, bundled and minified by today's code and loading its data from the same server."
    )


def first_highlight_section(results: Results) -> list[str]:
    runs = results.annotate.first_highlight
    if not runs:
        return []
    rows = []
    for tag in FIRST_HIGHLIGHT_TAGS:
        found = [r for r in runs if r.tag == tag]
        walls = [r.wall_ms for r in found]
        rows.append(
            [
                tag_name(tag),
                str(len(found)),
                ms(median(walls), 0),
                f"{ms(min(walls), 0)}–{ms(max(walls), 0)}",
                ms(median([r.scan_ms for r in found])),
                ms(median([r.setup_ms for r in found])),
                f"{median([r.highlights for r in found]):,.0f}",
                f"{median([len(r.requests) for r in found]):.0f}",
                rounds_text(found),
                f"{sum(r.script_cached for r in found)} of {len(found)}",
            ]
        )
    example = next((r for r in runs if r.tag == "default"), runs[0])
    sent = ", ".join(f"`{path}` +{offset:.0f} ms" for path, offset in example.requests)
    point = headline(results)
    return [
        f"## Time to first highlight ({point.real_words:,} words x {point.terms:,} terms, issue 23)",
        "",
        "A returning reader: widget.js in the browser's HTTP cache, the glossary's files not. Each run "
        "is a fresh browser context; the loaded, settled article `fetch()`es `/widget.js`, which puts "
        "it in the cache without running it; then the browser emulates a round trip of "
        f"{RTT_MS} ms for every request (CDP `Network.emulateNetworkConditions`, no throughput "
        "limit) and the widget's tag is added. *Wall* runs from adding the tag to `glossary:ready`. "
        "Whether the tag's widget.js came from the cache is what the browser reported for that "
        "request (CDP `Network.requestServedFromCache`, `fromDiskCache`); *round trips* counts the "
        "data requests made after the tag one after another: a request sent at least one round trip "
        "after the first of a round waited for an answer. Medians of the runs, the tags taking turns. "
        f"Requests of one run with the default tag, sent after the first: {sent or 'none'}.",
        "",
        *table(
            [
                "tag",
                "runs",
                "wall ms",
                "range",
                "scan ms",
                "setup ms",
                "highlights",
                "data requests",
                "round trips",
                "widget.js from the cache",
            ],
            rows,
        ),
    ]


def prepare_note(point: Point) -> list[str]:
    """Why the targets against the floor and markRegExp count preparing as well as scanning."""
    floor, widget = point.median_ms("floor"), point.median_ms("widget-all")
    widget_total = point.median_total_ms("widget-all")
    if math.isnan(widget_total) or math.isnan(point.median_total_ms("floor")):
        return []  # no prepare times for both (an older results.json, or the floor was not run)
    peer_total = point.median_total_ms("markRegExp") / point.median_total_ms("floor")
    peer_scan = point.median_ms("markRegExp") / floor
    note = (
        "Every page view prepares before it scans: the widget builds its matcher from its files "
        "and compiles its one expression (the `setupMs` of its `glossary:ready` event), and the "
        "floor and `markRegExp` build one "
        "expression of all names and run it three times on a short string, so that it is "
        "compiled before the scan; all of that is timed as *prepare* (the slow methods do it "
        "inside their clock). The targets against the floor and `markRegExp` are judged on "
        "preparing and scanning, the main-thread cost of highlighting a page once the names have "
        "arrived. The issue's own figures read the same way: constructing an expression "
        "costs next to nothing and the engine compiles it on its first runs, so a floor written "
        "as one function has its compile inside its time, and the issue puts `markRegExp` at "
        f"{times(ISSUE_MARKREGEXP_MS / ISSUE_FLOOR_MS)} the floor ({ISSUE_MARKREGEXP_MS:g} against "
        f"{ISSUE_FLOOR_MS:g} ms), as preparing and scanning does here ({times(peer_total)}), where "
        f"the scans alone differ {times(peer_scan)}. The verdicts on the scans alone are in the "
        "*measured* column of the targets."
    )
    if widget > FLOOR_RATIO * floor:
        note += (
            f" Scan alone, the widget takes {times(ratio(widget, floor))} the floor's time: "
            "its expression only finds where a name may begin, and script then reads the "
            "words there, applies the rules the floor has none of (case per term, plurals, "
            "skipped areas, `first` and `data-max`) and marks each highlight for the card."
        )
        if point.median_prepare_ms("floor") > widget_total:
            note += (
                " Compiling that expression for the whole glossary, though, costs more main "
                "thread than the widget's matcher and scan together."
            )
        note += " The profile below shows where the widget's time goes."
    return [note, ""]


def over_50_ms(durations: list[float], what: str) -> str:
    if not durations:
        return f"no {what} over 50 ms"
    return f"{len(durations)} {what}(s) over 50 ms, longest {ms(durations[0])} ms"


def long_task_section(results: Results) -> list[str]:
    long = results.annotate.long_tasks
    tasks = ", ".join(ms(t) for t in long.long_tasks) or "none"
    frames = ", ".join(ms(t) for t in long.long_frames) or "none"
    return [
        f"### Long tasks and layout shift ({long.words:,} words, `all`)",
        "",
        f"The widget's script tag was added to the page after it had loaded and painted, "
        f"{long.runs} time(s); the Long Tasks API, Long Animation Frames and layout-shift entries "
        f"from that moment until two frames after `glossary:ready` are counted. A long task is "
        f"script (or other work) in one task; a long animation frame also counts the style, "
        f"layout and paint that follow it, where the cost of new highlights shows: the browser "
        f"lays out again each paragraph a highlight went into, in its rendering task, which the "
        f"Long Tasks API reports only when a script's callback (requestAnimationFrame) ran in it. "
        f"Scan {ms(long.scan_ms)} ms for {long.highlights:,} "
        f"highlights; long tasks (> 50 ms): {tasks}; frames over 50 ms: {frames}; cumulative "
        f"layout shift {long.cls:.4f}.",
        "",
    ]


def scaling_section(results: Results, charts: dict[str, str]) -> list[str]:
    lines = ["### Scaling", ""]
    for axis, chart in (("terms", charts["terms"]), ("words", charts["words"])):
        points = scaling_points(results, axis)
        header = [f"method \\ {axis}"] + [f"{(p.terms if axis == 'terms' else p.real_words):,}" for p in points]
        rows = [
            [LABELS[m]] + [run_cell(p.runs.get(m, [])) for p in points]
            for m in CHART_METHODS
            if any(p.runs.get(m) for p in points)
        ]
        rows.insert(
            1,
            ["this widget, `all`: wall ms, tag added to ready"]
            + [ms(median([r.wall_ms for r in p.runs.get("widget-all", []) if r.wall_ms]), 0) for p in points],
        )
        for method in ("widget-all", "floor"):
            prepared = [p.median_prepare_ms(method) for p in points]
            if not all(map(math.isnan, prepared)):
                rows.append([f"{LABELS[method]}: prepare ms"] + [ms(value) for value in prepared])
        fixed = (
            f"{points[0].real_words:,} words"
            if axis == "terms" and points
            else f"{results.annotate.config['terms']:,} terms"
        )
        lines += [
            f"Scan time (ms) against {axis} ({fixed}):",
            "",
            *table(header, rows),
            f"![scan time against {axis}]({chart})",
            "",
        ]
    return lines


def profile_section(results: Results) -> list[str]:
    rows = results.annotate.profile
    if not rows:
        return []
    point = headline(results)
    today = Profile("widget-all", "sparse", point.real_words, rows, results.annotate.profile_inclusive)
    return [
        "### Where the widget's time goes",
        "",
        f"CPU profile (Chrome DevTools Protocol Profiler, 100 µs sampling) while the unminified "
        f"widget starts and scans the {point.real_words:,}-word page with `all`: self time of "
        "the samples with a widget function on the stack (DOM and regular-expression work it "
        "calls show as *native*), plus the browser's own work and garbage collection. "
        "Locations are lines in `widget_js/`.",
        "",
        *profile_tables(today, explain=True),
        *before_after_section(results),
    ]


def profile_tables(profile: Profile, explain: bool = False) -> list[str]:
    """A profile's self times, then its phases (time on the stack); `explain` says what the
    phases are, once."""
    saved = f"`{profile.method}-{profile.article}.cpuprofile`"
    if explain:
        caption = (
            "The same profile by phase: time with each widget function on the stack (itself and "
            "everything it calls), as a share of all the time spent in widget code. `step` in "
            "highlighter.js reads a batch of text nodes and keeps what `match` finds in them; "
            f"`wrap` makes each highlight, at the end of a slice. The whole profile is {saved} in "
            "the work folder (open it in Chrome DevTools, Performance panel)."
        )
    else:
        caption = f"By phase, time on the stack (the whole profile: {saved} in the work folder):"
    return [
        *table(
            ["function", "location", "self ms", "share"],
            ([r.function, r.location or "", ms(r.ms), f"{r.share:.0%}"] for r in profile.rows),
        ),
        *(
            [
                caption,
                "",
                *table(
                    ["function", "location", "ms on the stack", "share"],
                    ([r.function, r.location, ms(r.ms), f"{r.share:.0%}"] for r in profile.inclusive),
                ),
            ]
            if profile.inclusive
            else []
        ),
    ]


def widget_code_ms(profile: Profile) -> float:
    """All the time with widget code on the stack: what the phases' shares are of."""
    return next((r.ms / r.share for r in profile.inclusive if r.share), float("nan"))


def before_after_section(results: Results) -> list[str]:
    """The profiles of issue 23's before/after: the dense article first, where the cost per
    highlight shows, then the sparse one before (today's is above)."""
    profiles = {(p.method, p.article): p for p in results.annotate.profiles}
    dense_today, dense_before = profiles.get(("widget-all", "dense")), profiles.get((BEFORE, "dense"))
    if dense_today is None:
        return []  # a run from before issue 23's benchmarks
    lines = ["### Before and after issue 23", ""]
    if dense_before is None:
        lines += [f"{before_sentence(results)} Only today's widget is profiled on the dense article.", ""]
    else:
        lines += [
            f"The same profiles on the dense article ({dense_today.words:,} words), where what each "
            f"highlight costs shows: {before_sentence(results)} Its locations are lines of its own "
            f"sources at {BEFORE_REVISION}. Widget code was on the stack for "
            f"{ms(widget_code_ms(dense_before))} ms before and {ms(widget_code_ms(dense_today))} ms "
            "now (one run each, so a few milliseconds either way are noise).",
            "",
        ]
    shown = [
        (dense_before, f"Dense article, {LABELS[BEFORE]}"),
        (dense_today, f"Dense article, {LABELS['widget-all']} (today)"),
        (profiles.get((BEFORE, "sparse")), f"Sparse article, {LABELS[BEFORE]}"),
    ]
    for profile, title in shown:
        if profile is not None:
            lines += [f"#### {title}", "", *profile_tables(profile)]
    return lines


def server_section(results: Results) -> list[str]:
    server = results.server
    lines = [
        "## Server",
        "",
        f"Load: {server.loader} ({server.config['wrk_threads']} thread), "
        f"{server.config['duration_s']} s per run after a {server.config['warmup_s']} s "
        f"warm-up, on loopback, {server.config['terms']:,}-term glossary. *ours* is "
        "`glossary-widget serve` (no access log, its default); *Starlette* is a bare Starlette "
        "app in the same uvicorn configuration returning a constant body of the same size with "
        "the same headers (the framework's ceiling); "
        f"*nginx* ({server.nginx}) serves the static export. Requests/s, and p50 / p99 latency "
        f"in ms, each the median of {server.config.get('runs', 1)} runs, the three servers "
        "taking turns run by run so that drift reaches them alike: on two shared cores one "
        "run's p99 can be several times its usual value, for every server alike, and with "
        "several workers (which share one listening socket) a run's connections may all be "
        "accepted by one of them, which halves its requests/s by chance. Where there is a core "
        "to spare (one worker on two cores), the servers run on their own cores and wrk on the "
        "rest, so that the two never take turns on one core; otherwise the kernel places them.",
        "",
    ]
    for note in server.notes:
        lines += [f"**Note:** {note}", ""]
    for workers in server.config["workers"]:
        for connections in server.config["connections"]:
            lines += [f"### {workers} worker(s), {connections} connections", ""]
            lines += table(
                ["request", "bytes", "ours", "Starlette", "nginx", "ours / Starlette", "ours / nginx"],
                server_rows(server, workers, connections),
            )
    lines += nagle_note(server)
    return lines


def server_rows(server: ServerResult, workers: int, connections: int) -> list[list[str]]:
    rows = []
    names = dict.fromkeys(load.row for load in server.loads)
    for name in names:
        found = {s: server.find(s, workers, connections, name) for s in ("ours", "starlette", "nginx")}
        cells = []
        for load in found.values():
            cells.append(
                "n/a"
                if load is None
                else f"{load.requests_per_s:,.0f} ({ms(load.p50_ms)} / {ms(load.p99_ms)})"
                + (f", {load.errors} errors" if load.errors else "")
            )
        ours = found["ours"]
        rates = {s: (load.requests_per_s if load else float("nan")) for s, load in found.items()}
        sizes = "/".join(dict.fromkeys(str(load.body_bytes) for load in found.values() if load))
        rows.append(
            [
                f"`{ours.path if ours else name}` ({name})",
                sizes,
                *cells,
                times(ratio(rates["ours"], rates["starlette"])),
                times(ratio(rates["ours"], rates["nginx"])),
            ]
        )
    return rows


def nagle_note(server: ServerResult) -> list[str]:
    """Explains a known uvicorn problem when its symptom shows: with several workers, every
    keep-alive request waits for the client's delayed ACK (about 40 ms on Linux)."""
    fewest = min(server.config["connections"])
    uvicorn = [load for load in server.loads if load.server in ("ours", "starlette") and load.connections == fewest]
    many = median([load.p50_ms for load in uvicorn if load.workers > 1])
    one = median([load.p50_ms for load in uvicorn if load.workers == 1])
    if not (many >= 30 and many >= 3 * one):
        return []
    return [
        "**Why two workers are slower than one:** with `--workers N` uvicorn binds the listening "
        "socket itself without `IPPROTO_TCP`, so asyncio never sets `TCP_NODELAY` on the "
        "accepted connections; every keep-alive request after the first then waits for the "
        "client's delayed ACK (about 40 ms on Linux). The bare Starlette app has the same "
        "problem in the same configuration, so the ratios stay fair, but the absolute figures "
        "for two workers measure that delay, not the server (uvicorn issue #3149). One worker "
        "is not affected.",
        "",
    ]


def size_section(results: Results) -> list[str]:
    size = results.size
    widget = size.widget
    rows = [
        [
            widget.name,
            f"{widget.raw:,}",
            f"{widget.minified or 0:,}",
            f"{widget.gzip:,}",
            f"{widget.brotli:,}",
            "readable bundle / minified, with its CSS",
        ]
    ]
    rows += [[p.name, "", f"{p.minified or p.raw:,}", f"{p.gzip:,}", f"{p.brotli:,}", p.note] for p in size.peers]
    if size.peers:
        total = size.peers
        rows.append(
            [
                "mark.js + tippy.js + Popper",
                "",
                f"{sum(p.raw for p in total):,}",
                f"{sum(p.gzip for p in total):,}",
                f"{sum(p.brotli for p in total):,}",
                "three files, each compressed",
            ]
        )
    index_rows = [[i.name, i.note, f"{i.raw:,}", f"{i.gzip:,}", f"{i.brotli:,}"] for i in size.indexes]
    build = size.build
    lines = [
        "## Sizes",
        "",
        "Bytes; gzip at level 9, brotli at quality 11 (what the build writes for these files).",
        "",
        *table(["file", "raw", "minified", "gzip", "brotli", "note"], rows),
    ]
    for note in size.notes:
        lines += [note, ""]
    lines += [
        f"Matcher file per category, {size.config['index_terms']:,}-term synthetic glossary:",
        "",
        *table(["category", "terms", "raw", "gzip", "brotli"], index_rows),
        "## Build",
        "",
        f"`build_site` of a {build.terms:,}-term synthetic glossary into a fresh folder under the "
        f"work folder: {build.median_s:.1f} s median ({', '.join(f'{s:.1f}' for s in build.seconds)}"
        f" s), {build.site_files:,} site files, {build.files_written:,} files written with the "
        f".br and .gz copies, {build.raw_bytes:,} bytes raw, {build.brotli_bytes:,} brotli. "
        + memory_build_note(build)
        + "Stages as `build_site` reports them (last run on disk):",
        "",
        *table(["stage", "seconds"], ([stage, f"{sec:.2f}"] for stage, sec in build.stages)),
    ]
    return lines


def memory_build_note(build: Build) -> str:
    if math.isnan(build.memory_median_s):
        return ""
    runs = ", ".join(f"{s:.1f}" for s in build.memory_seconds)
    return (
        f"The same builds into memory (/dev/shm): {build.memory_median_s:.1f} s median "
        f"({runs} s); the difference is the file system's. "
    )


def method_section(results: Results) -> list[str]:
    config = results.annotate.config
    return [
        "## Method",
        "",
        "- Glossary and articles: `benchmarks/synthetic.py`, seeded. Terms have one to four "
        "words of four to twelve letters, a fifth an alias, one in 25 is a case-sensitive "
        "acronym; articles have headings, paragraphs, lists, links and inline markup, and about "
        "3% of their words belong to terms (mostly from a topic of 50 terms, so terms recur). "
        "Glossary words never fall inside links or headings, so every method has the same "
        "occurrences to wrap (see the *hits* column).",
        "- Pages and data come from uvicorn on loopback running `create_app` on the generated "
        "glossary; the widget downloads its real index files. Each run is a fresh browser context "
        "(empty cache).",
        f"- The widget runs with `data-max={UNLIMITED}` (every occurrence, as the "
        "peers wrap them all) unless the row says default `data-max`; its `ms` is the main-thread "
        "time of the scan in slices, and its `setupMs` the time to build its matcher from the "
        "downloaded index (*prepare*); downloading is only in *wall*.",
        "- The floor and `markRegExp` get the same expression, built, compiled and run three times "
        "on a short string before the scan, all timed as *prepare*: escaped names, "
        "longest first, `\\b` on both sides, flags `gi`. On the two headline articles "
        "`markRegExp` also runs making the widget's highlight (its `element`, `className` and, in "
        "`each`, the attributes the widget's template has and one fixed `data-glossary-term`). "
        "`mark()` with the array uses "
        '`accuracy: "exactly"`, `separateWordSearch: false` and the other defaults; it is run '
        "on consecutive slices of its own longest-first keyword order (the same work as one "
        f"call) so it can stop after {config['limit_s']:.0f} s. The naive baseline builds one "
        "case-insensitive expression per term and walks the text nodes until its first "
        "occurrence; it stops after the same limit.",
        "- The dense article (issue 23) is written by the same generator with another mix: about "
        f"{DENSE.density:.1%} of its words are glossary names of at most {DENSE.name_words} word(s) "
        f"each, most from a topic of {DENSE.topic} terms. "
        f"The widget before issue 23 is git revision {BEFORE_REVISION}'s `widget_js/`, bundled and "
        "minified by today's `widget_server/assets.py` and served beside the pages; the server "
        "still serves the data files it reads.",
        f"- Medians of {config['reps']} runs for the headline page, "
        f"{config.get('dense_reps', 'no')} for the dense article, {config['scale_reps']} for "
        f"the other sizes; the naive baseline and `mark()` with the array run "
        f"{config['slow_reps']} time(s) per size (not on the dense article). Time to first "
        f"highlight: {config.get('first_highlight_reps', 'no')} runs per tag.",
        "- Raw results: `results.json` in the work folder (`benchmarks/.cache/work/`).",
        "",
    ]


# ---- Charts ---------------------------------------------------------------------------------


def draw_chart(results: Results, axis: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    points = scaling_points(results, axis)
    figure, axes = plt.subplots(figsize=(10, 4.8), dpi=100)
    for method in CHART_METHODS:
        xs, ys, open_xs, open_ys = [], [], [], []
        for p in points:
            runs = p.runs.get(method, [])
            if not runs:
                continue
            x = p.terms if axis == "terms" else p.real_words
            if all(r.finished for r in runs):
                xs.append(x)
                ys.append(median([r.ms for r in runs]))
            else:
                open_xs.append(x)
                open_ys.append(max(r.ms for r in runs))
        if not xs and not open_xs:
            continue
        line = axes.plot(xs, ys, marker="o", label=LABELS[method].replace("`", ""))[0]
        if open_xs:
            axes.plot(
                open_xs,
                open_ys,
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                color=line.get_color(),
                label=f"{LABELS[method].replace('`', '')}: did not finish\n(open circle at the time limit)",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks([p.terms if axis == "terms" else p.real_words for p in points])
    number = FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}")
    axes.xaxis.set_major_formatter(number)
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_formatter(number)
    axes.set_xlabel("glossary terms" if axis == "terms" else "article words")
    axes.set_ylabel("scan time, ms (log)")
    fixed = (
        f"{points[0].real_words:,} words"
        if axis == "terms" and points
        else f"{results.annotate.config['terms']:,} terms"
    )
    axes.set_title(f"Scan time against {axis} ({fixed}), headless Chromium")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


# Figures measured once, by hand, while a design choice was made: `make bench` does not measure
# them again, so each keeps the date and the commit that measured it. The docs link here rather
# than quote figures.
EARLIER_MEASUREMENTS = [
    [
        "uvicorn with httptools and uvloop against its pure-Python defaults (`serve`)",
        "about 3x the requests/s",
        "2026-12-01, 0326730",
    ],
    [
        "`serve --access-log` against no request log",
        "about half the requests/s: formatting a line took longer than answering",
        "2026-12-02, 93bde7c",
    ],
    [
        "100,000-word page, `all`, all new highlights laid out in one frame (before slices ended at 32 text nodes)",
        "one frame of 100-190 ms on two slow cores",
        "2026-12-03, f6fa3e9",
    ],
    ["the same page, slices ending at 32 text nodes", "no frame over 50 ms; 20-35 ms each", "2026-12-03, f6fa3e9"],
    [
        "`python -m benchmarks.feedback`, SQLite, 1 worker (load average 10-14 on 2 cores)",
        "4,132 accepted posts/s, p99 178 ms",
        "2026-12-06, e5a1106",
    ],
    ["the same, PostgreSQL, 2 workers", "5,533 accepted posts/s, p99 144 ms", "2026-12-06, e5a1106"],
]


def earlier_section() -> list[str]:
    return [
        "## Measured outside `make bench`",
        "",
        "Figures measured once while a design choice was made (details in the commit's message); "
        "not measured again by this run.",
        "",
        *table(["what", "measured", "when, commit"], EARLIER_MEASUREMENTS),
    ]


def write_report(results: Results, out: Path) -> Path:
    """Writes RESULTS.md and the charts into `out`; returns the RESULTS.md path."""
    out.mkdir(parents=True, exist_ok=True)
    charts = {"words": "scan-vs-words.png", "terms": "scan-vs-terms.png"}
    for axis, name in charts.items():
        draw_chart(results, axis, out / name)
    lines = (
        machine_section(results)
        + targets_section(results)
        + headline_section(results)
        + long_task_section(results)
        + scaling_section(results, charts)
        + profile_section(results)
        + dense_section(results)
        + first_highlight_section(results)
        + server_section(results)
        + feedback_section(results)
        + size_section(results)
        + method_section(results)
        + earlier_section()
    )
    path = out / "RESULTS.md"
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path
