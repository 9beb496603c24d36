"""What a playing routine looks like from outside: the snapshot the display and the media
keys' D-Bus interface read, and how playing ended. Records only, so that the display, MPRIS
and the journal can know them without knowing the player."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

# How playing ended: to the end, q (quit) or s (stop, it hurts). The journal keeps it too.
Outcome = Literal["completed", "stopped", "quit"]
# What the player is asking, whose answers may be said now: a question's (yes / no / one
# more) or how the back is (0 to 10).
Asking = Literal["question", "rating"]


@dataclass(frozen=True)
class Status:
    """What the display shows: a snapshot of the player."""

    title: str
    position: float  # seconds into the routine
    duration: float
    step: int  # index into ``steps`` (the number ``show`` gives it); -1 before the first
    step_label: str | None  # the step's number as every view shows it; None before the first
    step_title: str | None
    next_title: str | None
    paused: bool
    message: str | None = None
    rendered: tuple[int, int] | None = None  # (clips ready, clips needed) while rendering
    waiting: bool = False  # held until the voice catches up (see streaming)
    estimated: bool = False  # ``duration`` is an estimate: the voice is still being rendered
    listening: str | None = None  # with --listen: "listening", "listening soon", or why not
    heard: str | None = None  # with --listen: the last words acted on

    @property
    def remaining(self) -> float:
        return max(0.0, self.duration - self.position)


@dataclass(frozen=True)
class PlayResult:
    """How playing ended: ``completed``, ``quit`` (q) or ``stopped`` (s: it hurts)."""

    outcome: Outcome
    position: float  # seconds into the routine when it ended
    step: int  # index of the step playing then; -1 before the first
    steps_skipped: int
    # How the back felt, 0 to 10, as answered: ("before" or "after", the number).
    ratings: tuple[tuple[Literal["before", "after"], int], ...] = ()


class StatusView(Protocol):
    def update(self, status: Status) -> None: ...
