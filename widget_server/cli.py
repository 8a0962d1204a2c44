"""The `glossary-widget` command: thin click commands over the library."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from widget_server import __version__
from widget_server.content import GlossaryInvalid, load_glossary

DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("glossary_data"), show_default=True, help="The glossary folder.",
)
BASE_URL_OPTION = click.option(
    "--base-url", default="", help="Public URL of the glossary, e.g. https://glossary.example.org/ "
    "(used for canonical links and JSON-LD; all other links are relative).",
)


class ContentErrors(click.ClickException):
    """Every validation error, one per line, then a count; exit status 1."""

    def __init__(self, invalid: GlossaryInvalid) -> None:
        count = len(invalid.errors)
        super().__init__(f"{invalid}\n{count} error{'s' if count != 1 else ''} in the glossary")

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(self.format_message(), err=True)


@contextlib.contextmanager
def content_errors_reported() -> Iterator[None]:
    """Turns an invalid glossary into the command's error listing, exit status 1."""
    try:
        yield
    except GlossaryInvalid as invalid:
        raise ContentErrors(invalid) from None


@click.group()
@click.version_option(__version__, prog_name="glossary-widget")
def main() -> None:
    """Glossary Widget: check the glossary, serve it, or export it for a CDN."""


@main.command()
@DATA_OPTION
def check(data_dir: Path) -> None:
    """Validate the glossary; print every error with its file and line."""
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    counts = Counter(category for term in glossary.terms for category in term.categories)
    per_category = ", ".join(f"{c.slug} {counts[c.slug]}" for c in glossary.categories)
    click.echo(f"ok: {len(glossary.terms)} terms ({per_category})")


@main.command()
@DATA_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Reload the glossary when its files change.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (use behind a reverse proxy).")
@click.option("--examples", "examples_dir",
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Also serve this folder of example partner pages at /examples/.")
@click.option("--access-log", is_flag=True,
              help="Log every request (off by default: it costs about half the requests/s).")
@BASE_URL_OPTION
def serve(data_dir: Path, host: str, port: int, reload: bool, workers: int,
          examples_dir: Path | None, access_log: bool, base_url: str) -> None:
    """Serve the widget, the API and the glossary pages.

    Requests are not logged unless --access-log says so, as with gunicorn: partner pages call
    the API on every page view, the proxy or CDN in front keeps its own log, and formatting a
    line per request in Python took more time than answering it (benchmarks/RESULTS.md).
    """
    import uvicorn

    from widget_server.app import SETTINGS_VARIABLE, create_app

    settings = {
        "data_dir": data_dir, "base_url": base_url, "reload": reload, "examples_dir": examples_dir,
    }
    with content_errors_reported():
        app = create_app(**settings)  # validates before any worker starts
    origin = f"http://{host}:{port}"
    click.echo(f"Glossary:  {origin}/glossary/")
    click.echo(f"Widget:    {origin}/widget.js")
    if examples_dir is not None:
        click.echo(f"Examples:  {origin}/examples/")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log)
        return
    os.environ[SETTINGS_VARIABLE] = json.dumps(settings, default=str)
    uvicorn.run("widget_server.app:create_app_from_environment", factory=True,
                host=host, port=port, workers=workers, log_level="info", access_log=access_log,
                http="widget_server.protocol:NoDelayHttpToolsProtocol")


@main.command()
@DATA_OPTION
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site to (replaced if it holds an earlier build).")
@BASE_URL_OPTION
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def build(data_dir: Path, out_dir: Path, base_url: str, quiet: bool) -> None:
    """Export the widget, API, pages and snippets as static files for any CDN."""
    from widget_server.build import BuildError, build_site

    def progress(message: str) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"  {message}", err=True)

    try:
        with content_errors_reported():
            summary = build_site(data_dir, out_dir, base_url, progress)
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    if not quiet:
        click.echo(f"Built {out_dir}: {summary}")


@main.command()
@DATA_OPTION
@click.option("--categories", default="", help="Comma-separated category slugs (default: all).")
@click.option("--pinned", is_flag=True,
              help="Pin this exact version: hashed URL with Subresource Integrity.")
@click.option("--base-url", default="http://127.0.0.1:8000/", show_default=True,
              help="Where the glossary is served (the server, or the static export on a CDN).")
def embed(data_dir: Path, categories: str, pinned: bool, base_url: str) -> None:
    """Print the <script> tag a site owner pastes into their article template."""
    from widget_server.assets import build_assets, script_tag

    with content_errors_reported():
        glossary = load_glossary(data_dir)
    chosen = [slug.strip() for slug in categories.split(",") if slug.strip()]
    _require_known(chosen, [c.slug for c in glossary.categories], "--categories")
    click.echo(script_tag(build_assets(), base_url, chosen, pinned))


@main.command()
@DATA_OPTION
@click.argument("title")
@click.option("--category", "categories", multiple=True, required=True,
              help="Category slug; repeat for a term in several categories.")
def new(data_dir: Path, title: str, categories: tuple[str, ...]) -> None:
    """Create terms/<slug>.md for TITLE, ready to fill in."""
    from widget_server.content import load_categories
    from widget_server.scaffold import ScaffoldError, new_term

    with content_errors_reported():
        known = [category.slug for category in load_categories(data_dir)]
    _require_known(categories, known, "--category")
    try:
        path = new_term(data_dir, title, list(categories), datetime.date.today())
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {path}; fill in its sections, then run: glossary-widget check")


@main.command()
@DATA_OPTION
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--categories", default="", help="Comma-separated category slugs (default: all).")
@click.option("--occurrences", type=click.Choice(["first", "all"]), default="first",
              show_default=True, help="Highlight each term once per page, or every time.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def scan(data_dir: Path, paths: tuple[Path, ...], categories: str, occurrences: str,
         output: str) -> None:
    """Show what the widget would highlight in HTML or text files (folders: recursively).

    Every highlight with its sentence, the name that matched and the rule that allowed it;
    every match that context rules refused, and why; and per term, how often it fired and how
    often it was refused.
    """
    from widget_server.highlights import Settings
    from widget_server.scan import format_table, scan_files

    with content_errors_reported():
        glossary = load_glossary(data_dir)
    chosen = [slug.strip() for slug in categories.split(",") if slug.strip()]
    _require_known(chosen, [c.slug for c in glossary.categories], "--categories")
    settings = Settings(categories=tuple(chosen) or None, occurrences=occurrences)
    report = scan_files(paths, glossary, settings)
    if output == "json":
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    else:
        for line in format_table(report):
            click.echo(line)
    if report.errors:
        sys.exit(1)


def _require_known(chosen: tuple[str, ...] | list[str], known: list[str], option: str) -> None:
    unknown = [slug for slug in chosen if slug not in known]
    if unknown:
        message = f"unknown {', '.join(unknown)} (known: {', '.join(known)})"
        raise click.BadParameter(message, param_hint=option)
