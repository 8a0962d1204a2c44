"""uvicorn's HTTP protocol, with TCP_NODELAY set on every connection.

With `serve --workers N`, uvicorn hands each worker process a socket rebuilt from a file
descriptor; asyncio does not recognise it as TCP and leaves Nagle's algorithm on, which adds
about 40 ms to every keep-alive response. Setting the option here gives the workers the latency
of a single process.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
