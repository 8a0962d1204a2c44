"""The static export: the same files the server answers with, written to a folder for any CDN."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli

from widget_server import __version__
from widget_server.assets import WIDGET_PATH, Assets, build_assets, integrity
from widget_server.compress import write_files
from widget_server.content import load_glossary
from widget_server.headers import page_headers
from widget_server.model import Glossary
from widget_server.origin import site_of
from widget_server.parallel import map_batches, worker_processes
from widget_server.pinned import earlier_files
from widget_server.site import site_files
from widget_server.urls import BadUrl, folder_url

MANIFEST = "manifest.json"
# The keys _manifest writes: a manifest.json without them is not from a build of this tool.
MANIFEST_KEYS = {"version", "widget", "counts", "files"}
# How many of the files that stop a build its error names.
SHOWN_FOREIGN = 5
# Files handed to a worker process at a time.
WRITE_BATCH = 100


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
    feedback_url: str | None = None,
) -> BuildSummary:
    """Validate `data_dir` and write the whole site to `out_dir`, replacing a previous build.

    With `feedback_url`, the URL of a running `serve`, the entry pages post "Was this helpful?"
    there; without it they have no feedback block (a static site has nothing to post to).

    Nothing is written unless the content is valid (load_glossary raises GlossaryInvalid).
    The tree is assembled in a temporary folder beside `out_dir` and moved into place at the end,
    so a failed build never leaves a half-written site.
    """
    if feedback_url is not None:
        feedback_url = _checked_feedback_url(feedback_url)
    progress("checking content")
    glossary = load_glossary(data_dir)
    replaced = _check_out_dir(out_dir, data_dir)
    progress("building the widget")
    assets = build_assets()
    # The hashed files of the build replaced, for the pinned tags that name them (pinned.py).
    earlier = earlier_files(out_dir, replaced, assets.files)
    files: dict[str, bytes] = {}

    def rendered() -> Iterator[tuple[str, bytes]]:
        for path, body in itertools.chain(site_files(glossary, assets, base_url, feedback_url), earlier.items()):
            files[path] = body  # kept for the manifest, which comes last and lists them all
            yield path, body
        files[MANIFEST] = _manifest(files, assets, glossary, feedback_url)
        yield MANIFEST, files[MANIFEST]

    staging = _staging_folder(out_dir)
    try:
        progress(f"rendering {len(glossary.terms)} terms and writing the files, precompressed with brotli and gzip")
        downloaded = write_site(staging, rendered(), worker_processes(len(glossary.terms)))
        _move_into_place(staging, out_dir)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):  # a full disk, a folder that cannot be written to
            raise BuildError(f"could not write the site to {out_dir}: {error}") from error
        raise
    return BuildSummary(
        files=len(files),
        raw_bytes=sum(len(body) for body in files.values()),
        brotli_bytes=sum(downloaded.values()),
        widget_bytes=len(files[WIDGET_PATH]),
        # Written at brotli's best setting, like the manifest's figure (compress.SiteCompressor).
        widget_brotli_bytes=downloaded[WIDGET_PATH],
    )


def write_site(root: Path, files: Iterable[tuple[str, bytes]], processes: int = 0) -> dict[str, int]:
    """Write `files` below `root`, each text file with `.br` and `.gz` copies beside it; returns
    the bytes a brotli-accepting client downloads for each file.

    With `processes`, that many worker processes compress and write batches of files while
    `files` is still rendering the next ones. For a large glossary compressing takes longer than
    rendering, and in threads the two took turns on the interpreter lock: a 5,000-term export
    took 6-7 s so, against about 4 s with a process per core on two cores.
    """
    folders: set[str] = set()

    def batches() -> Iterator[list[tuple[str, bytes]]]:
        batch: list[tuple[str, bytes]] = []
        for path, body in files:
            folder = os.path.dirname(path)
            if folder not in folders:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                folders.add(folder)
            batch.append((path, body))
            if len(batch) == WRITE_BATCH:
                yield batch
                batch = []
        yield batch

    write = functools.partial(write_files, os.fspath(root))
    written = map_batches(write, batches(), processes)
    return {path: size for batch in written for path, size in batch}


def feedback_origin(feedback_url: str | None) -> str:
    """The origin the entry pages post to, when it is not theirs (`--feedback-url`)."""
    return site_of(feedback_url) if feedback_url else ""


def _checked_feedback_url(url: str) -> str:
    """An absolute http(s) URL ending in `/`, to which the API paths are appended."""
    try:
        return folder_url(url)
    except BadUrl as error:
        raise BuildError(f"--feedback-url {error}") from None


def _staging_folder(out_dir: Path) -> Path:
    """A new, empty folder beside `out_dir` to build in, which then becomes `out_dir`.

    Made by mkdir, so with the user's usual permissions (umask): mkdtemp's folders are private
    (0700), and a web server running as its own user could then read nothing of the site.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        while True:
            staging = _beside(out_dir)
            with contextlib.suppress(FileExistsError):
                staging.mkdir()
                return staging
    except OSError as error:
        raise BuildError(f"cannot make a folder beside {out_dir} to build in: {error.strerror}") from None


