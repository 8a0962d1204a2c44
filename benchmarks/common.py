"""What the benchmarks share: paths, the machine description, medians, and the npm packages
fetched at benchmark time. (The live server, Chromium, PostgreSQL and system tools they share
with the tests are in tests/support/.)

Nothing here is used by the product or by `make test` beyond the smoke run, which turns the
downloads off.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import statistics
import subprocess
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
CACHE = BENCH_DIR / ".cache"  # git-ignored
DEFAULT_WORKDIR = CACHE / "work"
NPM_DIR = CACHE / "npm"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when either is missing, so tables show "n/a" not a crash."""
    if not denominator or denominator != denominator or numerator != numerator:
        return float("nan")
    return numerator / denominator


# ---- The machine --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    python: str
    system: str
    date: str
    load_start: tuple[float, float, float]

    @classmethod
    def describe(cls) -> Machine:
        return cls(
            cores=os.cpu_count() or 1,
            cpu=cpu_model(),
            python=platform.python_version(),
            system=f"{platform.system()} {platform.release()} ({platform.machine()})",
            date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            load_start=os.getloadavg(),
        )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_ticks() -> tuple[int, int] | None:
    """(all CPU time, the part a hypervisor took for other guests, "steal") since boot, in ticks
    (/proc/stat); None where the system does not say."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(fields[:8]), fields[7]) if len(fields) >= 8 else None


def steal_share(start: tuple[int, int] | None, end: tuple[int, int] | None) -> float:
    """The share of the CPU time between two cpu_ticks() the host took; NaN if unknown."""
    if start is None or end is None or end[0] <= start[0]:
        return float("nan")
    return (end[1] - start[1]) / (end[0] - start[0])


# ---- Tools fetched or installed at benchmark time ------------------------------------------


def npm_package(name: str, version: str, into: Path = NPM_DIR) -> Path:
    """The unpacked `package/` folder of `name@version`, fetched once with `npm pack`.

    npm is the ordinary client of the npm registry; only the published tarball is used, and
    it stays in the git-ignored cache (never a dependency of the product or of `make test`).
    """
    folder = into / f"{name.replace('/', '__')}-{version}"
    if (folder / "package" / "package.json").is_file():
        return folder / "package"
    if shutil.which("npm") is None:
        raise RuntimeError(f"npm is needed to fetch {name}@{version}; install Node.js and npm")
    into.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--pack-destination", str(into), "--silent"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tarball = into / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"
