from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from tests.support.cli import voiceguide
from tests.support.records import bare_routine
from voiceguide.player.state import Outcome
from voiceguide.practice.journal import SCHEMA_VERSION, Journal, SessionStart, journal_path

# Local noon of today: whatever the time the tests run, "today" and "N days ago" are
# unambiguous calendar days.
NOON = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)


def record(
    routine_id: str,
    days_ago: int,
    outcome: Outcome | None = "completed",
    reason: str | None = None,
    skipped: int = 0,
) -> None:
    routine = bare_routine(routine_id, "crack")
    journal = Journal()
    started = NOON - timedelta(days=days_ago)
    session = journal.start_session(
        SessionStart(routine, pace=1.5, engine="espeak-ng", voice="en-gb"), now=started
    )
    if outcome is not None:
        journal.finish_session(
            session,
            outcome,
            reason,
            steps_skipped=skipped,
            now=started + timedelta(minutes=7, seconds=5),
        )


@pytest.fixture
def week() -> None:
    """Completed today, yesterday and the day before; a pain stop and an unfinished one."""
    record("chair", 6)
    record("chair", 2)
    record("floor-option1", 1, "stopped", "pain", skipped=2)
    record("chair", 1)
    record("chair", 0)
    record("standing", 0, None)


def test_an_empty_journal() -> None:
    result = voiceguide("history")
    assert result.exit_code == 0
    assert result.stdout == "No sessions recorded (all time).\nStreak: 0 days\n"
    assert not journal_path().exists()


@pytest.mark.usefixtures("week")
def test_the_table_lists_sessions_counts_and_the_streak() -> None:
    result = voiceguide("history")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].rstrip() == "Sessions (all time)"
    rows = [line.split() for line in lines if line.strip().startswith(str(NOON.year))]
    today = NOON.strftime("%Y-%m-%d")
    assert rows[-2] == [today, "12:00", "chair", "completed", "7:05", "0", "1.5"]
    assert rows[-1] == [today, "12:00", "standing", "unfinished", "-", "0", "1.5"]
    assert [row[2] for row in rows] == [
        "chair",
        "chair",
        "floor-option1",
        "chair",
        "chair",
        "standing",
    ]
    pain = next(line for line in lines if "floor-option1" in line)
    assert "stopped (pain)" in pain and pain.split()[-3:] == ["7:05", "2", "1.5"]
    counts = lines[lines.index(next(x for x in lines if x.startswith("Per routine"))) :]
    count_rows = [line.split() for line in counts if line.strip()[:1].isalpha()]
    assert ["chair", "4", "4", "0"] in count_rows
    assert ["floor-option1", "1", "0", "1"] in count_rows  # its one stop for pain
    assert ["standing", "1", "0", "0"] in count_rows
    assert lines[-1] == f"Streak: 3 days (last: {today})"


@pytest.mark.usefixtures("week")
def test_json_has_sessions_counts_and_streak() -> None:
    result = voiceguide("history", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"days", "sessions", "routines", "streak"}
    assert data["days"] is None
    assert len(data["sessions"]) == 6
    pain = data["sessions"][2]
    assert pain == {
        "id": 3,
        "routine": "floor-option1",
        "title": "Floor option1",
        "kind": "crack",
        "started": (NOON - timedelta(days=1)).isoformat(),
        "ended": (NOON - timedelta(days=1, minutes=-7, seconds=-5)).isoformat(),
        "seconds": 425.0,
        "outcome": "stopped",
        "reason": "pain",
        "steps_skipped": 2,
        "pace": 1.5,
        "engine": "espeak-ng",
        "voice": "en-gb",
        "pain_step": None,  # recorded before the step that hurt was kept
        "pain_step_title": None,
    }
    assert data["sessions"][-1]["outcome"] is None and data["sessions"][-1]["ended"] is None
    assert data["routines"][0] == {
        "routine": "chair",
        "title": "Chair",
        "sessions": 4,
        "completed": 4,
        "pain_stops": 0,
    }
    assert data["streak"] == {"days": 3, "last": NOON.date().isoformat()}


@pytest.mark.usefixtures("week")
@pytest.mark.parametrize(("days", "count"), [(1, 2), (2, 4), (3, 5), (30, 6)])
def test_days_keeps_the_last_calendar_days(days: int, count: int) -> None:
    data = json.loads(voiceguide("history", "--json", "--days", str(days)).stdout)
    assert data["days"] == days
    assert len(data["sessions"]) == count
    assert data["streak"]["days"] == 3  # the streak looks at every session


