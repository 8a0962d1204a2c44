"""The `glossary-widget` command: thin click commands over the library."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shlex
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from widget_server import __version__
from widget_server.content import load_glossary
from widget_server.model import GlossaryInvalid, NoGlossary
from widget_server.sites import describe
from widget_server.suggest import did_you_mean
from widget_server.urls import BadUrl, folder_url, is_loopback


class BaseUrl(click.ParamType):
    """An absolute http(s) URL, given back with its trailing slash; "" (not given) stays ""."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if not value:
            return ""
        try:
            return folder_url(value)
        except BadUrl as error:
            self.fail(str(error), param, ctx)


DATA_OPTION = click.option(
    # Not file_okay=False: a file there gets the message of a missing folder (NoGlossaryError).
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=Path("glossary_data"),
    show_default=True,
    help="The glossary folder.",
)
BASE_URL_OPTION = click.option(
    "--base-url",
    type=BaseUrl(),
    default="",
    help="Public URL of the glossary, e.g. https://glossary.example.org/ (absolute; used for "
    "canonical links, JSON-LD and sitemap.xml; all other links are relative).",
)

STATE_OPTION = click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the SQLite feedback store, created by serve or migrate "
    "[default: beside the glossary folder, named after it with -state, e.g. glossary_data-state].",
)
DATABASE_OPTION = click.option(
    "--database-url",
    envvar="GLOSSARY_DATABASE_URL",
    show_envvar=True,
    help="postgresql://user:password@host/db: keep feedback in PostgreSQL instead of SQLite, "
    "shared by every serve process that names it.",
)


class NoGlossaryError(click.ClickException):
    """No glossary folder: which one was looked for, from where, and how to name or make one."""

    def __init__(self, missing: NoGlossary) -> None:
        folder = missing.data_dir
        # init writes only into a new or empty folder.
        fresh = not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))
        start = f", or start one with: glossary-widget init {folder}" if fresh else ""
        super().__init__(
            f"no glossary: {missing}\n"
            f"  looked for {folder.absolute()} (working directory {Path.cwd()})\n"
            f"  point at your glossary folder with --data DIR{start}"
        )


def check_command(data_dir: Path) -> str:
    """The `check` to run next for `data_dir`, ready to paste: a folder other than the default
    has to be named, or the editor's next step finds no glossary."""
    if data_dir == Path("glossary_data"):
        return "glossary-widget check"
    return f"glossary-widget check --data {shlex.quote(str(data_dir))}"


class ErrorListing(click.ClickException):
    """Every error, one per line, then their count and `summary`; exit status 1."""

    def __init__(self, lines: list[str], summary: str) -> None:
        count = len(lines)
        super().__init__("\n".join([*lines, f"{count} error{'s' if count != 1 else ''} {summary}"]))

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True)


class ContentErrors(ErrorListing):
    """Every validation error of the glossary, with its file and line."""

    def __init__(self, invalid: GlossaryInvalid) -> None:
        super().__init__([str(error) for error in invalid.errors], "in the glossary")


@contextlib.contextmanager
def content_errors_reported() -> Iterator[None]:
    """Turns an invalid glossary into the command's error listing, exit status 1, and a store
    that cannot be opened into its message."""
    from widget_server.store import StoreError

    try:
        yield
    except GlossaryInvalid as invalid:
        raise ContentErrors(invalid) from None
    except NoGlossary as missing:
        raise NoGlossaryError(missing) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None


def store_location(data_dir: Path, state_dir: Path | None, database_url: str | None) -> dict[str, Any]:
    """The store the options name: PostgreSQL when a URL is given, else SQLite in the state folder.
    Both is an error: one of them would be ignored, and a report or a migration would then read
    another store than the one meant."""
    from widget_server.store import default_state_dir

    if database_url and state_dir:
        raise click.UsageError("--state and --database-url (or GLOSSARY_DATABASE_URL) name two stores: give one")
    if database_url:
        return {"state_dir": None, "database_url": database_url}
    return {"state_dir": state_dir or default_state_dir(data_dir), "database_url": None}


@click.group()
@click.version_option(__version__, prog_name="glossary-widget")
def main() -> None:
    """Glossary Widget: check the glossary, serve it, build it for a CDN, import and export terms."""


@main.command()
@DATA_OPTION
def check(data_dir: Path) -> None:
    """Validate the glossary; print every error with its file and line."""
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    counts = Counter(category for term in glossary.terms for category in term.categories)
    per_category = ", ".join(f"{c.slug} {counts[c.slug]}" for c in glossary.categories)
    sites = ""
    if glossary.sites:
        off = sum(not site.enabled for site in glossary.sites)
        sites = f"; {len(glossary.sites)} sites" + (f" ({off} switched off)" if off else "")
    click.echo(f"ok: {len(glossary.terms)} terms ({per_category}){sites}")


