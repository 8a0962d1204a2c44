"""The Chromium the tests and the benchmarks launch: Playwright's own where it is installed,
else the system's, always headless with the same arguments."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

# Headless Chromium here, for the tests (tests/conftest.py) and the benchmarks alike.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
