"""A smoke run of the benchmark harness (benchmarks/, `make bench`) with tiny sizes, so that it
never rots between full runs.

It runs the same code as the full run: a 50-term glossary, articles of a few hundred to a
thousand words, one-second load runs. What needs downloading is turned off (mark.js, tippy.js
and Popper come from npm only in the full run) and nothing is installed with apt-get; the
widget, the bare floor, the naive baseline, the servers and the report all still run. Load
comes from wrk where it is installed, else from the harness's pure-Python load loop, which is
also exercised on its own here. Everything is written into a temporary folder: the test checks
that nothing in the repository changed, so RESULTS.md is only ever rewritten by `make bench`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from playwright.sync_api import Page

from benchmarks import annotate
from benchmarks import run as bench_run
from benchmarks.annotate import BEFORE, FIRST_HIGHLIGHT_TAGS, MARK_PEERS, PAGE_JS, RTT_MS, WIDGET_VARIANTS, round_trips
from benchmarks.ceiling import create_ceiling_app
from benchmarks.common import ratio
from benchmarks.report import Results, all_targets, dense, headline, issue23_targets, write_report
from benchmarks.server import SERVERS, python_load
from tests.support.server import LiveServer

# Caches that running the tests writes anyway.
NOT_CHECKED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "test-results"}
# Where a harness that ignored its work folder would write: its own folder (the default work
# folder, the npm cache, RESULTS.md and the charts) and the bundled glossary; anything new at
# the top of the repository (a stray site/ or nginx.conf) is caught too. The source folders
# are not compared file by file, because people edit them while the suite runs.
WATCHED = ("benchmarks", "glossary_data")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def repository_files() -> dict[str, tuple[int, int]]:
    """path -> (mtime, size) of every file in the watched folders, and the top-level names."""
    files = {name: (0, 0) for name in os.listdir(ROOT) if name not in NOT_CHECKED}
    for watched in WATCHED:
        for folder, subfolders, names in os.walk(ROOT / watched):
            subfolders[:] = [name for name in subfolders if name not in NOT_CHECKED]
            for name in names:
                path = Path(folder, name)
                stat = path.lstat()
                files[str(path.relative_to(ROOT))] = (stat.st_mtime_ns, stat.st_size)
    return files


class Smoke:
    def __init__(self, results: Results, report: Path, changed: list[str]) -> None:
        self.results = results
        self.report = report
        self.changed = changed


@pytest.fixture(scope="module")
def smoke(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Smoke]:
    before = repository_files()
    workdir = tmp_path_factory.mktemp("bench")
    # Each measured page waits for the browser to go idle first, so that a full run times every
    # method alone; the smoke run checks the harness, not its figures, and saves ~25 s here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(annotate, "SETTLE_MS", 100)
        results = bench_run.run_all(
            quick=True, peers=False, workdir=workdir, install=False, browser=browser, log=lambda message: None
        )
    report = write_report(results, workdir / "report")
    after = repository_files()
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    yield Smoke(results, report, changed)


def test_the_widget_highlights_the_same_occurrences_as_the_floor(smoke: Smoke) -> None:
    point = headline(smoke.results)
    for variant in WIDGET_VARIANTS:
        runs = point.runs[variant]
        assert runs and all(run.hits > 0 and run.ms > 0 and run.wall_ms for run in runs), variant
    floor = point.runs["floor"]
    assert floor and floor[0].hits > 0 and floor[0].ms >= 0
    # The comparison is only fair if every method wraps the same occurrences.
    assert point.runs["widget-all"][0].hits == floor[0].hits
    assert point.runs["widget-first"][0].hits <= point.runs["widget-all"][0].hits
    naive = point.runs["naive"]
    assert naive and naive[0].finished and naive[0].hits > 0


def test_the_dense_article_has_more_highlights_for_every_method_alike(smoke: Smoke) -> None:
    sparse, point = headline(smoke.results), dense(smoke.results)
    assert point is not None and point.real_words > 0
    for method in ("widget-all", "widget-first", BEFORE, "floor"):
        assert point.runs[method] and all(run.ms > 0 or method == "floor" for run in point.runs[method]), method
    hits = point.runs["widget-all"][0].hits
    # Every method wraps the same occurrences, and many more than on the sparse article.
    assert hits == point.runs["floor"][0].hits == point.runs[BEFORE][0].hits
    assert hits > 3 * sparse.runs["widget-all"][0].hits
    assert 0.08 < hits / point.real_words < 0.2  # about one word per highlight, ~13% of the words


def test_the_widget_before_issue_23_ran_beside_todays(smoke: Smoke) -> None:
    assert smoke.results.annotate.before_note == ""
    point = headline(smoke.results)
    assert point.runs[BEFORE] and point.runs[BEFORE][0].hits == point.runs["widget-all"][0].hits
    profiles = {(p.method, p.article): p for p in smoke.results.annotate.profiles}
    assert {(BEFORE, "dense"), ("widget-all", "dense"), (BEFORE, "sparse")} <= profiles.keys()
    assert all(any(".js:" in row.location for row in p.rows) and p.inclusive for p in profiles.values())


def test_without_the_revision_the_widget_before_is_left_out_and_said_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(annotate, "BEFORE_REVISION", "0" * 40)
    before, note = annotate.prepare_before(annotate.AnnotateConfig.quick(), tmp_path)
    assert before is None and "not available" in note


def test_time_to_first_highlight_had_the_script_cached_and_counted_round_trips(smoke: Smoke) -> None:
    runs = smoke.results.annotate.first_highlight
    assert {run.tag for run in runs} == set(FIRST_HIGHLIGHT_TAGS)
    for run in runs:
        assert run.script_cached, run  # else the measurement includes downloading the script
        assert run.requests and run.requests[0][1] == 0 and run.rounds >= 1
        assert run.highlights > 0 and run.wall_ms >= RTT_MS * run.rounds  # the emulated latency applied
    default, categories = (next(r for r in runs if r.tag == tag) for tag in ("default", "categories"))
    # The widget asks for everything at once (issue 23): the categories, and the file of every
    # category or those of the chosen ones.
    assert [path for path, _ in default.requests] == ["api/v1/categories.json", "api/v1/matcher.json"]
    assert sorted(path for path, _ in categories.requests) == [
        "api/v1/categories.json",
        "api/v1/matcher/finance.json",
        "api/v1/matcher/privacy.json",
    ]
    assert default.rounds == categories.rounds == 1


def test_round_trips_count_requests_that_waited_for_an_answer() -> None:
    assert round_trips([]) == 0
    assert round_trips([0, 1, 2]) == 1
    assert round_trips([0, 2, RTT_MS + 5, RTT_MS + 6]) == 2
    assert round_trips([0, RTT_MS, 2 * RTT_MS + 1]) == 3


def test_ratios_to_the_floor_are_positive_numbers(smoke: Smoke) -> None:
    point = headline(smoke.results)
    value = ratio(point.median_ms("widget-all"), max(point.median_ms("floor"), 0.01))
    assert value > 0 and math.isfinite(value)


def test_every_size_was_measured_and_peers_that_need_npm_were_not(smoke: Smoke) -> None:
    result = smoke.results.annotate
    config = result.config
    measured = {(p.terms, p.words) for p in result.points}
    assert {(t, config["words"]) for t in config["term_scale"]} <= measured
    assert {(config["terms"], w) for w in config["word_scale"]} <= measured
    assert not any(set(MARK_PEERS) & p.runs.keys() for p in result.points)
    assert "--no-peers" in result.peers_note
    assert result.chromium


def test_long_tasks_layout_shift_and_profile_were_recorded(smoke: Smoke) -> None:
    long = smoke.results.annotate.long_tasks
    assert long.highlights > 0 and long.scan_ms > 0
    assert long.cls >= 0 and long.longest_ms >= 0
    profile = smoke.results.annotate.profile
    assert profile and any(".js:" in row.location for row in profile)
    assert smoke.results.annotate.profile_inclusive


def test_a_frame_held_back_by_script_is_recorded_with_its_rendering(page: Page) -> None:
    """The long-task row counts long animation frames too: a script that changes the page and
    then runs on for 80 ms makes one frame over 50 ms, and page.js records it."""
    page.add_init_script(path=str(PAGE_JS))
    page.goto("data:text/html,<p>A page</p>")
    page.evaluate("""() => new Promise((resolve) => requestAnimationFrame(() => {
      document.body.append("more text");
      const start = performance.now();
      while (performance.now() - start < 80);
      requestAnimationFrame(() => requestAnimationFrame(resolve));
    }))""")
    page.wait_for_function("window.__bench.longFrames.length > 0", timeout=5000)
    assert max(duration for _, duration in page.evaluate("window.__bench.longFrames")) >= 80


def test_every_server_answered_every_request_under_load(smoke: Smoke) -> None:
    server = smoke.results.server
    servers = [s for s in SERVERS if s != "nginx" or not server.nginx.startswith("not installed")]
    rows = {load.row for load in server.loads}
    assert len(rows) == 4
    for name in servers:
        for workers in server.config["workers"]:
            for row in rows:
                load = server.find(name, workers, server.config["connections"][0], row)
                assert load is not None, (name, workers, row)
                assert load.requests_per_s > 0 and load.errors == 0, load
                assert 0 < load.p50_ms <= load.p99_ms, load
                assert load.loader in ("wrk", "python")
    ours = server.find("ours", 1, server.config["connections"][0], "term JSON")
    bare = server.find("starlette", 1, server.config["connections"][0], "term JSON")
    assert ours and bare and ours.body_bytes == bare.body_bytes
    assert ratio(ours.requests_per_s, bare.requests_per_s) > 0


def test_the_python_load_loop_stands_in_for_wrk() -> None:
    app = create_ceiling_app({"/x": [100, "text/plain"]})
    with LiveServer(app) as server:
        measured = python_load(f"{server.url}/x", {}, connections=2, seconds=0.3)
    assert measured.requests_per_s > 0 and measured.errors == 0
    assert 0 < measured.p50_ms <= measured.p99_ms


def test_the_feedback_benchmark_stored_votes_or_says_why_not(smoke: Smoke) -> None:
    feedback = smoke.results.feedback
    assert feedback is not None
    if not feedback.rows:  # wrk is not installed (make test does not install it) and the run says so
        assert "wrk" in feedback.notes[0]
        return
    (row,) = feedback.rows
    assert row.store == "sqlite" and row.workers == 1
    assert row.posts_per_s > 0 and row.post_errors == 0 and row.paced_errors == 0
    assert row.reads_alone_per_s > 0 and row.reads_with_writes_per_s > 0 and row.paced_posts_per_s > 0


def test_sizes_and_build(smoke: Smoke) -> None:
    size = smoke.results.size
    widget = size.widget
    assert widget.minified
    assert 0 < widget.brotli <= widget.gzip < widget.minified < widget.raw
    assert len(size.indexes) == 5 and all(i.brotli > 0 for i in size.indexes)
    assert size.peers == [] and size.notes
    build = size.build
    assert build.median_s > 0 and build.files_written > build.site_files > 0
    # This machine has /dev/shm: the builds were timed in memory too, and removed from there.
    assert len(build.memory_seconds) == len(build.seconds) and build.memory_median_s > 0
    assert not list(Path("/dev/shm").glob("glossary-build-*"))


def test_the_report_states_every_target(smoke: Smoke) -> None:
    text = smoke.report.read_text()
    targets = all_targets(smoke.results)
    assert len(targets) >= 10
    assert "## Targets" in text and "Chromium" in text and " cores" in text
    for target in targets:
        assert target.text in text
    issue23 = issue23_targets(smoke.results)
    assert "## Targets (issue 23)" in text and len(issue23) >= 15
    for target in issue23:
        assert target.text in text and target.measured in text
    assert "## Highlighting: dense article" in text and "## Time to first highlight" in text
    assert "### Before and after issue 23" in text and "µs per highlight" in text
    for chart in ("scan-vs-words.png", "scan-vs-terms.png"):
        assert (smoke.report.parent / chart).read_bytes().startswith(PNG_MAGIC)


def test_the_report_can_be_rendered_again_from_results_json(smoke: Smoke, tmp_path: Path) -> None:
    data = json.loads(json.dumps(asdict(smoke.results)))
    again = Results.from_json(data)
    assert json.loads(json.dumps(asdict(again))) == data
    assert write_report(again, tmp_path).read_text() == smoke.report.read_text()


def test_only_other_work_at_the_start_marks_the_run_as_busy(smoke: Smoke, tmp_path: Path) -> None:
    """The load at the end of a run is its own (browser, servers, wrk), not a sign of other work."""

    def report(load_start: float, load_end: float) -> str:
        machine = replace(smoke.results.machine, load_start=(load_start, 0.0, 0.0))
        results = replace(smoke.results, machine=machine, load_end=(load_end, 0.0, 0.0))
        return write_report(results, tmp_path).read_text()

    cores = smoke.results.machine.cores
    assert "busy" not in report(0.1, 3.0 * cores)
    assert "The machine was busy when this run began" in report(3.0 * cores, 0.1)


def test_nothing_outside_the_temporary_folder_was_written(smoke: Smoke) -> None:
    assert smoke.changed == [], f"the smoke run changed files in the repository: {smoke.changed}"
