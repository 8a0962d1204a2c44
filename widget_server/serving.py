"""The process around the app that `serve` runs: where its log lines go, and whether it can
listen at all before it says where it listens."""

from __future__ import annotations

import copy
import errno
import socket
from typing import Any

# The format of the package's own lines (reloads, content errors): the time says which of the
# lines in a long-running terminal is the latest, the reload after a fix or the error before it.
LOG_FORMAT = "%(levelprefix)s %(asctime)s %(message)s"
LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus a handler for the `widget_server` logger, which has none of its
    own: without it a good reload would log nothing at all."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["glossary"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": LOG_FORMAT,
        "datefmt": LOG_DATE_FORMAT,
    }
    config["handlers"]["glossary"] = {
        "formatter": "glossary",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["widget_server"] = {
        "handlers": ["glossary"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def listen_problem(host: str, port: int) -> str | None:
    """Why `serve` could not listen on `host`:`port` (taken, not allowed, no such address), or
    None. Bound and released as uvicorn will bind it (SO_REUSEADDR, which still refuses a port
    another process listens on), so that the problem is said before any URL is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another serve?); stop what "
                    "listens there, or choose another port with --port"
                )
            return f"cannot listen on {host}:{port}: {error.strerror or error}"
    return None
