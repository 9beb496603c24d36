from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

from voiceguide.player.state import Outcome
from voiceguide.practice.history import (
    RatingPoint,
    RoutineCount,
    Streak,
    period_start,
    rating_points,
    streak,
    summarize,
)
from voiceguide.practice.journal import PainStop, SessionRecord

NOW = datetime(2025, 3, 14, 8, 0, tzinfo=UTC)


def session(
    days_ago: int,
    outcome: Outcome | None = "completed",
    routine: str = "chair",
    hour: int = 7,
) -> SessionRecord:
    started = NOW.replace(hour=hour) - timedelta(days=days_ago)
    return SessionRecord(
        id=days_ago,
        routine_id=routine,
        title=routine.title(),
        kind="crack",
        started=started,
        ended=started + timedelta(minutes=6) if outcome else None,
        outcome=outcome,
        reason="pain" if outcome == "stopped" else None,
        steps_skipped=0,
        pace=1.0,
        engine="pyttsx3",
        voice=None,
    )


def test_no_sessions_no_streak() -> None:
    assert streak([], NOW) == Streak(0, None)


def test_the_streak_counts_consecutive_days_up_to_today() -> None:
    sessions = [session(d) for d in (0, 1, 2, 4, 5)]
    assert streak(sessions, NOW) == Streak(3, date(2025, 3, 14))


def test_today_not_done_yet_keeps_yesterdays_streak() -> None:
    sessions = [session(d) for d in (1, 2)]
    assert streak(sessions, NOW) == Streak(2, date(2025, 3, 13))


def test_a_missed_day_ends_the_streak() -> None:
    assert streak([session(2), session(3)], NOW) == Streak(0, date(2025, 3, 12))


def test_only_completed_sessions_make_a_streak() -> None:
    sessions = [session(0, "stopped"), session(1, None), session(1, "quit"), session(2)]
    assert streak(sessions, NOW) == Streak(0, date(2025, 3, 12))
    assert streak([session(0, "stopped"), session(1)], NOW) == Streak(1, date(2025, 3, 13))


def test_days_are_counted_in_the_users_timezone() -> None:
    # 23:00 UTC on the 13th is already the 14th in UTC+3.
    late = session(1, hour=23)
    assert streak([late], NOW) == Streak(1, date(2025, 3, 13))
    plus_three = NOW.astimezone(timezone(timedelta(hours=3)))
    assert streak([late], plus_three) == Streak(1, date(2025, 3, 14))


def test_a_period_of_one_day_starts_at_midnight_today() -> None:
    assert period_start(1, NOW) == datetime(2025, 3, 14, tzinfo=UTC)
    assert period_start(7, NOW) == datetime(2025, 3, 8, tzinfo=UTC)


def test_summarize_limits_the_period_and_counts_per_routine() -> None:
    sessions = [
        session(9, routine="standing"),
        session(2, routine="chair"),
        session(1, "stopped", routine="bed"),
        session(1, routine="chair", hour=9),
        session(0, "quit", routine="chair"),
    ]
    everything = summarize(sessions, NOW)
    assert len(everything.sessions) == 5
    recent = summarize(sessions, NOW, days=2)
    assert [s.routine_id for s in recent.sessions] == ["bed", "chair", "chair"]
    assert recent.routines == (
        RoutineCount("chair", "Chair", 2, 1, 0),
        RoutineCount("bed", "Bed", 1, 0, 1),  # stopped for pain
    )
    assert recent.streak == everything.streak == Streak(2, date(2025, 3, 13))
    assert recent.days == 2


def test_the_json_shape() -> None:
    stopped = replace(
        session(0, "stopped"), pain_stop=PainStop(2, "Lean back"), rating_before=3, rating_after=7
    )
    data = summarize([stopped], NOW, days=3).to_json(UTC)
    assert data == {
        "days": 3,
        "sessions": [
            {
                "id": 0,
                "routine": "chair",
                "title": "Chair",
                "kind": "crack",
                "started": "2025-03-14T07:00:00+00:00",
                "ended": "2025-03-14T07:06:00+00:00",
                "seconds": 360.0,
                "outcome": "stopped",
                "reason": "pain",
                "steps_skipped": 0,
                "pace": 1.0,
                "engine": "pyttsx3",
                "voice": None,
                "pain_step": 2,
                "pain_step_title": "Lean back",
                "rating_before": 3,
                "rating_after": 7,
            }
        ],
        "routines": [
            {
                "routine": "chair",
                "title": "Chair",
                "sessions": 1,
                "completed": 0,
                "pain_stops": 1,
                "rated": 1,
                "median_change": 4.0,
            }
        ],
        "streak": {"days": 0, "last": None},
    }


# --- ratings ---------------------------------------------------------------------------------


def rated(
    days_ago: int,
    before: int | None,
    after: int | None,
    routine: str = "chair",
    outcome: Outcome = "completed",
) -> SessionRecord:
    return replace(session(days_ago, outcome, routine), rating_before=before, rating_after=after)


def test_the_median_change_is_over_the_sessions_rated_both_times() -> None:
    sessions = [
        rated(6, 6, 4),  # -2
        rated(5, 5, None),  # no after: left out
        rated(4, None, 2),  # no before: left out
        rated(3, 7, 2),  # -5
        rated(2, 3, 4),  # +1
        rated(1, 4, 4),  # 0
        rated(0, 2, 9, routine="bed", outcome="stopped"),  # another routine: +7
    ]
    chair, bed = summarize(sessions, NOW).routines
    assert (chair.routine_id, chair.rated, chair.median_change) == ("chair", 4, -1.0)  # -2, 0
    assert (bed.routine_id, bed.rated, bed.median_change) == ("bed", 1, 7.0)


def test_an_odd_count_has_the_middle_change() -> None:
    [chair] = summarize([rated(2, 5, 2), rated(1, 2, 3), rated(0, 8, 0)], NOW).routines
    assert chair.median_change == -3.0  # of -8, -3, +1


def test_a_routine_without_ratings_has_no_median() -> None:
    [chair] = summarize([session(1), rated(0, 5, None)], NOW).routines
    assert (chair.rated, chair.median_change) == (0, None)


def test_the_median_is_of_the_period_shown() -> None:
    sessions = [rated(9, 9, 1), rated(1, 3, 4), rated(0, 3, 4)]
    [everything] = summarize(sessions, NOW).routines
    [recent] = summarize(sessions, NOW, days=2).routines
    assert (everything.median_change, recent.median_change) == (1.0, 1.0)
    [oldest] = summarize(sessions[:1], NOW).routines
    assert oldest.median_change == -8.0


def test_the_points_to_chart_are_the_rated_sessions_and_the_pain_stops() -> None:
    pain = replace(session(3, "stopped"), pain_stop=PainStop(1, "Sit"))
    sessions = [session(4), pain, rated(2, 5, None), rated(1, None, 3), session(0, "quit")]
    assert rating_points(sessions) == (
        RatingPoint(pain.started, "chair", None, None, True),
        RatingPoint(sessions[2].started, "chair", 5, None, False),
        RatingPoint(sessions[3].started, "chair", None, 3, False),
    )
