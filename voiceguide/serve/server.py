"""Running the app with uvicorn on a socket opened beforehand, until Ctrl-C, SIGTERM or
SIGHUP."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Generator

import uvicorn
from starlette.types import ASGIApp

from voiceguide import signals

# Enough for a household of phones and a podcast app fetching several files at once;
# past it, new connections get 503 instead of piling up.
MAX_CONNECTIONS = 64
# How long Ctrl-C waits for downloads in progress before closing them.
SHUTDOWN_GRACE_SECONDS = 2


def run(app: ASGIApp, sock: socket.socket, ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``sock``; ``ready()`` is called once requests are answered.

    Any signal in ``signals.ENDING`` shuts the server down, then raises
    ``signals.Interrupted``, so that the caller's clean-up runs."""
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
    server.run(sockets=[sock])
    if server.notice is not None:
        server.notice.raise_if_received()


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._ready = ready
        self.notice: signals.Notice | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn's own: SIGINT and SIGTERM only (SIGHUP would end the process on the
        # spot), passed on by raising them again once stopped, from inside its event loop.
        def stop(_signum: int) -> None:
            self.should_exit = True

        with signals.noticed(stop) as self.notice:
            yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready()
