"""The ``serve`` use case: open the port, render what is served, then serve it until
Ctrl-C, SIGTERM or SIGHUP. The rendered files are kept in the cache by their content
(``serve.kept``), so serving the same routines again starts at once."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide import signals
from voiceguide.app.export import ExportProgress, distinct_routines
from voiceguide.export.writer import Format
from voiceguide.practice.journal import Journal, SessionStart
from voiceguide.render.options import RenderOptions
from voiceguide.routine.records import Routine
from voiceguide.serve import net, server
from voiceguide.serve.asgi import create_app
from voiceguide.serve.kept import kept_routines
from voiceguide.serve.site import FEED, build_site
from voiceguide.serve.token import session_token


@dataclass(frozen=True)
class Serving:
    """What the user needs once the server answers: the address to open, the feed's,
    and a warning about the address, if any."""

    url: str
    feed_url: str
    warning: str | None
    local_only: bool = False  # a loopback address: a phone cannot open it


def serve_routines(
    routines: Sequence[Routine],
    options: RenderOptions,
    cache_dir: Path,
    *,
    host: str | None = None,
    port: int = net.DEFAULT_PORT,
    fmt: Format = "mp3",
    keep_token: bool = False,
    progress: ExportProgress | None = None,
    ready: Callable[[Serving], None],
    notice: server.Notice,
) -> None:
    """Render ``routines`` and serve them until Ctrl-C, SIGTERM or SIGHUP, which propagate
    as ``signals.Interrupted`` once the server has stopped (while rendering, what was
    half-written is removed); ``notice`` is told about requests the server
    refused."""
    choice = net.HostChoice(host, net.public_warning(host)) if host else net.default_host()
    # Open the port first: a busy one is said at once, not after rendering.
    sock = net.listen(choice.address, port)
    with signals.leave_on_signals(), sock:
        token = session_token(keep_token)  # a kept one that cannot be used: said at once too
        exported = kept_routines(
            distinct_routines(routines), options, cache_dir, fmt, progress=progress
        )
        # Listening on every address: the phone still needs one it can reach.
        everywhere = net.listens_everywhere(choice.address)
        shown = net.default_host().address if everywhere else choice.address
        origin = f"http://{net.url_host(shown)}:{sock.getsockname()[1]}"
        # The names this machine may be reached by, besides the address shown: what was
        # given with --host, and its own host name (as a phone's browser may use it).
        names = [choice.address, socket.gethostname(), socket.gethostname() + ".local"]
        # How the served audio was made: what the journal keeps of a session played on
        # the phone, as it keeps it of one played by ``play``.
        engine = options.voice.choice().engine
        starts = {
            routine.id: SessionStart(routine, options.pace, engine, options.voice.voice)
            for routine in routines
        }
        site = build_site(exported, token, origin, names, journal=Journal(), starts=starts)
        serving = Serving(
            site.entry_url, site.base_url + FEED, choice.warning, net.is_loopback(shown)
        )
        server.run(create_app(site), sock, lambda: ready(serving), notice)
