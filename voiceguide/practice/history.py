"""What the journal says about practice: sessions in a period, counts per routine, the streak.

Pure functions over ``SessionRecord``s and the time, so ``history`` stays a thin command
and the day arithmetic can be tested with a fixed clock.
"""

from __future__ import annotations

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
    counts: dict[str, RoutineCount] = {}
    for s in shown:
        before = counts.get(s.routine_id, RoutineCount(s.routine_id, s.title, 0, 0, 0))
        counts[s.routine_id] = RoutineCount(
            s.routine_id,
            s.title,
            before.sessions + 1,
            before.completed + (s.outcome == "completed"),
            before.pain_stops + (s.outcome == "stopped" and s.reason == PAIN),
        )
    routines = sorted(counts.values(), key=lambda r: (-r.sessions, r.routine_id))
    return History(tuple(shown), tuple(routines), streak(all_sessions, now), days)
