"""The static export: the same files the server answers with, written to a folder for any CDN."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli
from whitenoise.compress import Compressor

from widget_server import __version__
from widget_server.assets import WIDGET_PATH, Assets, build_assets, integrity
from widget_server.content import load_glossary
from widget_server.site import site_files

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
    files: dict[str, bytes] = {}

    def rendered() -> Iterator[tuple[str, bytes]]:
        for path, body in site_files(glossary, assets, base_url):
            files[path] = body  # kept for the manifest, which comes last and lists them all
            yield path, body
        files[MANIFEST] = _manifest(files, assets, len(glossary.terms), len(glossary.categories))
        yield MANIFEST, files[MANIFEST]

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        progress(f"rendering {len(glossary.terms)} terms and writing the files, precompressed with brotli and gzip")
        downloaded = write_site(staging, rendered())
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildSummary(
        files=len(files),
        raw_bytes=sum(len(body) for body in files.values()),
        brotli_bytes=sum(downloaded.values()),
        widget_bytes=len(files[WIDGET_PATH]),
        # Written at brotli's best setting, like the manifest's figure (SiteCompressor).
        widget_brotli_bytes=downloaded[WIDGET_PATH],
    )


def write_site(root: Path, files: Iterable[tuple[str, bytes]]) -> dict[str, int]:
    """Write `files` below `root`, each text file with `.br` and `.gz` copies beside it; returns
    the bytes a brotli-accepting client downloads for each file.

    A thread per core compresses and writes while `files` is still being rendered (both
    compressors and the file system calls release the GIL). Paths stay strings: over tens of
    thousands of files, pathlib's per-call overhead adds up.
    """
    compressor = SiteCompressor(quiet=True)
    folders: set[str] = set()

    def in_place(files: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
        for path, body in files:
            folder = os.path.dirname(path)
            if folder not in folders:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                folders.add(folder)
            yield path, body

    def write(item: tuple[str, bytes]) -> tuple[str, int]:
        path, body = item
        target = os.path.join(root, path)
        copies = [("", body), *compressor.variants(path, body)]
        for suffix, content in copies:
            with open(target + suffix, "wb") as file:
                file.write(content)
        # The brotli copy, where there is one, comes first among the variants.
        return path, len(copies[1][1] if len(copies) > 1 else body)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(pool.map(write, in_place(files)))


class SiteCompressor(Compressor):
    """WhiteNoise's compressor (its formats, settings and "only if it saves 5%" rule), applied
    to bytes in memory, with brotli's slowest, smallest setting kept for the files that partner
    pages download on every view: the widget and the matching indexes.

    Quality 11 costs milliseconds per file, which adds up to minutes over the pages and term
    files of a large glossary; quality 5 (what CDNs use on the fly) is about 30 times faster.
    """

    def variants(self, path: str, body: bytes) -> list[tuple[str, bytes]]:
        if not self.should_compress(path):
            return []
        quality = 11 if path.endswith(".js") or path.startswith("api/v1/index/") else 5
        compressed = brotli.compress(body, quality=quality)
        if not self.is_compressed_effectively("Brotli", path, len(body), compressed):
            return []  # then gzip would not be either
        result = [(".br", compressed)]
        compressed = self.compress_gzip(body)
        if self.is_compressed_effectively("Gzip", path, len(body), compressed):
            result.append((".gz", compressed))
        return result


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
