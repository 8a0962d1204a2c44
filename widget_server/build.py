"""The static export: the same files the server answers with, written to a folder for any CDN."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import brotli
from whitenoise.compress import Compressor

from widget_server import __version__
from widget_server.assets import WIDGET_PATH, Assets, build_assets, integrity
from widget_server.content import load_glossary
from widget_server.site import render_site

MANIFEST = "manifest.json"


class BuildError(Exception):
    """A problem with the output folder (content errors raise GlossaryInvalid instead)."""


@dataclass(frozen=True)
class BuildSummary:
    files: int
    raw_bytes: int
    brotli_bytes: int
    widget_bytes: int
    widget_brotli_bytes: int

    def __str__(self) -> str:
        return (
            f"{self.files} files, {self.raw_bytes:,} bytes raw, "
            f"{self.brotli_bytes:,} bytes brotli; "
            f"widget.js {self.widget_bytes:,} bytes, {self.widget_brotli_bytes:,} bytes brotli"
        )


def build_site(
    data_dir: Path,
    out_dir: Path,
    base_url: str = "",
    progress: Callable[[str], None] = lambda message: None,
) -> BuildSummary:
    """Validate `data_dir` and write the whole site to `out_dir`, replacing a previous build.

    Nothing is written unless the content is valid (load_glossary raises GlossaryInvalid).
    The tree is assembled in a temporary folder beside `out_dir` and moved into place at the end,
    so a failed build never leaves a half-written site.
    """
    progress("checking content")
    glossary = load_glossary(data_dir)
    _check_out_dir(out_dir)
    progress("building the widget")
    assets = build_assets()
    progress(f"rendering {len(glossary.terms)} terms")
    files = render_site(glossary, assets, base_url)
    files[MANIFEST] = _manifest(files, assets, len(glossary.terms), len(glossary.categories))

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        progress(f"writing {len(files)} files")
        written = write_files(staging, files)
        progress("precompressing (brotli, gzip)")
        precompress(written)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _summary(out_dir, files)


def write_files(root: Path, files: dict[str, bytes]) -> list[Path]:
    written = []
    for relative, body in sorted(files.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    return written


def precompress(paths: Iterable[Path]) -> None:
    """Write `.br` and `.gz` beside each text file, where compressing saves enough to matter."""
    compressor = Compressor(quiet=True)
    for path in paths:
        if compressor.should_compress(path.name):
            for _ in compressor.compress(str(path)):
                pass


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise BuildError(
            f"{out_dir} is not empty and holds no {MANIFEST} from an earlier build; "
            "choose an empty or new folder"
        )


def _manifest(files: dict[str, bytes], assets: Assets, terms: int, categories: int) -> bytes:
    widget = files[WIDGET_PATH]
    document = {
        "version": __version__,
        "widget": {
            "stable": WIDGET_PATH,
            "pinned": assets.widget,
            "integrity": integrity(widget),
            "bytes": len(widget),
            "brotli_bytes": brotli_size(widget),
        },
        "counts": {"terms": terms, "categories": categories, "files": len(files) + 1},
        "files": {
            path: {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
            for path, body in sorted(files.items())
        },
    }
    return json.dumps(document, indent=1, sort_keys=True).encode() + b"\n"


def brotli_size(body: bytes) -> int:
    return len(brotli.compress(body, quality=11))


def _summary(out_dir: Path, files: dict[str, bytes]) -> BuildSummary:
    raw = sum(len(body) for body in files.values())
    compressed = 0
    for relative, body in files.items():
        br = out_dir / f"{relative}.br"
        compressed += br.stat().st_size if br.exists() else len(body)
    widget = files[WIDGET_PATH]
    return BuildSummary(
        files=len(files),
        raw_bytes=raw,
        brotli_bytes=compressed,
        widget_bytes=len(widget),
        widget_brotli_bytes=brotli_size(widget),
    )
