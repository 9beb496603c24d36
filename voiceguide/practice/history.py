"""What the journal says about practice: sessions in a period, counts per routine (with the
median change in how the back felt), the streak, and the ratings to chart.

Pure functions over ``SessionRecord``s and the time, so ``history`` stays a thin command
and the day arithmetic can be tested with a fixed clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from voiceguide.practice.journal import PAIN, SessionRecord


@dataclass(frozen=True)
class RoutineCount:
    routine_id: str
    title: str
    sessions: int
    completed: int
    pain_stops: int  # sessions stopped because something hurt
    rated: int = 0  # sessions with a rating both before and after
    # The median of after minus before over those sessions (negative: it felt better
    # after); None when there are none.
    median_change: float | None = None


@dataclass(frozen=True)
class Streak:
    """Consecutive days with a completed session, ending today (or yesterday, since today
    is not over yet)."""

    days: int
    last: date | None  # the last day with a completed session


@dataclass(frozen=True)
class History:
    sessions: tuple[SessionRecord, ...]
    routines: tuple[RoutineCount, ...]
    streak: Streak
    days: int | None  # the period asked for, None for everything

    def to_json(self, tz: Any) -> dict[str, Any]:
        """The shape of ``history --json``; times are ISO 8601 in timezone ``tz``."""
        return {
            "days": self.days,
            "sessions": [_session_json(s, tz) for s in self.sessions],
            "routines": [
                {
                    "routine": r.routine_id,
                    "title": r.title,
                    "sessions": r.sessions,
                    "completed": r.completed,
                    "pain_stops": r.pain_stops,
                    "rated": r.rated,
                    "median_change": r.median_change,
                }
                for r in self.routines
            ],
            "streak": {
                "days": self.streak.days,
                "last": self.streak.last.isoformat() if self.streak.last else None,
            },
        }


def _session_json(session: SessionRecord, tz: Any) -> dict[str, Any]:
    return {
        "id": session.id,
        "routine": session.routine_id,
        "title": session.title,
        "kind": session.kind,
        "started": session.started.astimezone(tz).isoformat(),
        "ended": session.ended.astimezone(tz).isoformat() if session.ended else None,
        "seconds": session.duration,
        "outcome": session.outcome,
        "reason": session.reason,
        "steps_skipped": session.steps_skipped,
        "pace": session.pace,
        "engine": session.engine,
        "voice": session.voice,
        "pain_step": session.pain_stop.step if session.pain_stop else None,
        "pain_step_title": session.pain_stop.title if session.pain_stop else None,
        "rating_before": session.rating_before,
        "rating_after": session.rating_after,
    }


# ``history --csv``: one row a session, for a physical therapist's spreadsheet.
CSV_COLUMNS = (
    "id",
    "routine",
    "title",
    "kind",
    "started",
    "ended",
    "seconds",
    "outcome",
    "reason",
    "steps_skipped",
    "pace",
    "engine",
    "voice",
    "pain_step",
    "pain_step_title",
    "rating_before",
    "rating_after",
)


def csv_rows(history: History, tz: Any) -> list[list[str]]:
    """The sessions as rows of ``CSV_COLUMNS`` (times ISO 8601 in ``tz``; empty for none)."""
    rows = []
    for session in history.sessions:
        shown = _session_json(session, tz)
        rows.append(["" if shown[name] is None else str(shown[name]) for name in CSV_COLUMNS])
    return rows


def period_start(days: int, now: datetime) -> datetime:
    """The start of a period of ``days`` calendar days ending today: ``1`` is today."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days - 1)


def streak(sessions: Sequence[SessionRecord], now: datetime) -> Streak:
    """The current streak in ``now``'s timezone."""
    done = {s.started.astimezone(now.tzinfo).date() for s in sessions if s.outcome == "completed"}
    if not done:
        return Streak(0, None)
    day = now.date()
    if day not in done:
        day -= timedelta(days=1)
    count = 0
    while day in done:
        count += 1
        day -= timedelta(days=1)
    return Streak(count, max(done))


def summarize(
    all_sessions: Sequence[SessionRecord], now: datetime, days: int | None = None
) -> History:
    """The history for the last ``days`` calendar days (all when None); the streak always
    looks at every session."""
    shown = list(all_sessions)
    if days is not None:
        start = period_start(days, now)
        shown = [s for s in shown if s.started >= start]
    by_routine: dict[str, list[SessionRecord]] = {}
    for s in shown:
        by_routine.setdefault(s.routine_id, []).append(s)
    routines = sorted(
        (_count(group) for group in by_routine.values()), key=lambda r: (-r.sessions, r.routine_id)
    )
    return History(tuple(shown), tuple(routines), streak(all_sessions, now), days)


def _count(sessions: Sequence[SessionRecord]) -> RoutineCount:
    """The counts of one routine's sessions (oldest first: the title is the last one's)."""
    changes = [change for s in sessions if (change := rating_change(s)) is not None]
    return RoutineCount(
        sessions[-1].routine_id,
        sessions[-1].title,
        len(sessions),
        sum(s.outcome == "completed" for s in sessions),
        sum(is_pain_stop(s) for s in sessions),
        len(changes),
        float(statistics.median(changes)) if changes else None,
    )


def is_pain_stop(session: SessionRecord) -> bool:
    return session.outcome == "stopped" and session.reason == PAIN


def signed(change: float) -> str:
    """A change in rating as shown: "+2", "-1.5", and "0" for none."""
    return f"{change:+g}" if change else "0"


def rating_change(session: SessionRecord) -> int | None:
    """After minus before, for a session rated both times; else None."""
    if session.rating_before is None or session.rating_after is None:
        return None
    return session.rating_after - session.rating_before


@dataclass(frozen=True)
class RatingPoint:
    """One session on the chart of ratings: when, how the back felt before and after
    (None: not given), and whether it was stopped for pain."""

    started: datetime
    routine_id: str
    before: int | None
    after: int | None
    pain_stop: bool


def rating_points(sessions: Sequence[SessionRecord]) -> tuple[RatingPoint, ...]:
    """The sessions there is something to chart for (a rating, or a stop for pain), in the
    order given."""
    return tuple(
        RatingPoint(s.started, s.routine_id, s.rating_before, s.rating_after, is_pain_stop(s))
        for s in sessions
        if s.rating_before is not None or s.rating_after is not None or is_pain_stop(s)
    )
