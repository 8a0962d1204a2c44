"""What the benchmarks share: paths, the machine description, medians, a live server on
loopback, the Chromium the tests use, and the tools fetched or installed at benchmark time.

Nothing here is used by the product or by `make test` beyond the smoke run, which turns the
downloads off.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import socket
import statistics
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
CACHE = BENCH_DIR / ".cache"  # git-ignored
DEFAULT_WORKDIR = CACHE / "work"
NPM_DIR = CACHE / "npm"

# Headless Chromium here, for the tests (tests/conftest.py) and the benchmarks alike.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when either is missing, so tables show "n/a" not a crash."""
    if not denominator or denominator != denominator or numerator != numerator:
        return float("nan")
    return numerator / denominator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    """Polls `url` until it answers (any status), so a load run never starts against a server
    that is still importing."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.05)


class LiveServer:
    """A real uvicorn server on loopback, in a thread: the tests' and the benchmarks' server."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        """`options`: more of uvicorn's settings, such as the `http` protocol."""
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("benchmark server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# ---- Chromium ---------------------------------------------------------------------------------


def playwright_chromium() -> Path | None:
    """Playwright's own Chromium, where `playwright install chromium` could download it."""
    default = Path.home() / ".cache" / "ms-playwright"
    browsers = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", default))
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/chrome-linux*/headless_shell",
    ):
        found = sorted(browsers.glob(pattern))
        if found:
            return found[-1]
    return None


def chromium_launch_args() -> dict[str, Any]:
    """Launch options for Playwright: its own Chromium if present, else the system's; the tests
    use this too, so the benchmark measures the browser the tests use."""
    args: dict[str, Any] = {"headless": True, "args": CHROMIUM_ARGS}
    if playwright_chromium() is None:
        system = shutil.which("chromium") or shutil.which("chromium-browser")
        if system is None:
            raise SystemExit("No Chromium: run `make browser` (or `make bench`), which installs one.")
        args["executable_path"] = system
    return args


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
        check=True, capture_output=True, text=True, timeout=300,
    )
    tarball = into / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def debian_tool(binary: str, package: str, install: bool) -> tuple[str | None, str]:
    """The path of `binary`, installing Debian's `package` with apt-get when `install` is set
    and we are root; otherwise (None, how to install it)."""
    found = shutil.which(binary) or _sbin(binary)
    if found:
        return found, ""
    how = f"{binary} is not installed: run `sudo apt-get install {package}` and retry"
    if not install or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None, how
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing {package} with apt-get ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env, timeout=600,
                   stdout=subprocess.DEVNULL)
    found = shutil.which(binary) or _sbin(binary)
    return (found, "") if found else (None, how)


def _sbin(binary: str) -> str | None:
    for folder in ("/usr/sbin", "/sbin"):
        path = Path(folder) / binary
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None