@main.command()
@DATA_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Reload the glossary when its files change.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes (use behind a reverse proxy).",
)
@click.option(
    "--examples",
    "examples_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Also serve this folder of example partner pages at /examples/.",
)
@click.option(
    "--access-log", is_flag=True, help="Log every request (off by default: it costs about half the requests/s)."
)
@BASE_URL_OPTION
@STATE_OPTION
@DATABASE_OPTION
@click.option(
    "--no-feedback", is_flag=True, help='Take no feedback: no write endpoints, no store, no "Was this helpful?".'
)
@click.option(
    "--admin-password",
    envvar="GLOSSARY_ADMIN_PASSWORD",
    show_envvar=True,
    help="Serve the feedback report at /admin/ (HTTP Basic, user admin); use over TLS.",
)
def serve(
    data_dir: Path,
    host: str,
    port: int,
    reload: bool,
    workers: int,
    examples_dir: Path | None,
    access_log: bool,
    base_url: str,
    state_dir: Path | None,
    database_url: str | None,
    no_feedback: bool,
    admin_password: str | None,
) -> None:
    """Serve the widget, the API, the glossary pages and the feedback endpoints.

    Requests are not logged unless --access-log says so, as with gunicorn: partner pages call
    the API on every page view, the proxy or CDN in front keeps its own log, and formatting a
    line per request in Python took more time than answering it (benchmarks/RESULTS.md).
    """
    import uvicorn

    from widget_server.app import SETTINGS_VARIABLE, create_app
    from widget_server.serving import listen_problem, log_config

    if no_feedback and admin_password:
        # Not an error: the password may come from the environment of every serve.
        click.echo("warning: no /admin/ with --no-feedback: it shows the feedback store", err=True)
    # click reads an empty variable as unset: asked for here, as a template's unset variable is.
    if admin_password == "" or (admin_password is None and os.environ.get("GLOSSARY_ADMIN_PASSWORD") == ""):
        click.echo("warning: no /admin/: the admin password is empty", err=True)
    store = (
        {"state_dir": None, "database_url": None} if no_feedback else store_location(data_dir, state_dir, database_url)
    )
    settings = {
        "data_dir": data_dir,
        "base_url": base_url,
        "reload": reload,
        "examples_dir": examples_dir,
        **store,
        "admin_password": None if no_feedback else admin_password,
    }
    # First: a port that is taken must not leave a new store behind.
    problem = listen_problem(host, port)
    if problem:
        raise click.ClickException(problem)
    with content_errors_reported():
        app = create_app(**settings)  # validates before any worker starts
    origin = f"http://{host}:{port}"
    click.echo(f"Glossary:  {origin}/glossary/")
    click.echo(f"Widget:    {origin}/widget.js")
    click.echo(f"Configure: {origin}/configure/")
    if examples_dir is not None:
        click.echo(f"Examples:  {origin}/examples/")
    if app.state.writer is not None:
        click.echo(f"Feedback:  {app.state.writer.store}")
    if settings["admin_password"]:
        click.echo(f"Admin:     {origin}/admin/")
    # TCP_NODELAY, and the limits on the request line and headers (docs/api.md: Limits).
    protocol = "widget_server.protocol:GlossaryHttpProtocol"
    if workers == 1:
        uvicorn.run(
            app, host=host, port=port, log_level="info", access_log=access_log, http=protocol, log_config=log_config()
        )
        return
    # The workers make apps of their own: this one, made to validate, lets go of its store.
    if app.state.writer is not None:
        app.state.writer.store.close()
    del app
    os.environ[SETTINGS_VARIABLE] = json.dumps(settings, default=str)
    uvicorn.run(
        "widget_server.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        http=protocol,
        log_config=log_config(),
    )


@main.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site to (replaced if it holds an earlier build).",
)
@BASE_URL_OPTION
@click.option(
    "--feedback-url",
    help="URL of a running serve, e.g. https://glossary.example.org/, that the entry "
    'pages post "Was this helpful?" to (without it the export has no feedback block).',
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def build(data_dir: Path, out_dir: Path, base_url: str, feedback_url: str | None, quiet: bool) -> None:
    """Export the widget, API, pages and snippets as static files for any CDN."""
    from widget_server.build import BuildError, build_site, feedback_origin

    def progress(message: str) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"  {message}", err=True)

    try:
        with content_errors_reported():
            summary = build_site(data_dir, out_dir, base_url, progress, feedback_url)
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    if quiet:
        return
    click.echo(f"Built {out_dir}: {summary}")
    if feedback_url:
        origin = feedback_origin(feedback_url)
        click.echo(
            f"note: the entry pages post to {origin}: the Content-Security-Policy your host sends "
            f"with the pages must allow it (connect-src 'self' {origin}); {out_dir / 'manifest.json'} "
            "has the pages' headers (page_headers)",
            err=True,
        )


