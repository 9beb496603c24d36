"""Running the app with uvicorn on a socket opened beforehand, until Ctrl-C, SIGTERM or
SIGHUP.

Anyone on the network can open connections, so none may hold the server: a connection
gets ``REQUEST_HEAD_SECONDS`` to send each request's head (an idle one, or one sending a
byte at a time, is closed), and past ``MAX_CONNECTIONS`` open ones the one that has waited
longest without a request is closed to make room, so a phone is still answered while
others hold connections open. What uvicorn would log (a request that is not HTTP, from any
device) is counted and said once, not printed per request over the address and QR code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Generator

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from voiceguide import signals

# Far more than a household of phones and podcast apps opens; each costs one file
# descriptor. Past it, the connection idle longest goes first.
MAX_CONNECTIONS = 256
# A phone sends a request's head in one packet; this is for a slow network, not a slow peer.
REQUEST_HEAD_SECONDS = 10.0
# How long a connection may stay open between requests.
KEEP_ALIVE_SECONDS = 5
# How long Ctrl-C waits for downloads in progress before closing them.
SHUTDOWN_GRACE_SECONDS = 2

Notice = Callable[[str], None]


def run(app: ASGIApp, sock: socket.socket, ready: Callable[[], None], notice: Notice) -> None:
    """Serve ``app`` on ``sock``; ``ready()`` is called once requests are answered, and
    ``notice`` is given what the user should know about the requests the server refused.

    Any signal in ``signals.ENDING`` shuts the server down, then raises
    ``signals.Interrupted``, so that the caller's clean-up runs."""
    server = build(app, ready, notice)
    server.run(sockets=[sock])
    if server.signal_notice is not None:
        server.signal_notice.raise_if_received()


def build(app: ASGIApp, ready: Callable[[], None], notice: Notice) -> _AnnouncingServer:
    """The uvicorn server for ``app``, not yet started."""
    config = uvicorn.Config(
        app,
        http=GuardedProtocol,
        # uvicorn's own logging set-up would print to the terminal; ``_Counted`` takes it.
        log_config=None,
        access_log=False,
        server_header=False,
        lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    return _AnnouncingServer(config, ready, _Counted(notice))


class GuardedProtocol(H11Protocol):
    """HTTP/1.1 (h11) with a deadline for each request's head and a cap on connections."""

    _head_timer: asyncio.TimerHandle | None = None
    _waiting_since = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()
        if len(self.connections) > MAX_CONNECTIONS:
            waiting = [c for c in self.connections if isinstance(c, GuardedProtocol) and c.idle]
            if waiting:
                min(waiting, key=lambda c: c._waiting_since).transport.close()

    @property
    def idle(self) -> bool:
        """Waiting for a request's head, with no response under way."""
        return self.cycle is None or self.cycle.response_complete

    def handle_events(self) -> None:
        super().handle_events()
        if not self.idle:
            self._stop_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.idle and not self.transport.is_closing():
            self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._stop_timer()
        self._waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(REQUEST_HEAD_SECONDS, self._too_slow)

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.idle:
            self.transport.close()

    def _stop_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None


class _Counted(logging.Handler):
    """Takes uvicorn's log records: the first is said once, the count when serving stops."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(logging.WARNING)
        self.notice = notice
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.count == 1:
            self.notice(
                "the server is refusing requests that are not valid HTTP (from another "
                "device on the network?); it goes on serving, and counts them"
            )

    def said(self) -> None:
        if self.count:
            requests = "1 request" if self.count == 1 else f"{self.count} requests"
            self.notice(f"the server refused {requests} it could not read as HTTP")


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: Callable[[], None], log: _Counted) -> None:
        super().__init__(config)
        self._ready = ready
        self._log = log
        self.signal_notice: signals.Notice | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn's own: SIGINT and SIGTERM only (SIGHUP would end the process on the
        # spot), passed on by raising them again once stopped, from inside its event loop.
        def stop(_signum: int) -> None:
            self.should_exit = True

        with signals.noticed(stop) as self.signal_notice:
            yield

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        logger = logging.getLogger("uvicorn")
        logger.addHandler(self._log)
        logger.propagate = False
        logger.setLevel(logging.WARNING)
        try:
            await super().serve(sockets)
        finally:
            logger.removeHandler(self._log)
            logger.propagate = True
            self._log.said()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._ready()
