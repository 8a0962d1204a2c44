"""Earlier builds' content-hashed files, kept beside the new ones so that pinned tags keep working.

A partner that pinned `static/widget.<hash>.js` with Subresource Integrity loads that exact file
until its owner pastes a new tag, and a page a CDN cached before a deploy names the stylesheet of
its own build. A hashed name stands for one content forever, so the files of earlier builds stay
served beside the new ones: `build` carries them over from the folder it replaces (its manifest
lists them, so the next build knows them as its own), and `serve` keeps each one it has built in
its state folder. They are small (the widget is about 19 KB); a publisher deletes the old ones once
no partner pins them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from widget_server.assets import HASH_DIGITS

STATIC = "static/"
# What assets.hashed_name makes: a name, the hex digits of its content's hash, an extension.
HASHED_NAME = re.compile(rf"[A-Za-z0-9_-]+\.[0-9a-f]{{{HASH_DIGITS}}}\.[a-z0-9]+")


def earlier_files(root: Path, listed: Iterable[str], current: Mapping[str, bytes]) -> dict[str, bytes]:
    """The hashed files under `root` among `listed` (an earlier build's manifest) that `current`
    does not have, by path. Only files directly in `static/` with a name of a hashed file, and
    no symbolic link: a manifest is a file on disk, and its list must not reach anywhere else."""
    return {path: (root / path).read_bytes() for path in sorted(listed) if _kept(root, path) and path not in current}


def _kept(root: Path, path: str) -> bool:
    name = path.removeprefix(STATIC)
    target = root / path
    return (
        path.startswith(STATIC)
        and HASHED_NAME.fullmatch(name) is not None
        and not target.is_symlink()
        and target.is_file()
    )


def kept_files(folder: Path, current: Mapping[str, bytes]) -> dict[str, bytes]:
    """Keeps the hashed files of `current` in `folder` (its `static/`), and returns those kept
    there by earlier starts that `current` does not have. Each file is written once, whole
    (renamed into place), so that workers starting together never read half of one."""
    kept = folder / STATIC
    kept.mkdir(parents=True, exist_ok=True)
    for path, body in current.items():
        target = folder / path
        if path.startswith(STATIC) and not target.exists():
            with tempfile.NamedTemporaryFile(dir=kept, prefix=".", suffix=".part", delete=False) as file:
                file.write(body)
            os.chmod(file.name, 0o644)  # as any other file written (NamedTemporaryFile's is 0600)
            os.replace(file.name, target)
    return earlier_files(folder, (STATIC + name for name in os.listdir(kept)), current)
