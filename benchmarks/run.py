"""Runs the benchmarks in one go and regenerates RESULTS.md and its charts.

    python -m benchmarks.run            # the full run (`make bench`), 18-20 minutes on 2 cores
    python -m benchmarks.run --quick    # tiny sizes, seconds; writes into the work folder

The full run rewrites benchmarks/RESULTS.md, scan-vs-words.png and scan-vs-terms.png. A quick
run writes its report into the work folder instead, so RESULTS.md only ever holds the figures
of a full run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from benchmarks import annotate, feedback, server, size
from benchmarks.common import BENCH_DIR, DEFAULT_WORKDIR, Machine, cpu_ticks, steal_share
from benchmarks.report import Results, write_report


def run_all(
    quick: bool, peers: bool, workdir: Path, install: bool = True, browser: Any = None, log: Any = print
) -> Results:
    """All the benchmarks; `browser` as for annotate.run (None launches Chromium)."""
    workdir.mkdir(parents=True, exist_ok=True)
    machine = Machine.describe()
    ticks = cpu_ticks()
    started = time.monotonic()
    annotate_config = annotate.AnnotateConfig.quick() if quick else annotate.AnnotateConfig()
    server_config = server.ServerConfig.quick() if quick else server.ServerConfig()
    size_config = size.SizeConfig.quick() if quick else size.SizeConfig()
    # Sizes first (no browser, no load), then the browser, then the servers under load.
    sizes = size.run(replace(size_config, peers=peers), workdir, log)
    highlighting = annotate.run(replace(annotate_config, peers=peers), workdir, browser, log)
    servers = server.run(replace(server_config, install=install and server_config.install), workdir, log)
    feedback_config = feedback.FeedbackConfig.quick() if quick else feedback.FeedbackConfig()
    writes = feedback.run(replace(feedback_config, install=install and feedback_config.install), workdir, log)
    return Results(
        machine,
        highlighting,
        servers,
        sizes,
        time.monotonic() - started,
        os.getloadavg(),
        quick,
        steal_share(ticks, cpu_ticks()),
        writes,
    )


def default_out(quick: bool, args: argparse.Namespace) -> Path:
    """benchmarks/ for a full run; a quick run never touches RESULTS.md."""
    return args.workdir / "quick-report" if quick else BENCH_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds")
    parser.add_argument(
        "--no-peers", action="store_true", help="do not fetch mark.js, tippy.js and Popper (no npm, no network)"
    )
    parser.add_argument("--no-install", action="store_true", help="never run apt-get")
    parser.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help="generated glossaries, pages, exports and raw results"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: re-render the report from a run's results.json",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where RESULTS.md and the charts go (default: benchmarks/ for a full run, the work folder for --quick)",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        results = Results.from_json(json.loads(args.from_json.read_text()))
        print(f"wrote {write_report(results, args.out or default_out(results.quick, args))}")
        return 0
    out = args.out or default_out(args.quick, args)
    load = os.getloadavg()[0]
    if load > 0.75 * (os.cpu_count() or 1):
        print(
            f"warning: the 1-minute load average is {load:.2f}; absolute times will be "
            "inflated (RESULTS.md will say so)",
            file=sys.stderr,
        )
    results = run_all(args.quick, not args.no_peers, args.workdir, not args.no_install)
    (args.workdir / "results.json").write_text(json.dumps(asdict(results), indent=1))
    path = write_report(results, out)
    print(f"wrote {path} in {results.seconds / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
