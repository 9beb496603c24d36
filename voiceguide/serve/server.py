"""Running the app with uvicorn on a socket opened beforehand, until Ctrl-C."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

# Enough for a household of phones and a podcast app fetching several files at once;
# past it, new connections get 503 instead of piling up.
MAX_CONNECTIONS = 64
# How long Ctrl-C waits for downloads in progress before closing them.
SHUTDOWN_GRACE_SECONDS = 2


def run(app: ASGIApp, sock: socket.socket, ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``sock``; ``ready()`` is called once requests are answered.

    Ctrl-C or SIGTERM shuts the server down, then raises ``KeyboardInterrupt``, so that
    the caller's clean-up runs (uvicorn passes the signal on once it has stopped, and
    SIGTERM's default action would end the process on the spot)."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="off",
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    server = _AnnouncingServer(config, ready)
    if threading.current_thread() is not threading.main_thread():
        server.run(sockets=[sock])
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready()
