"""The Routine: the validated, typed form of a routine file.

``loader`` builds these from YAML; ``compiler`` turns them into a Script. Nothing here
knows YAML or audio. Every step keeps the line it came from so later stages can point at it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["crack", "stretch"]
CountStyle = Literal["down", "up", "none"]
KINDS: tuple[Kind, ...] = ("crack", "stretch")
COUNT_STYLES: tuple[CountStyle, ...] = ("down", "up", "none")


@dataclass(frozen=True)
class Say:
    """Speak ``text``; then optionally pause (get into position) or hold (timed, counted)."""

    text: str
    line: int
    pause: float | None = None
    hold: float | None = None
    count: CountStyle = "down"
    then: str | None = None  # spoken when the hold ends; None means the compiler's default
    attempt: bool = False  # the step where a crack may come
    loads: bool = False  # the step that loads the position the attempt works on
    alone: bool = False  # said only when the routine plays on its own, not in a session


@dataclass(frozen=True)
class Breathe:
    """Paced breathing: ``cycles`` of in, hold, out, hold-out; ``say`` is spoken first."""

    inhale: float
    exhale: float
    line: int
    hold_in: float = 0.0
    hold_out: float = 0.0
    cycles: int = 1
    count: bool = False
    say: str | None = None
    attempt: bool = False
    loads: bool = False
    alone: bool = False


@dataclass(frozen=True)
class Rest:
    """Silence to recover, with an optional ``say`` first."""

    seconds: float
    line: int
    say: str | None = None
    alone: bool = False


@dataclass(frozen=True)
class Caution:
    """A spoken safety reminder, set apart by a tone."""

    text: str
    line: int
    alone: bool = False


@dataclass(frozen=True)
class Repeat:
    """``steps`` done ``times`` times, with natural phrasing between rounds."""

    times: int
    steps: tuple[Step, ...]
    line: int


@dataclass(frozen=True)
class Question:
    """``text`` asked, then an answer window: ``steps`` (one more round) are done only on
    a deliberate answer, and without one the routine moves on. It is how a crack routine
    offers another attempt, asked once the body is out of the position."""

    text: str
    steps: tuple[Step, ...]
    line: int


@dataclass(frozen=True)
class Sides:
    """``steps`` done once per side; ``{side}`` and ``{other}`` are filled in. ``title``
    names the steps of each side (it may say ``{side}``); None: named after the first
    instruction."""

    sides: tuple[str, ...]
    steps: tuple[Step, ...]
    line: int
    title: str | None = None


@dataclass(frozen=True)
class Include:
    """The steps of another routine, resolved by the loader (``routine: ID``)."""

    routine: Routine
    line: int


Step = Say | Breathe | Rest | Caution | Repeat | Sides | Question | Include
Block = Repeat | Sides | Question  # the steps that hold steps of their own


@dataclass(frozen=True)
class Routine:
    """A routine file, validated. ``path`` is where it was loaded from."""

    id: str
    title: str
    kind: Kind
    steps: tuple[Step, ...]
    path: Path
    summary: str | None = None
    advice: str | None = None  # when or how it works best, said after the title
    source: str | None = None
    area: str | None = None
    position: str | None = None
    equipment: tuple[str, ...] = ()
    contraindications: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    notes: str | None = None
    # A soundscape under it when none is chosen on the command line or in the config file:
    # a built-in one's name, or an audio file's path (made absolute from the file's folder).
    bed: str | None = None


def walk(steps: Sequence[Step]) -> Iterator[Step]:
    """Every step in ``steps`` in order, blocks opened; included routines stay closed."""
    for step in steps:
        yield step
        if isinstance(step, Block):
            yield from walk(step.steps)


def with_included(routine: Routine) -> Iterator[Routine]:
    """``routine`` and every routine it includes, at any depth, in the order they appear."""
    yield routine
    for step in walk(routine.steps):
        if isinstance(step, Include):
            yield from with_included(step.routine)


def is_session(routine: Routine) -> bool:
    """True when ``routine`` includes others: it is then spoken of as a session."""
    return any(isinstance(step, Include) for step in walk(routine.steps))
