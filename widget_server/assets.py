"""The widget bundle and the page stylesheet, with content-hashed names for long caching."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import minify

from widget_server import __version__

PACKAGE_DIR = Path(__file__).parent
# The readable widget source: inside the package when installed from a wheel, else beside it.
WIDGET_SOURCE_DIRS = (PACKAGE_DIR / "widget_js", PACKAGE_DIR.parent / "widget_js")
# Concatenated in this order inside one function scope; see widget_js/README.md. A file imports
# only from the files before it.
WIDGET_SOURCES = ("config.js", "matcher.js", "highlighter.js", "card.js", "switch.js", "main.js")
# The module lines of a widget source file, which say what it takes from the files before it and
# what it gives: the bundle drops them (an import becomes as many empty lines, so that a line of
# the bundle still maps to its file's line, see sourcemap.py).
WIDGET_IMPORT = re.compile(r'^import \{([^}]*)\} from "\./([\w-]+\.js)";$', re.MULTILINE)
WIDGET_EXPORT = re.compile(r"^export (?=(?:async )?function |const |let |class )", re.MULTILINE)
WIDGET_STYLES = {"__HIGHLIGHT_CSS__": "highlight.css", "__CARD_CSS__": "card.css"}
WIDGET_PATH = "widget.js"
# The scripts of our own pages (the configurator, the entry pages' "Was this helpful?", the
# index's "Find a term", the 404 page's "Did you mean"), files rather than inline script so
# that a strict Content-Security-Policy holds on them too.
PAGE_SCRIPTS = ("configure.js", "preview.js", "feedback.js", "index.js", "notfound.js")


@dataclass(frozen=True)
class Assets:
    """The built static files (path below the base URL -> bytes) and the names pages link to."""

    files: dict[str, bytes]
    widget: str  # the content-hashed copy of widget.js, for pinning with SRI
    stylesheet: str
    scripts: dict[str, str] = field(default_factory=dict)  # PAGE_SCRIPTS name -> hashed path


def build_assets() -> Assets:
    widget = minify_widget(bundle_widget(widget_source_dir()))
    stylesheet = minify_css((PACKAGE_DIR / "static" / "glossary.css").read_text(encoding="utf-8"))
    widget_hashed = hashed_name("static/widget.js", widget)
    stylesheet_hashed = hashed_name("static/glossary.css", stylesheet)
    files = {WIDGET_PATH: widget, widget_hashed: widget, stylesheet_hashed: stylesheet}
    scripts = {}
    for name in PAGE_SCRIPTS:
        script = minify_widget((PACKAGE_DIR / "static" / name).read_text(encoding="utf-8"))
        scripts[name] = hashed_name(f"static/{name}", script)
        files[scripts[name]] = script
    return Assets(files=files, widget=widget_hashed, stylesheet=stylesheet_hashed, scripts=scripts)


def widget_source_dir() -> Path:
    for directory in WIDGET_SOURCE_DIRS:
        if (directory / WIDGET_SOURCES[0]).is_file():
            return directory
    searched = " or ".join(map(str, WIDGET_SOURCE_DIRS))
    raise FileNotFoundError(f"widget source not found in {searched}")


def bundle_widget(source_dir: Path) -> str:
    """One strict-mode function around all parts: the widget adds no global but GlossaryWidget."""
    parts = [script_of(name, (source_dir / name).read_text(encoding="utf-8")) for name in WIDGET_SOURCES]
    code = "\n".join(parts)
    for placeholder, css_file in WIDGET_STYLES.items():
        css = minify_css((source_dir / css_file).read_text(encoding="utf-8")).decode()
        code = code.replace(placeholder, json.dumps(css))
    code = code.replace("__VERSION__", json.dumps(__version__))
    return f'(()=>{{"use strict";\n{code}\n}})();\n'


def widget_imports(source: str) -> list[tuple[str, list[str]]]:
    """(file, names) of each import line of a widget source file."""
    return [
        (found[2], [name.strip() for name in found[1].split(",") if name.strip()])
        for found in WIDGET_IMPORT.finditer(source)
    ]


def script_of(name: str, source: str) -> str:
    """A widget source file as a part of the one script: its import lines emptied, `export`
    dropped. Any other module syntax is an error, rather than a bundle that fails to parse in
    every reader's browser."""
    code = WIDGET_EXPORT.sub("", WIDGET_IMPORT.sub(lambda found: "\n" * found[0].count("\n"), source))
    stray = re.search(r"^(import|export)\b.*", code, re.MULTILINE)
    if stray:
        line = code.count("\n", 0, stray.start()) + 1
        raise ValueError(
            f'widget_js/{name}:{line}: the build reads only `import {{ ... }} from "./file.js";` '
            f"and `export` before a declaration, not: {stray[0]}"
        )
    return code


def minify_widget(code: str) -> bytes:
    """tdewolff/minify (Go, shipped in a PyPI wheel): it also shortens local names. For the
    pages' scripts too."""
    return minify.string("application/javascript", code).encode() + b"\n"


def minify_css(css: str) -> bytes:
    return minify.string("text/css", css).encode()


# Hex digits of a content hash in a static file's name (hashed_name).
HASH_DIGITS = 12


def hashed_name(path: str, content: bytes) -> str:
    stem, dot, suffix = path.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:HASH_DIGITS]}{dot}{suffix}"


def integrity(content: bytes) -> str:
    """The Subresource Integrity value of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def script_tag(assets: Assets, base_url: str, categories: list[str], pinned: bool, site: str = "") -> str:
    """The tag a site owner pastes: the stable URL, or the pinned copy with its SRI hash; with
    `site`, the registered site whose settings the widget reads."""
    base = base_url.rstrip("/") + "/"
    attributes = [("src", base + (assets.widget if pinned else WIDGET_PATH))]
    if pinned:
        attributes += [
            ("integrity", integrity(assets.files[assets.widget])),
            ("crossorigin", "anonymous"),
        ]
    if site:
        attributes.append(("data-site", site))
    if categories:
        attributes.append(("data-categories", ",".join(categories)))
    rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes)
    return f"<script {rendered} defer></script>"
