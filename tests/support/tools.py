"""System programs the tests and the benchmarks run (nginx, wrk): found where Debian puts
them, or installed with apt-get when allowed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


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
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package], check=True, env=env, timeout=600, stdout=subprocess.DEVNULL
    )
    found = shutil.which(binary) or _sbin(binary)
    return (found, "") if found else (None, how)


def _sbin(binary: str) -> str | None:
    for folder in ("/usr/sbin", "/sbin"):
        path = Path(folder) / binary
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None