@main.command()
@DATA_OPTION
@STATE_OPTION
@DATABASE_OPTION
def migrate(data_dir: Path, state_dir: Path | None, database_url: str | None) -> None:
    """Create or upgrade the feedback store's tables (serve also does this at start)."""
    from widget_server.store import open_store

    # The default store is beside the glossary folder: beside a mistyped one, a new empty store.
    if state_dir is None and not database_url and not data_dir.is_dir():
        raise click.BadParameter(f"no glossary folder at {data_dir} (the store is beside it)", param_hint="--data")
    with content_errors_reported():
        store = open_store(**store_location(data_dir, state_dir, database_url))
    try:
        click.echo(f"{store}: schema version {store.migrate()}")
    finally:
        store.close()


@main.command()
@DATA_OPTION
@STATE_OPTION
@DATABASE_OPTION
@click.option("--since", default="30d", show_default=True, help="The last N days (UTC), e.g. 7d.")
@click.option("--site", help="Only this partner site, e.g. https://news.example.org.")
@click.option("--term", help="Only this term (its slug).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv: one row per term and site; json: everything.",
)
def stats(
    data_dir: Path,
    state_dir: Path | None,
    database_url: str | None,
    since: str,
    site: str | None,
    term: str | None,
    output_format: str,
) -> None:
    """Opens, votes and comments per term, the terms that most need a rewrite first."""
    from widget_server.origin import BadOrigin, site_of
    from widget_server.stats import FORMATS, BadSince, report, since_day
    from widget_server.store import open_store

    try:
        first_day = since_day(since)
        site = site_of(site) if site else None
    except BadSince as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    except BadOrigin:
        raise click.BadParameter(
            f"{site!r} is not a site's origin, such as https://news.example.org", param_hint="--site"
        ) from None
    with content_errors_reported():
        store = open_store(**store_location(data_dir, state_dir, database_url), create=False)
    try:
        output = FORMATS[output_format](report(store, first_day, site, term))
        click.echo(output, nl=not output.endswith("\n"))
    finally:
        store.close()


@main.command()
@DATA_OPTION
@click.option("--categories", default="", help="Comma-separated category slugs (default: all).")
@click.option("--pinned", is_flag=True, help="Pin this exact version: hashed URL with Subresource Integrity.")
@click.option(
    "--base-url",
    type=BaseUrl(),
    default="http://127.0.0.1:8000/",
    show_default=True,
    help="Where the glossary is served (the server, or the static export on a CDN); "
    "a loopback address gets a warning, as no reader can reach it.",
)
@click.option(
    "--site", default="", help="A registered site (glossary_data/sites/<site>.yml): the tag reads its settings."
)
@click.pass_context
def embed(ctx: click.Context, data_dir: Path, categories: str, pinned: bool, base_url: str, site: str) -> None:
    """Print the <script> tag a site owner pastes into their article template.

    Without a glossary folder here (no --data, no ./glossary_data), --categories are checked
    against the categories.json of the glossary at --base-url.
    """
    from widget_server.assets import build_assets, script_tag

    chosen = [slug.strip() for slug in categories.split(",") if slug.strip()]
    defaulted = ctx.get_parameter_source("data_dir") is click.core.ParameterSource.DEFAULT
    if defaulted and not data_dir.exists():
        _require_known_remotely(chosen, base_url, site)
    else:
        _require_known_locally(data_dir, chosen, site)
    if is_loopback(base_url):
        click.echo(
            f"warning: this tag loads the widget from {base_url}, which only this computer "
            "can reach; before pasting it into a site, run embed again with --base-url "
            "and the glossary's public URL",
            err=True,
        )
    click.echo(script_tag(build_assets(), base_url, chosen, pinned, site))


@main.command()
@DATA_OPTION
def sites(data_dir: Path) -> None:
    """List the registered sites (glossary_data/sites/) with their settings."""
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    if not glossary.sites:
        click.echo(f"no registered sites (add them as {data_dir / 'sites'}/<site-id>.yml)")
    for site in glossary.sites:
        click.echo(describe(site))


