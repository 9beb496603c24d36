"""The terminal display, for anyone who glances: on stderr, redrawn in place.

It shows the routine, the step playing and the next one, the time left and a progress
bar, the keys, and for a few seconds what the last key did. ``play`` uses it only when
stdin and stdout are both terminals; from a script it just plays.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from voiceguide.player.state import Status
from voiceguide.text import clock

KEYS_HELP = "space pause · n next · p back · r repeat · w where am I · s stop (it hurts) · q quit"
REFRESH = 8  # redraws per second


def elapsed(seconds: float) -> str:
    """A running clock: the whole seconds gone (never a second that has not passed)."""
    return clock(seconds, floor=True)


def length(seconds: float) -> str:
    """A length, to the nearest second: the total here, in the line printed when play
    ends, in ``list`` and ``show``, so that one routine has one length everywhere."""
    return clock(seconds)


def render(status: Status) -> RenderableType:
    """The display for ``status``."""
    state = Text(" PAUSED ", style="bold black on yellow") if status.paused else Text("")
    heading = Text.assemble((status.title, "bold"), "  ", state)
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    if status.step >= 0:
        table.add_row("Now", f"{status.step_label}  {status.step_title}")
    else:
        table.add_row("Now", "getting ready")
    table.add_row("Next", status.next_title or "the end")
    fraction = status.position / status.duration if status.duration else 1.0
    # While the voice is rendered, the length is the estimate `list` and `show` give, and
    # says so: the real one can differ by a few seconds once every clip is known.
    about = "about " if status.estimated else ""
    times = Text(
        f"{elapsed(status.position)} / {about}{length(status.duration)}"
        f"  ·  {about}{elapsed(status.remaining)} left"
    )
    parts: list[RenderableType] = [
        heading,
        table,
        ProgressBar(total=1.0, completed=min(1.0, fraction), width=48),
        times,
        Text(KEYS_HELP, style="dim"),
    ]
    if status.waiting:
        parts.append(Text("Waiting for the voice to catch up…", style="yellow"))
    if status.rendered and status.rendered[0] < status.rendered[1]:
        done, total = status.rendered
        parts.append(Text(f"Preparing the voice: {done} of {total} clips", style="dim"))
    if status.listening:
        heard = f'  ·  last heard: "{status.heard}"' if status.heard else ""
        parts.append(Text(f"Voice commands: {status.listening}{heard}", style="dim"))
    if status.message:
        parts.append(Text(status.message, style="cyan"))
    return Group(*parts)


class Display:
    """A live view of the player's ``Status`` on stderr; use as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._live: Live | None = None

    def __enter__(self) -> Display:
        self._live = Live(
            console=self.console, refresh_per_second=REFRESH, transient=True, auto_refresh=True
        )
        self._live.start()
        return self

    def update(self, status: Status) -> None:
        if self._live is not None:
            self._live.update(render(status))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()