def _beside(out_dir: Path) -> Path:
    """A hidden name beside `out_dir` that nothing has yet (most likely: the caller makes it)."""
    return out_dir.parent / f".{out_dir.name}-{secrets.token_hex(4)}"


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Make the finished `staging` folder `out_dir`, with the earlier build kept until then.

    Two renames, not a removal and a rename: the earlier site is moved aside in one step, so a
    web server serving `out_dir` misses it only between the two, and should the second fail it
    is moved back. It is deleted only once the new one is in place.
    """
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    earlier = _beside(out_dir)
    out_dir.rename(earlier)
    try:
        staging.rename(out_dir)
    except BaseException:
        earlier.rename(out_dir)
        raise
    shutil.rmtree(earlier, ignore_errors=True)


def _check_out_dir(out_dir: Path, data_dir: Path) -> set[str]:
    """Refuse an `out_dir` whose replacement would delete anything but an earlier build's files;
    returns the files that earlier build listed (none for a new or empty folder).

    The build replaces `out_dir` whole, so a folder of someone's own files (a PWA with its own
    manifest.json, a gh-pages checkout with .git and CNAME, the glossary sources) must be refused
    before anything is written, and nothing in it may be deleted.
    """
    _refuse_enclosing(out_dir, data_dir)
    if out_dir.is_symlink():
        raise BuildError(f"{out_dir} is a symbolic link; give the path of the folder itself")
    # A mount point (a container's volume, say) cannot be renamed or removed: the build could not
    # put a new site in its place, and deleting the old one first would leave none.
    if os.path.ismount(out_dir):
        raise BuildError(
            f"{out_dir} is a mount point, which the build cannot replace; give a folder inside it, "
            f"such as {out_dir / 'glossary'}"
        )
    if not out_dir.exists():
        return set()
    if not out_dir.is_dir():
        raise BuildError(f"{out_dir} is a file; choose an empty or new folder")
    root = os.fspath(out_dir)
    listed = _earlier_build_files(os.path.join(root, MANIFEST))
    foreign = sorted(_foreign_entries(root, listed or set()))
    if not foreign:
        return listed or set()
    if listed is None:
        reason = f"is not empty and holds no {MANIFEST} of an earlier build"
    else:
        reason = "holds files an earlier build did not write"
    shown = ", ".join(foreign[:SHOWN_FOREIGN])
    more = f" and {len(foreign) - SHOWN_FOREIGN} more" if len(foreign) > SHOWN_FOREIGN else ""
    raise BuildError(
        f"{os.path.join(root, '')} {reason} ({shown}{more}); choose an empty or new folder, or remove them"
    )


def _refuse_enclosing(out_dir: Path, data_dir: Path) -> None:
    """Refuse an `out_dir` that is or holds the glossary sources, the working folder, a home
    folder or a file system root: replacing it would delete them, whatever else it holds."""
    out = out_dir.resolve()
    # expanduser, unlike Path.home(), does not raise where no home folder is known.
    if out.parent == out or out == Path(os.path.expanduser("~")).resolve():
        raise BuildError(f"{out_dir} is {out}; choose a folder of its own for the site")
    for name, inner in (("the glossary folder", data_dir), ("the current folder", Path.cwd())):
        if inner.resolve().is_relative_to(out):
            raise BuildError(f"{out_dir} is or contains {name} ({inner}); choose another folder")


def _earlier_build_files(manifest_path: str) -> set[str] | None:
    """The files an earlier build wrote (those its manifest lists, and the manifest), or None if
    there is no manifest of ours."""
    try:
        with open(manifest_path, "rb") as file:
            document = json.load(file)
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not MANIFEST_KEYS.issubset(document):
        return None
    files = document["files"]
    return {*files, MANIFEST} if isinstance(files, dict) else None


def _foreign_entries(root: str, listed: set[str]) -> Iterator[str]:
    """Every entry below `root` that an earlier build listing `listed` did not write, as a path
    relative to `root` (a folder with a trailing slash, not descended into).

    os.scandir on strings: an export of 5,000 terms holds some 45,000 files and is rebuilt in
    place, so pathlib's per-file overhead would show in every build.
    """
    folders = {""}
    for path in listed:
        folder = path
        while folder := folder.rpartition("/")[0]:
            folders.add(folder)
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(os.path.join(root, folder)) as entries:
            for entry in entries:
                path = folder + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if path in folders:
                        pending.append(path + "/")
                    else:
                        yield path + "/"
                elif not (path in listed or (path.endswith((".br", ".gz")) and path[:-3] in listed)):
                    yield path


def _manifest(files: dict[str, bytes], assets: Assets, glossary: Glossary, feedback_url: str | None) -> bytes:
    """Version, widget (with its SRI string), counts, each file's hash, and the security headers
    the host should send with the pages: the export cannot send headers itself, and with
    `feedback_url` its entry pages post to another origin, which their policy must allow."""
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
        "counts": {"terms": len(glossary.terms), "categories": len(glossary.categories), "files": len(files) + 1},
        "page_headers": page_headers(posts_to=feedback_origin(feedback_url)),
        "files": {
            path: {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
            for path, body in sorted(files.items())
        },
    }
    return json.dumps(document, indent=1, sort_keys=True).encode() + b"\n"


def brotli_size(body: bytes) -> int:
    return len(brotli.compress(body, quality=11))
