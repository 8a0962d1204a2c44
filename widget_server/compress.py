"""Writing the site's files to disk, each text file with its precompressed `.br` and `.gz` copies.

Kept apart from the build, with nothing to import but the compressors, because the build runs
it in worker processes: they start in a few milliseconds and need nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import brotli
from whitenoise.compress import Compressor

# A file this small fits in one packet: compressed, it would not arrive any sooner. (Term JSON
# and snippets are this small; leaving them as they are spares a large export two files in
# five, and nginx's gzip_min_length and Vite's compression threshold draw the same line.)
ONE_PACKET = 1400
# Brotli's best setting takes about two seconds a megabyte here (serve makes a copy when first
# asked for it, and the widget gives up on a download after three seconds): a larger file, the
# matcher of a glossary of many thousands of terms, gets quality 9, a tenth of the time for a
# copy about a sixth larger.
BEST_MAX_BYTES = 1024 * 1024


class SiteCompressor(Compressor):
    """WhiteNoise's compressor (its formats, settings and "only if it saves 5%" rule), applied
    to bytes in memory, for files larger than a packet, with brotli's slowest, smallest setting
    kept for the files that partner pages download on every view: the widget and the matcher
    (and the matching indexes, which pinned widgets download), up to BEST_MAX_BYTES.

    Quality 11 costs milliseconds per file, which adds up to minutes over the pages and term
    files of a large glossary; quality 5 (what CDNs use on the fly) is about 30 times faster.
    """

    def may_compress(self, path: str, body: bytes) -> bool:
        """Whether `variants` tries: a server answering this file varies by Accept-Encoding."""
        return len(body) >= ONE_PACKET and self.should_compress(path)

    def variants(self, path: str, body: bytes) -> list[tuple[str, bytes]]:
        if not self.may_compress(path, body):
            return []
        # The widget and the files it downloads on every page view: api/v1/matcher.json and
        # api/v1/matcher/<category>.json (and the matching indexes pinned widgets read).
        if path.endswith(".js") or path.startswith(("api/v1/matcher", "api/v1/index")):
            quality = 11 if len(body) <= BEST_MAX_BYTES else 9
        else:
            quality = 5
        compressed = brotli.compress(body, quality=quality)
        if not self.is_compressed_effectively("Brotli", path, len(body), compressed):
            return []  # then gzip would not be either
        result = [(".br", compressed)]
        compressed = self.compress_gzip(body)
        if self.is_compressed_effectively("Gzip", path, len(body), compressed):
            result.append((".gz", compressed))
        return result


_compressor = SiteCompressor(quiet=True)
# The coding each copy is in, by the suffix its file has in the export.
SUFFIX_CODINGS = {".br": "br", ".gz": "gzip"}


def may_compress(path: str, body: bytes) -> bool:
    """Whether the file gets compressed copies: a server answering it varies by Accept-Encoding."""
    return _compressor.may_compress(path, body)


def compressed_copies(path: str, body: bytes) -> dict[str, bytes]:
    """The copies the export writes beside the file, by coding (`br`, `gzip`), for a server."""
    return {SUFFIX_CODINGS[suffix]: copy for suffix, copy in _compressor.variants(path, body)}


def write_files(root: str, files: Iterable[tuple[str, bytes]]) -> list[tuple[str, int]]:
    """Writes each (path below `root`, bytes) and its compressed copies, into folders that exist;
    returns, for each path, the bytes a brotli-accepting client downloads.

    Paths stay strings: over tens of thousands of files, pathlib's per-call overhead adds up.
    """
    written = []
    for path, body in files:
        target = os.path.join(root, path)
        copies = [("", body), *_compressor.variants(path, body)]
        for suffix, content in copies:
            with open(target + suffix, "wb") as file:
                file.write(content)
        # The brotli copy, where there is one, comes first among the variants.
        written.append((path, len(copies[1][1] if len(copies) > 1 else body)))
    return written
