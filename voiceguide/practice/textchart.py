"""The ratings drawn with text, under ``history``'s table: one column a session, the 0 to
10 scale upright, so a terminal shows at a glance whether the back feels better after.

Plain ASCII, so it reads the same in any terminal, log or e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence

from voiceguide.practice.history import RatingPoint
from voiceguide.practice.journal import RATING_MAX, RATING_MIN

BEFORE = "b"
AFTER = "a"
BOTH = "*"  # the same rating before and after
PAIN = "!"
LEGEND = (
    f"Ratings {RATING_MIN}-{RATING_MAX} ({RATING_MIN} no pain): {BEFORE} before, {AFTER} after,"
    f" {BOTH} the same; {PAIN} stopped for pain"
)
_LABEL = len(str(RATING_MAX))  # the width of the scale's numbers
_MARGIN = _LABEL + 2  # "10 |"
_COLUMN = 2  # a mark and a space for each session


def text_chart(points: Sequence[RatingPoint], width: int) -> list[str]:
    """The chart's lines: the legend; the scale from 10 down to 0, at most ``width`` wide,
    with a column for each of the latest sessions that fit; the pain stops under them; the
    first and last date shown. Nothing when there is nothing to chart."""
    if not points:
        return []
    fit = max(1, (width - _MARGIN) // _COLUMN)
    shown = list(points[-fit:])
    lines = [LEGEND]
    if len(shown) < len(points):
        lines.append(f"(the last {len(shown)} of {len(points)} sessions)")
    for value in range(RATING_MAX, RATING_MIN - 1, -1):
        marks = "".join(_mark(point, value).ljust(_COLUMN) for point in shown)
        lines.append(f"{value:>{_LABEL}} |{marks}".rstrip())
    lines.append(" " * _LABEL + " +" + "-" * (_COLUMN * len(shown)))
    pains = "".join((PAIN if point.pain_stop else "").ljust(_COLUMN) for point in shown)
    if pains.strip():
        lines.append(" " * _MARGIN + pains.rstrip())
    lines.append(" " * _MARGIN + _dates(shown))
    return lines


def _mark(point: RatingPoint, value: int) -> str:
    before, after = point.before == value, point.after == value
    if before and after:
        return BOTH
    return BEFORE if before else AFTER if after else ""


def _dates(shown: Sequence[RatingPoint]) -> str:
    """The first session's date at the left and the last one's at the right, when they
    fit apart; else the first only."""
    first, last = (p.started.astimezone().strftime("%m-%d") for p in (shown[0], shown[-1]))
    gap = _COLUMN * len(shown) - len(first) - len(last)
    if first == last or gap < 1:
        return first
    return first + " " * gap + last