@pytest.mark.usefixtures("week")
def test_days_in_the_table_title() -> None:
    assert voiceguide("history", "--days", "1").stdout.startswith("Sessions (today)")
    assert voiceguide("history", "--days", "7").stdout.startswith("Sessions (the last 7 days)")


def test_days_must_be_positive() -> None:
    result = voiceguide("history", "--days", "0")
    assert result.exit_code == 2
    assert "0 is not in the range 1<=x<=36500" in result.output


def test_the_streak_waits_for_today() -> None:
    record("chair", 1)
    record("chair", 2)
    record("chair", 0, "stopped", "pain")
    assert voiceguide("history").stdout.splitlines()[-1] == (
        f"Streak: 2 days (last: {(NOON - timedelta(days=1)).date()})"
    )


@pytest.mark.usefixtures("week")
def test_clear_asks_and_deletes_on_yes() -> None:
    result = voiceguide("history", "--clear", input=" Y \n")
    assert result.exit_code == 0, result.output
    assert "Delete all 6 sessions from the practice journal? [y/N]: " in result.stderr
    assert result.stdout == "Deleted 6 sessions.\n"
    assert Journal().sessions() == []


@pytest.mark.usefixtures("week")
@pytest.mark.parametrize("answer", ["n\n", "\n", "maybe\n", "yes please\n", "ja\ny\n", ""])
def test_clear_keeps_everything_on_no(answer: str) -> None:
    # Anything but y (or yes) is no, said once: the question is not asked again.
    result = voiceguide("history", "--clear", input=answer)
    assert result.exit_code == 0
    assert "Nothing was deleted." in result.stderr
    assert result.stderr.count("[y/N]") == 1
    assert len(Journal().sessions()) == 6


@pytest.mark.usefixtures("week")
def test_clear_with_yes_does_not_ask() -> None:
    result = voiceguide("history", "--clear", "--yes")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == "Deleted 6 sessions.\n"
    assert Journal().sessions() == []


def test_clear_with_nothing_to_clear() -> None:
    result = voiceguide("history", "--clear")
    assert result.exit_code == 0
    assert result.stdout == "The practice journal has no sessions to delete.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clear", "--json"], "--clear cannot be combined with --json, --csv or --days"),
        (["--clear", "--days", "3"], "--clear cannot be combined with --json, --csv or --days"),
        (["--yes"], "--yes only goes with --clear"),
    ],
)
def test_option_mistakes_are_usage_errors(args: list[str], message: str) -> None:
    result = voiceguide("history", *args)
    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr


def test_a_damaged_journal_is_moved_aside_with_a_warning() -> None:
    path = journal_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not sqlite at all " * 100)
    result = voiceguide("history")
    assert result.exit_code == 0
    assert result.stderr.startswith("Warning: the practice journal ")
    assert result.stderr.count("\n") == 1
    assert "No sessions recorded" in result.stdout
    assert len(list(path.parent.glob("*.corrupt-*"))) == 1


def test_a_journal_from_a_newer_version_is_an_error() -> None:
    record("chair", 0)
    with sqlite3.connect(journal_path()) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = voiceguide("history")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the practice journal ")
    assert "newer voiceguide" in result.stderr


@pytest.mark.usefixtures("week")
def test_a_damaged_row_is_skipped_with_a_warning() -> None:
    with sqlite3.connect(journal_path()) as db:
        db.execute("UPDATE sessions SET started = '2025-03-14T09:30:00' WHERE id = 2")
    db.close()
    result = voiceguide("history")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: skipped 1 session row of the practice journal ")
    assert "Traceback" not in result.output
    assert "Streak: 2 days" in result.stdout  # the session two days ago is the one skipped


def test_a_huge_number_of_days_is_a_usage_error() -> None:
    result = voiceguide("history", "--days", "99999999999")
    assert result.exit_code == 2
    assert "is not in the range 1<=x<=36500" in result.stderr


@pytest.mark.usefixtures("week")
def test_csv_has_one_row_a_session_as_the_journal_keeps_it() -> None:
    import csv
    import io

    result = voiceguide("history", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    sessions = Journal().sessions()
    assert [int(row["id"]) for row in rows] == [s.id for s in sessions]
    for row, session in zip(rows, sessions, strict=True):
        assert row["routine"] == session.routine_id
        assert row["outcome"] == (session.outcome or "")
        assert row["reason"] == (session.reason or "")
        assert float(row["pace"]) == session.pace
        assert datetime.fromisoformat(row["started"]) == session.started
        assert int(row["steps_skipped"]) == session.steps_skipped


def test_csv_and_json_together_are_a_usage_error() -> None:
    result = voiceguide("history", "--csv", "--json")
    assert result.exit_code == 2
    assert "give --json or --csv, not both" in result.stderr
