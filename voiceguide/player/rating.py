"""How is your back, 0 to 10? The guide asks at two moments of a session: "before", when
the routine's first step is about to start (after its opening), and "after", when the
closing is about to start. The player holds the Timeline there and asks over nothing
else (as "where am I?" answers), then an answer window between the question's tones.

A number answers it (a digit key; spoken words or any other thread push the same
``Request``); a 1 waits ``TEN_WAIT`` for a 0 that makes it ten. No answer in the window:
nothing is recorded, and the routine goes on. "Where am I?" in the window is answered and
the question asked again; any other control ends the question unanswered and does what it
says. The answers are in the ``PlayResult``; the play session keeps them in the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.audio.tones import chime

Moment = Literal["before", "after"]
MOMENTS: tuple[Moment, ...] = ("before", "after")

RATING_SECONDS = 8.0  # the answer window, times the pace
TEN_WAIT = 1.0  # seconds after a 1 in which a 0 makes it ten
LEAD = 0.3  # seconds before its step's start at which the player stops to ask
TONE_SECONDS = 0.4  # the window's opening and closing tones, as in a routine's questions
TONE_GAP = 0.3  # between the question's words and the opening tone


@dataclass(frozen=True)
class RatingSound:
    """The question and its window as one sound; the window is from ``opens`` to
    ``closes`` (frames into ``sound``, the closing tone after it)."""

    sound: Samples
    opens: int
    closes: int


def rating_sound(words: Samples, sample_rate: int, pace: float) -> RatingSound:
    """``words`` (the question spoken), then the window between its two tones."""
    tone = round(TONE_SECONDS * sample_rate)
    gap = np.zeros(round(TONE_GAP * sample_rate), dtype=np.float32)
    window = np.zeros(round(RATING_SECONDS * pace * sample_rate), dtype=np.float32)
    opening = chime("window-open", tone, sample_rate)
    closing = chime("window-close", tone, sample_rate)
    sound = np.concatenate([words, gap, opening, window, closing]).astype(np.float32)
    opens = len(words) + len(gap) + tone
    return RatingSound(sound, opens, opens + len(window))


class Digits:
    """Digit keys made into a number from 0 to 10: every digit is its number at once,
    except a 1, which waits ``TEN_WAIT`` seconds for a 0."""

    def __init__(self) -> None:
        self._one_at: float | None = None

    def push(self, digit: int, now: float) -> int | None:
        """The number ``digit`` completes, if any."""
        if self._one_at is not None:
            self._one_at = None
            if digit == 0:
                return 10
        if digit == 1:
            self._one_at = now
            return None
        return digit

    def due(self, now: float, *, closing: bool = False) -> int | None:
        """A 1 that waited long enough (or whose window is closing): 1."""
        if self._one_at is not None and (closing or now - self._one_at >= TEN_WAIT):
            self._one_at = None
            return 1
        return None


@dataclass(frozen=True)
class RatingWindow:
    """The rating being asked for ``moment``, in output frames: the question from
    ``begins``, answered until ``ends``; then playing goes on at Timeline ``frame``."""

    moment: Moment
    begins: int
    ends: int
    frame: int


class Ratings:
    """The ratings of one session: which moments were asked, the question open now (if
    any), the digits typed into it, and the answers given."""

    def __init__(self, moments: tuple[Moment, ...]) -> None:
        self.moments = moments
        self.asked: set[Moment] = set()
        self.window: RatingWindow | None = None
        self.given: list[tuple[Moment, int]] = []
        self._digits = Digits()

    def open(self, window: RatingWindow) -> None:
        self.asked.add(window.moment)
        self.window = window
        self._digits = Digits()

    def hears(self, heard: int) -> bool:
        """Whether the question is open at output frame ``heard``."""
        window = self.window
        return window is not None and window.begins <= heard < window.ends

    def push(self, digit: int, now: float) -> int | None:
        """The rating ``digit`` completes, if any."""
        return self._digits.push(digit, now)

    def tick(self, heard: int, now: float) -> int | None:
        """A 1 whose wait for a 0 is over; the window closed (unanswered) once past it."""
        assert self.window is not None
        over = heard >= self.window.ends
        due = self._digits.due(now, closing=over)
        if due is None and over:
            self.window = None
        return due

    def take(self, value: int) -> RatingWindow:
        """Record ``value`` for the open question, and close it."""
        window = self.window
        assert window is not None
        self.window = None
        self.given.append((window.moment, value))
        return window

    def drop(self) -> None:
        """Close the open question, unanswered."""
        self.window = None
