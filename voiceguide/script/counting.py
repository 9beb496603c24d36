"""Which whole seconds of a hold are counted aloud, and with which words: the counting
rules the compiler applies (docs/timing.md)."""

from __future__ import annotations

import math

from voiceguide.routine.records import CountStyle
from voiceguide.script import phrasing

# `down` holds this long (seconds, after pace) are counted down: "Ten seconds left.", then
# the last five seconds. A shorter hold gets at most one count cue, "Five seconds left.":
# a countdown crowds a short hold (a 15 s hold had seven cues), and the silence is the hold.
COUNTDOWN_FROM_SECONDS = 20.0
COUNTDOWN_FROM = 5  # `down` counts the last five seconds
_EPSILON = 1e-9  # whole seconds are found with this tolerance, so 0.1 × 30 is 3


def whole_seconds(length: float) -> range:
    """The whole seconds of a stretch ``length`` long that leave a second before its end."""
    return range(1, math.floor(length + _EPSILON))


def hold_counts(length: float, style: CountStyle) -> list[tuple[int, str]]:
    """(second from the hold's start, text) for each count the style asks for."""
    seconds = whole_seconds(length)
    if style == "up":
        return [(s, phrasing.count_text(s)) for s in seconds]
    if style == "none":
        return []
    whole = math.floor(length + _EPSILON)
    if length + _EPSILON < COUNTDOWN_FROM_SECONDS:
        at = whole - COUNTDOWN_FROM
        return [(at, phrasing.FIVE_SECONDS_LEFT)] if at >= 1 else []
    last = seconds[-COUNTDOWN_FROM:]
    counts = [(s, phrasing.count_text(len(last) - i)) for i, s in enumerate(last)]
    counts.insert(0, (whole - 10, phrasing.TEN_SECONDS_LEFT))
    return counts