@main.command()
@DATA_OPTION
@click.argument("title")
@click.option(
    "--category",
    "categories",
    multiple=True,
    required=True,
    help="Category slug; repeat for a term in several categories.",
)
def new(data_dir: Path, title: str, categories: tuple[str, ...]) -> None:
    """Create terms/<slug>.md for TITLE, ready to fill in."""
    from widget_server.content import load_categories
    from widget_server.scaffold import ScaffoldError, new_term

    with content_errors_reported():
        known = [category.slug for category in load_categories(data_dir)]
    _require_known(categories, known, "--category")
    try:
        path = new_term(data_dir, title, list(categories), datetime.date.today())
    except OSError as error:  # `terms` a file, a folder that cannot be written to
        raise click.ClickException(f"cannot write into {data_dir / 'terms'}: {error.strerror}") from None
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {path}; fill in its sections, then run: {check_command(data_dir)}")


TABLE_FORMATS = {".csv": "csv", ".tsv": "csv", ".json": "json"}


def _table_format(given: str | None, path: Path | None, default: str | None, option: str) -> str:
    """--format, else the one the file's extension names, else `default`."""
    if given:
        return given
    if path is not None and path.suffix.lower() in TABLE_FORMATS:
        return TABLE_FORMATS[path.suffix.lower()]
    if default:
        return default
    raise click.BadParameter(f"cannot tell from the name {str(path)!r}: give --format csv or json", param_hint=option)


@main.command("import")
@DATA_OPTION
@click.argument("source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "json"]),
    help="The file's format (default: from its extension, .csv, .tsv or .json).",
)
@click.option(
    "--update", is_flag=True, help="Replace the terms that exist (without it, a row whose term exists is an error)."
)
def import_(data_dir: Path, source: Path, file_format: str | None, update: bool) -> None:
    """Write the terms of a CSV or JSON file (one row per term) as term files; all or none.

    The glossary with the new files is checked as `check` does; when anything is wrong, every
    problem is printed with its row and column, and nothing is written.
    """
    from widget_server.importer import ImportRefused, import_terms

    file_format = _table_format(file_format, source, None, "--format")
    try:
        with content_errors_reported():
            imported = import_terms(data_dir, source, file_format, update)
    except ImportRefused as refused:
        raise ErrorListing(refused.lines, f"in {source}; nothing was written") from None
    except OSError as error:  # a folder that cannot be written to, a full disk
        raise click.ClickException(f"cannot import into {data_dir}: {error}; nothing was written") from None
    count = len(imported.created) + len(imported.updated)
    unchanged = f", {len(imported.unchanged)} unchanged" if imported.unchanged else ""
    click.echo(
        f"Imported {count} term{'s' if count != 1 else ''} into {data_dir / 'terms'}: "
        f"{len(imported.created)} new, {len(imported.updated)} updated{unchanged}"
    )
    for slug in imported.comments_dropped:
        click.echo(f"note: terms/{slug}.md was rewritten from its row; the comments it had are gone", err=True)


@main.command()
@DATA_OPTION
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "json"]),
    help="csv (UTF-8 with a BOM, as spreadsheets open it) or json (default: from the extension of -o, else csv).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of to standard output."
)
def export(data_dir: Path, file_format: str | None, output: Path | None) -> None:
    """Write every term as one row of a CSV or JSON file, which import reads back."""
    from widget_server.tabular import ExportError, write_rows

    file_format = _table_format(file_format, output, "csv", "--format")
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    try:
        data = write_rows(glossary.terms, file_format)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    _write_output(output, data)


@main.command()
@click.argument("data_dir", metavar="[DIR]", default=Path("glossary_data"), type=click.Path(path_type=Path))
def init(data_dir: Path) -> None:
    """Write a small starter glossary into DIR (default: glossary_data), a new or empty folder."""
    from widget_server.starter import StarterError, write_starter

    try:
        written = write_starter(data_dir)
    except StarterError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a parent that is a file, a folder that cannot be written to
        raise click.ClickException(f"cannot write {data_dir}: {error.strerror}") from None
    click.echo(
        f"Created {data_dir} with {len(written) - 1} example terms; edit them, then run: {check_command(data_dir)}"
    )


@main.command()
@DATA_OPTION
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--categories", default="", help="Comma-separated category slugs (default: all).")
@click.option(
    "--occurrences",
    type=click.Choice(["first", "all"]),
    default="first",
    show_default=True,
    help="Highlight each term once per page, or every time.",
)
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def scan(data_dir: Path, paths: tuple[Path, ...], categories: str, occurrences: str, output: str) -> None:
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


