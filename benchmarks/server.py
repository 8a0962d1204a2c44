"""Server benchmark: `glossary-widget serve` against a bare Starlette app and nginx.

Three servers answer the same four requests on loopback, one after the other, with one worker
and with two: our server on the synthetic glossary (the real `serve` command, in its own
process); the framework's ceiling (benchmarks/ceiling.py: bare Starlette, the same uvicorn
configuration, a constant body of the same size with the same headers); and nginx serving the static export of the
same glossary (the reference for static files). Load comes from wrk (Debian package `wrk`,
installed here with apt-get when running as root) for a fixed duration and connection count;
where wrk is missing and cannot be installed, a small pure-Python load loop stands in, and the
results say so.

    python -m benchmarks.server [--quick] [--no-install] [--loader wrk|python] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_WORKDIR, ROOT, median
from benchmarks.synthetic import SyntheticTerm, synthetic_terms, write_glossary
from tests.support.server import free_port, wait_for_http
from tests.support.tools import debian_tool
from widget_server.build import build_site

SERVERS = ("ours", "starlette", "nginx")
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class ServerConfig:
    terms: int = 2000
    duration_s: int = 2
    warmup_s: int = 1
    connections: tuple[int, ...] = (8, 64)
    workers: tuple[int, ...] = (1, 2)
    wrk_threads: int = 1  # two cores: leave the other one to the server
    runs: int = 5  # per figure, the servers taking turns (see Bench.load_all)
    install: bool = True  # apt-get wrk and nginx when root and missing
    loader: str = "auto"  # wrk where available, else the Python loop; or force one

    @classmethod
    def quick(cls) -> ServerConfig:
        """Tiny: a 50-term glossary, one-second runs, one worker (the same code starts two; a
        second configuration took 16 of the smoke test's 86 s), no installing."""
        return cls(terms=50, duration_s=1, warmup_s=0, connections=(4,), workers=(1,), install=False, runs=1)


@dataclass(frozen=True)
class Row:
    name: str
    path: str
    headers: dict[str, str]


@dataclass
class Load:
    """One load run: a server, a worker count, a connection count and one URL."""

    server: str
    workers: int
    connections: int
    row: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    body_bytes: int
    loader: str


@dataclass
class ServerResult:
    config: dict[str, Any]
    loads: list[Load]
    loader: str
    notes: list[str]
    nginx: str

    def find(self, server: str, workers: int, connections: int, row: str) -> Load | None:
        return next(
            (
                load
                for load in self.loads
                if (load.server, load.workers, load.connections, load.row) == (server, workers, connections, row)
            ),
            None,
        )


def rows_for(terms: list[SyntheticTerm]) -> list[Row]:
    """The issue's four requests, for a term with an alias and its category."""
    term = terms[1] if len(terms) > 1 else terms[0]
    return [
        Row("term JSON", f"/api/v1/terms/{term.slug}.json", {}),
        Row("matcher JSON", f"/api/v1/matcher/{term.category}.json", {}),
        Row("widget.js, br", "/widget.js", {"Accept-Encoding": "br"}),
        # /glossary/{slug} answers with a redirect to this page, which is what readers load.
        Row("entry page", f"/glossary/{term.slug}/", {}),
    ]


# ---- Load generators ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


Cores = set[int] | None  # CPU cores a process is kept to; None: wherever the kernel puts it


def split_cores(workers: int) -> tuple[Cores, Cores]:
    """(the servers' cores, the load generator's): with a core to spare, wrk gets cores of its
    own, so that it and the server never take turns on one core. On two cores, one worker and
    wrk sharing both gave a p99 of 40 to 100 ms at 64 connections, bare Starlette alike, and
    about 10 ms on a core each. With no core to spare, the kernel places them."""
    available = sorted(os.sched_getaffinity(0))
    if workers >= len(available):
        return None, None
    return set(available[:workers]), set(available[workers:])


def on_cores(cores: Cores, command: list[str]) -> list[str]:
    """`command` kept, with all it starts, to `cores` (by util-linux's taskset, which Debian
    always has: a preexec_fn is not safe in a process that runs threads, as this one does)."""
    return command if cores is None else ["taskset", "-c", ",".join(map(str, sorted(cores))), *command]


def wrk_load(
    wrk: str,
    script: Path,
    url: str,
    headers: dict[str, str],
    connections: int,
    seconds: int,
    threads: int,
    cores: Cores,
) -> Measured:
    command = [wrk, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        on_cores(cores, command + [url]), check=True, capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, *errors, p50_us, p99_us = (int(v) for v in line.split()[1:])
    return Measured(requests / (duration_us / 1e6), p50_us / 1000, p99_us / 1000, sum(errors))


def python_load(url: str, headers: dict[str, str], connections: int, seconds: float) -> Measured:
    """A keep-alive client per thread for `seconds`: far weaker than wrk (it shares the GIL and
    the server's cores), so only for checking the harness where wrk cannot be had."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                connection.request("GET", "/" + path, headers=headers)
                response = connection.getresponse()
                response.read()
                failed += response.status >= 400
            except OSError:
                failed += 1
                connection.close()
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(min(connections, 16))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Measured(len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000, errors[0])


class Loader:
    """wrk, or the Python loop; the same call either way."""

    def __init__(self, config: ServerConfig, workdir: Path, log: Any) -> None:
        self.config = config
        self.notes: list[str] = []
        self.wrk: str | None = None
        if config.loader != "python":
            self.wrk, how = debian_tool("wrk", "wrk", config.install)
            if self.wrk is None:
                if config.loader == "wrk":
                    raise SystemExit(how)
                log(f"server: {how}; using the pure-Python load loop instead")
                self.notes.append(
                    f"{how}. The pure-Python load loop was used instead: it is "
                    "much weaker than wrk, so these figures understate every server."
                )
        self.name = "wrk" if self.wrk else "python"
        self.cores: Cores = None  # where wrk runs (see split_cores)
        self.script = workdir / "report.lua"
        self.script.write_text(WRK_REPORT)

    def __call__(self, url: str, headers: dict[str, str], connections: int, seconds: int) -> Measured:
        if self.wrk:
            return wrk_load(
                self.wrk, self.script, url, headers, connections, seconds, self.config.wrk_threads, self.cores
            )
        return python_load(url, headers, connections, seconds)


# ---- Servers --------------------------------------------------------------------------------


@contextlib.contextmanager
def started(command: list[str], log_path: Path, ready: Any, cores: Cores) -> Iterator[None]:
    """Runs `command` (and the workers it starts) on `cores`, in its own process group, until
    the block ends; `ready()` waits for it."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            on_cores(cores, command), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
    try:
        ready(process)
        yield
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stops the process group we started (uvicorn's or nginx's workers with it)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def uvicorn_ready(url: str, log_path: Path, workers: int) -> Any:
    """Waits until every worker has said "Application startup complete", not only the first,
    so a two-worker run never starts with one worker still loading the glossary."""

    def wait(process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 120
        while log_path.read_text(errors="replace").count("Application startup complete") < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {log_path}")
            time.sleep(0.1)
        wait_for_http(url)

    return wait


def glossary_widget_command() -> list[str]:
    """`glossary-widget` of this checkout, which `started` runs in: the venv's own script imports
    the checkout the venv was installed from (editable), which for a worktree is other code."""
    return [sys.executable, "-c", "from widget_server.cli import main; main()"]


def serve_ours(
    data: Path, port: int, workers: int, log_path: Path, cores: Cores, options: list[str] | None = None
) -> Any:
    """`glossary-widget serve` with `options` (by default: no feedback, as the reads are measured)."""
    command = glossary_widget_command() + [
        "serve",
        "--data",
        str(data),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        *(options if options is not None else ["--no-feedback"]),
    ]
    ready = uvicorn_ready(f"http://127.0.0.1:{port}/healthz", log_path, workers)
    return started(command, log_path, ready, cores)


def serve_ceiling(bodies: dict[str, list[Any]], port: int, workers: int, log_path: Path, cores: Cores) -> Any:
    command = [
        sys.executable,
        "-m",
        "benchmarks.ceiling",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--bodies",
        json.dumps(bodies),
    ]
    ready = uvicorn_ready(f"http://127.0.0.1:{port}/", log_path, workers)
    return started(command, log_path, ready, cores)


def nginx_conf(site: Path, folder: Path, port: int, workers: int) -> str:
    """A minimal nginx.conf: the headers of examples/deploy/nginx.conf, on loopback, with its
    pid, logs and temporary files in `folder`. No brotli_static (not in Debian's nginx)."""
    headers = "\n".join(
        f"        add_header {header} always;"
        for header in (
            "X-Content-Type-Options nosniff",
            "Access-Control-Allow-Origin *",
            "Cross-Origin-Resource-Policy cross-origin",
            "Vary Accept-Encoding",
        )
    )
    # As root, nginx would run its workers as `nobody`, who may not read a private temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes {workers};
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    sendfile on;
    default_type application/octet-stream;
    types {{ text/html html; text/css css; text/javascript js; application/json json; }}
    charset utf-8;
    charset_types application/json text/css application/javascript text/javascript;
    gzip_static on;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        location /static/ {{
            add_header Cache-Control "public, max-age=31536000, immutable" always;
{headers}
        }}
        location = /widget.js {{
            add_header Cache-Control "public, max-age=300, stale-while-revalidate=86400" always;
{headers}
        }}
        location / {{
            add_header Cache-Control "public, max-age=300" always;
{headers}
            try_files $uri $uri/index.html =404;
        }}
        error_page 404 /404.html;
    }}
}}
"""


def serve_nginx(nginx: str, site: Path, folder: Path, port: int, workers: int, cores: Cores) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(site, folder, port, workers))
    command = [nginx, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]

    def ready(process: subprocess.Popen[bytes]) -> None:
        wait_for_http(f"http://127.0.0.1:{port}/widget.js", timeout=20)

    return started(command, folder / "stderr.log", ready, cores)


def port_of(base: str) -> int:
    return int(base.rpartition(":")[2])


# What the ceiling's uvicorn and Starlette write of their own in every answer.
SERVER_HEADERS = {"date", "server", "content-length", "content-type"}


def probe(base: str, row: Row) -> tuple[int, str, dict[str, str]]:
    """(body bytes, content type, the other headers) of one response: what the ceiling sends,
    so that bare Starlette's answer is ours byte for byte but for the body's content."""
    host, _, port = base.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", row.path, headers=row.headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{base}{row.path} answered {response.status}")
        headers = {name: value for name, value in response.getheaders() if name.lower() not in SERVER_HEADERS}
        return len(body), response.getheader("Content-Type", "application/octet-stream"), headers
    finally:
        connection.close()


# ---- The benchmark --------------------------------------------------------------------------


def prepare(workdir: Path, count: int) -> tuple[Path, Path, list[SyntheticTerm]]:
    """The synthetic glossary and its static export (for nginx)."""
    base = workdir / "server"
    shutil.rmtree(base, ignore_errors=True)
    terms = synthetic_terms(count)
    data = write_glossary(base / "glossary", terms)
    site = base / "site"
    build_site(data, site)
    return data, site, terms


class Bench:
    def __init__(self, config: ServerConfig, loader: Loader, rows: list[Row], log: Any) -> None:
        self.config = config
        self.loader = loader
        self.rows = rows
        self.log = log
        self.loads: list[Load] = []

    def load_all(self, bases: dict[str, str], workers: int) -> None:
        """Every row at every connection count on every server (name -> base URL), the servers
        taking turns run by run, so that drift on a shared machine reaches them alike.

        Each figure is the median of `runs` runs, requests/s and latencies each on its own: a
        single run's p99 on two shared cores can be several times its usual value, for every
        server alike, and with several workers (which share one listening socket) a run's
        connections may all be accepted by one of them, halving its requests/s by chance. With
        two workers and wrk on two cores, 20 alternating 2 s runs of the term JSON at 64
        connections ranged from 13,000 to 17,200 requests/s for our server and from 9,300 to
        21,200 for bare Starlette (medians of all twenty: 0.99x): medians of three consecutive
        runs put the two 0.84x to 1.07x apart, medians of five 0.97x to 1.02x.
        """
        for row in self.rows:
            sizes = {server: probe(base, row)[0] for server, base in bases.items()}
            if self.config.warmup_s:
                for base in bases.values():
                    self.loader(base + row.path, row.headers, max(self.config.connections), self.config.warmup_s)
            for connections in self.config.connections:
                runs: dict[str, list[Measured]] = {server: [] for server in bases}
                servers = list(bases)
                for run in range(self.config.runs):
                    # Each run starts with the next server: none always runs right after another.
                    turn = run % len(servers)
                    for server in servers[turn:] + servers[:turn]:
                        runs[server].append(
                            self.loader(bases[server] + row.path, row.headers, connections, self.config.duration_s)
                        )
                for server, measured in runs.items():
                    figure = median_of(measured)
                    self.log(
                        f"server: {server} x{workers} c{connections} {row.name}: "
                        f"{figure.requests_per_s:,.0f} req/s, p99 {figure.p99_ms:.1f} ms"
                    )
                    self.loads.append(
                        Load(
                            server=server,
                            workers=workers,
                            connections=connections,
                            row=row.name,
                            path=row.path,
                            requests_per_s=figure.requests_per_s,
                            p50_ms=figure.p50_ms,
                            p99_ms=figure.p99_ms,
                            errors=figure.errors,
                            body_bytes=sizes[server],
                            loader=self.loader.name,
                        )
                    )


def median_of(runs: list[Measured]) -> Measured:
    """The median of each figure on its own; errors summed, so that none goes unseen."""
    return Measured(
        requests_per_s=median([m.requests_per_s for m in runs]),
        p50_ms=median([m.p50_ms for m in runs]),
        p99_ms=median([m.p99_ms for m in runs]),
        errors=sum(m.errors for m in runs),
    )


def run(config: ServerConfig, workdir: Path = DEFAULT_WORKDIR, log: Any = print) -> ServerResult:
    workdir.mkdir(parents=True, exist_ok=True)
    loader = Loader(config, workdir, log)
    nginx, nginx_how = debian_tool("nginx", "nginx", config.install)
    notes = list(loader.notes)
    if nginx is None:
        notes.append(f"{nginx_how}; the nginx column is empty.")
    log(f"server: {config.terms}-term glossary and its static export")
    data, site, terms = prepare(workdir, config.terms)
    rows = rows_for(terms)
    bench = Bench(config, loader, rows, log)
    logs = workdir / "server" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for workers in config.workers:
        cores, loader.cores = split_cores(workers)
        # All three run at once (an idle server takes no CPU), so that they can take turns.
        with contextlib.ExitStack() as servers:
            bases = {
                server: f"http://127.0.0.1:{free_port()}"
                for server in ("ours", "starlette", *(("nginx",) if nginx else ()))
            }
            servers.enter_context(
                serve_ours(data, port_of(bases["ours"]), workers, logs / f"ours-{workers}.log", cores)
            )
            bodies = {row.path: list(probe(bases["ours"], row)) for row in rows}
            servers.enter_context(
                serve_ceiling(bodies, port_of(bases["starlette"]), workers, logs / f"starlette-{workers}.log", cores)
            )
            if nginx:
                servers.enter_context(
                    serve_nginx(
                        nginx, site, workdir / "server" / f"nginx-{workers}", port_of(bases["nginx"]), workers, cores
                    )
                )
            bench.load_all(bases, workers)
    version = nginx_version(nginx) if nginx else f"not installed ({nginx_how})"
    return ServerResult(asdict(config), bench.loads, loader.name, notes, version)


def nginx_version(nginx: str) -> str:
    result = subprocess.run([nginx, "-v"], capture_output=True, text=True, timeout=10)
    return (result.stderr or result.stdout).strip().removeprefix("nginx version: ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny glossary, one-second runs")
    parser.add_argument("--no-install", action="store_true", help="never run apt-get")
    parser.add_argument("--loader", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    config = ServerConfig.quick() if args.quick else ServerConfig()
    config = replace(config, loader=args.loader, install=config.install and not args.no_install)
    result = run(config, args.workdir)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
