"""Running the app with uvicorn on a socket opened beforehand, until Ctrl-C."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

# Enough for a household of phones and a podcast app fetching several files at once;
# past it, new connections get 503 instead of piling up.
MAX_CONNECTIONS = 64
# How long Ctrl-C waits for downloads in progress before closing them.
SHUTDOWN_GRACE_SECONDS = 2


def run(app: ASGIApp, sock: socket.socket, ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``sock``; ``ready()`` is called once requests are answered.
    Returns when the server has shut down after Ctrl-C or SIGTERM."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="off",
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    _AnnouncingServer(config, ready).run(sockets=[sock])


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready()