@main.command()
@DATA_OPTION
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of to standard output."
)
@click.option(
    "--base-url",
    required=True,
    help="Public URL of the glossary, e.g. https://glossary.example.org/: the links "
    "to entry pages are absolute (required for both styles).",
)
@click.option(
    "--style",
    type=click.Choice(["footnotes", "links"]),
    default="footnotes",
    show_default=True,
    help="Numbered notes in a Glossary section, or links.",
)
@click.option("--categories", default="", help="Comma-separated category slugs (default: all).")
@click.option("--site", "site_id", help="A registered site's id: its settings apply.")
@click.option(
    "--occurrences",
    type=click.Choice(["first", "all"]),
    help="Each term once, or every time (default: the site's, else first).",
)
@click.option(
    "--max",
    "maximum",
    type=click.IntRange(min=1),
    help="At most this many annotations (default: the site's, else 100).",
)
@click.option(
    "--markdown/--html", default=None, help="The input's format (default: Markdown for .md and .markdown files)."
)
@click.option("--feed", is_flag=True, help="SOURCE is an RSS or Atom feed: annotate each item.")
def annotate(
    data_dir: Path,
    source: Path,
    output: Path | None,
    base_url: str,
    style: str,
    categories: str,
    site_id: str | None,
    occurrences: str | None,
    maximum: int | None,
    markdown: bool | None,
    feed: bool,
) -> None:
    """Add the glossary to an HTML or Markdown file, or a feed, for readers without scripts.

    Terms are picked by the widget's rules; only the annotations are added, the rest of the
    file stays as it was.
    """
    from widget_server.annotate import (
        NotText,
        Options,
        annotate_text,
        base_url_problem,
        decode_input,
        settings_for,
    )
    from widget_server.feeds import annotate_feed
    from widget_server.nesting import depth_problem

    if problem := base_url_problem(base_url):
        raise click.BadParameter(problem, param_hint="--base-url")
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    chosen = [slug.strip() for slug in categories.split(",") if slug.strip()]
    _require_known(chosen, [c.slug for c in glossary.categories], "--categories")
    try:
        settings = settings_for(
            glossary, site_id, categories=tuple(chosen) or None, occurrences=occurrences, max=maximum
        )
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--site") from None
    try:
        text = decode_input(source.read_bytes())
    except (NotText, OSError) as error:
        raise click.ClickException(f"{source}: {error}") from None
    options = Options(base_url, style, settings)
    if markdown is None:
        markdown = source.suffix.lower() in (".md", ".markdown")
    # As the endpoint does: the parser's time grows with the square of the depth.
    if not markdown and not feed and (problem := depth_problem(text)):
        raise click.ClickException(f"{source}: {problem}; no browser shows that")
    if feed:
        result = annotate_feed(text, lambda item: annotate_text(item, False, glossary, options))
        for problem in result.problems:
            click.echo(f"{source}: {problem}", err=True)
        annotated = result.text
    else:
        annotated = annotate_text(text, markdown, glossary, options).apply(text)
    _write_output(output, annotated.encode("utf-8"))


def _write_output(output: Path | None, data: bytes) -> None:
    """`data` to the file `output`, or to standard output when there is none."""
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as error:  # a folder that does not exist, or cannot be written to
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None


def _require_known(chosen: tuple[str, ...] | list[str], known: list[str], option: str) -> None:
    unknown = [slug for slug in chosen if slug not in known]
    if unknown:
        message = f"unknown {', '.join(unknown)} (known: {', '.join(known)}){did_you_mean(unknown[0], known)}"
        raise click.BadParameter(message, param_hint=option)


def _require_known_locally(data_dir: Path, chosen: list[str], site: str) -> None:
    """Check --categories and --site against the glossary folder."""
    with content_errors_reported():
        glossary = load_glossary(data_dir)
    _require_known(chosen, [c.slug for c in glossary.categories], "--categories")
    if site:
        _require_known([site], [s.id for s in glossary.sites], "--site")
        if not next(s for s in glossary.sites if s.id == site).enabled:
            click.echo(
                f"note: site {site!r} is switched off (enabled: false): its pages get no "
                "highlights until it is switched on",
                err=True,
            )


def _require_known_remotely(chosen: list[str], base_url: str, site: str) -> None:
    """Check --categories against the glossary at `base_url`, there being no folder here."""
    from widget_server.remote import RemoteError, remote_categories

    if site:
        raise click.BadParameter(
            "needs the glossary folder, where sites are registered: pass --data DIR", param_hint="--site"
        )
    if not chosen:
        return
    try:
        known = remote_categories(base_url)
    except RemoteError as error:
        raise click.ClickException(
            f"cannot check --categories: no glossary folder here, and {error}; pass --data DIR, "
            "or a --base-url where the glossary is served"
        ) from None
    _require_known(chosen, known, "--categories")
