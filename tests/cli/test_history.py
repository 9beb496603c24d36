from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

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
    ratings: tuple[int | None, int | None] = (None, None),
) -> None:
    routine = bare_routine(routine_id, "crack")
    journal = Journal()
    started = NOON - timedelta(days=days_ago)
    session = journal.start_session(
        SessionStart(routine, pace=1.5, engine="espeak-ng", voice="en-gb"), now=started
    )
    for moment, value in zip(("before", "after"), ratings, strict=True):
        if value is not None:
            journal.record_rating(session, moment, value)  # type: ignore[arg-type]
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
    assert rows[-2] == [today, "12:00", "chair", "completed", "7:05", "0", "1.5", "-"]
    assert rows[-1] == [today, "12:00", "standing", "unfinished", "-", "0", "1.5", "-"]
    assert [row[2] for row in rows] == [
        "chair",
        "chair",
        "floor-option1",
        "chair",
        "chair",
        "standing",
    ]
    pain = next(line for line in lines if "floor-option1" in line)
    assert "stopped (pain)" in pain and pain.split()[-4:] == ["7:05", "2", "1.5", "-"]
    counts = lines[lines.index(next(x for x in lines if x.startswith("Per routine"))) :]
    count_rows = [line.split() for line in counts if line.strip()[:1].isalpha()]
    assert ["chair", "4", "4", "0", "-"] in count_rows  # no ratings: no median change
    assert ["floor-option1", "1", "0", "1", "-"] in count_rows  # its one stop for pain
    assert ["standing", "1", "0", "0", "-"] in count_rows
    # No ratings: the text chart has the stop for pain alone.
    start = next(n for n, line in enumerate(lines) if line.startswith("Ratings 0-10"))
    assert all(line.rstrip().endswith("|") for line in lines[start + 1 : start + 12])
    assert lines[start + 13].strip() == "!"
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
        "rating_before": None,
        "rating_after": None,
    }
    assert data["sessions"][-1]["outcome"] is None and data["sessions"][-1]["ended"] is None
    assert data["routines"][0] == {
        "routine": "chair",
        "title": "Chair",
        "sessions": 4,
        "completed": 4,
        "pain_stops": 0,
        "rated": 0,
        "median_change": None,
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
        (["--clear", "--json"], "--clear cannot be combined with --json, --csv, --chart or"),
        (["--clear", "--days", "3"], "--clear cannot be combined with --json, --csv, --chart"),
        (["--clear", "--chart", "x.svg"], "--clear cannot be combined with --json, --csv, --chart"),
        (["--chart", "x.svg", "--json"], "give one of --json, --csv or --chart"),
        (["--chart", "x.svg", "--csv"], "give one of --json, --csv or --chart"),
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
    assert "give one of --json, --csv or --chart" in result.stderr


# --- ratings -----------------------------------------------------------------------------------


@pytest.fixture
def rated() -> None:
    """Two weeks of one routine rated before and after, a pain stop, and another routine."""
    record("chair", 13, ratings=(6, 4))  # -2
    record("chair", 11, ratings=(5, 5))  # 0
    record("chair", 9, "stopped", "pain", ratings=(7, None))  # no after: not in the median
    record("chair", 7, ratings=(None, 3))  # no before: not in the median
    record("chair", 5, ratings=(4, 1))  # -3
    record("chair", 3, ratings=(3, 2))  # -1
    record("floor-option1", 1, ratings=(2, 6))  # +4
    record("standing", 0)  # not rated


@pytest.mark.usefixtures("rated")
def test_the_table_shows_the_ratings_the_median_change_and_a_text_chart() -> None:
    result = voiceguide("history")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    rows = [line.split() for line in lines if line.strip().startswith(str(NOON.year))]
    assert [row[-1] for row in rows] == ["6→4", "5→5", "7→-", "-→3", "4→1", "3→2", "2→6", "-"]
    counts = lines[lines.index(next(x for x in lines if x.startswith("Per routine"))) :]
    count_rows = [line.split() for line in counts if line.strip()[:1].isalpha()]
    assert ["chair", "6", "5", "1", "-1.5"] in count_rows  # the median of -3, -2, -1, 0
    assert ["floor-option1", "1", "1", "0", "+4"] in count_rows
    assert ["standing", "1", "1", "0", "-"] in count_rows
    start = next(n for n, line in enumerate(lines) if line.startswith("Ratings 0-10"))
    scale = lines[start + 1 : start + 12]
    assert [line.split("|")[0].strip() for line in scale] == [str(n) for n in range(10, -1, -1)]
    # The columns: one a session with something to chart, oldest first.
    marks = {
        (int(line.split("|")[0]), n // 2): mark
        for line in scale
        for n, mark in enumerate(line.partition("|")[2])
        if mark.strip()
    }
    assert marks == {
        (6, 0): "b", (4, 0): "a", (5, 1): "*", (7, 2): "b", (3, 3): "a",
        (4, 4): "b", (1, 4): "a", (3, 5): "b", (2, 5): "a", (2, 6): "b", (6, 6): "a",
    }  # fmt: skip
    assert lines[start + 13].strip() == "!"  # under the third: the stop for pain


@pytest.mark.usefixtures("rated")
def test_json_and_csv_carry_the_ratings_as_the_journal_keeps_them() -> None:
    import csv
    import io

    sessions = Journal().sessions()
    data = json.loads(voiceguide("history", "--json").stdout)
    rows = list(csv.DictReader(io.StringIO(voiceguide("history", "--csv").stdout)))
    assert len(sessions) == len(data["sessions"]) == len(rows) == 8
    for session, shown, row in zip(sessions, data["sessions"], rows, strict=True):
        assert shown["id"] == int(row["id"]) == session.id
        assert shown["rating_before"] == session.rating_before
        assert shown["rating_after"] == session.rating_after
        assert row["rating_before"] == (
            "" if session.rating_before is None else str(session.rating_before)
        )
        assert row["rating_after"] == (
            "" if session.rating_after is None else str(session.rating_after)
        )
    chair = next(r for r in data["routines"] if r["routine"] == "chair")
    assert (chair["rated"], chair["median_change"]) == (4, -1.5)


@pytest.mark.usefixtures("rated")
def test_the_median_change_is_of_the_days_asked_for() -> None:
    data = json.loads(voiceguide("history", "--json", "--days", "6").stdout)
    chair = next(r for r in data["routines"] if r["routine"] == "chair")
    assert (chair["sessions"], chair["rated"], chair["median_change"]) == (2, 2, -2.0)


@pytest.mark.usefixtures("rated")
@pytest.mark.parametrize("name", ["ratings.svg", "ratings.png"])
def test_chart_writes_the_ratings_to_a_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    result = voiceguide("history", "--chart", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote the chart of 7 sessions to {path}.\n"
    if path.suffix == ".svg":
        root = ET.parse(path).getroot()
        group = root.find(".//{http://www.w3.org/2000/svg}g[@id='before']")
        assert group is not None
        assert len(list(group.iter("{http://www.w3.org/2000/svg}use"))) == 6
    else:
        from PIL import Image

        with Image.open(path) as image:
            image.load()
            assert (image.format, image.size) == ("PNG", (800, 400))


@pytest.mark.usefixtures("rated")
def test_chart_with_days_charts_that_period(tmp_path: Path) -> None:
    result = voiceguide("history", "--chart", str(tmp_path / "week.svg"), "--days", "4")
    assert result.stdout.startswith("Wrote the chart of 2 sessions to ")


@pytest.mark.usefixtures("rated")
@pytest.mark.parametrize("name", ["ratings.txt", "ratings", "missing/ratings.svg", "."])
def test_a_bad_chart_path_is_one_error_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    result = voiceguide("history", "--chart", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_history_help_shows_the_ratings_and_the_chart() -> None:
    result = voiceguide("history", "--help")
    assert "--chart FILE" in result.stdout
    assert "0 no pain to 10" in " ".join(result.stdout.split())
    assert "median change" in result.stdout


def test_every_built_in_routine_is_counted_rated_and_charted(tmp_path: Path) -> None:
    from voiceguide.routine.library import all_routines

    routines = all_routines()
    assert len(routines) == 18
    journal = Journal()
    expected = {}
    for n, routine in enumerate(routines):
        # Each a different change: before 2 + n % 7, after it by -3 .. +3 then 0.
        change = n % 7 - 3
        for days_ago, after_change in ((3, change), (1, 0)):
            started = NOON - timedelta(days=days_ago, minutes=n)
            session = journal.start_session(
                SessionStart(routine, pace=1.0, engine="piper", voice=None), now=started
            )
            before = 3 + n % 4
            journal.record_rating(session, "before", before)
            journal.record_rating(session, "after", before + after_change)
            journal.finish_session(session, "completed", now=started + timedelta(minutes=5))
        expected[routine.id] = change / 2  # the median of the two changes
    data = json.loads(voiceguide("history", "--json").stdout)
    medians = {r["routine"]: r["median_change"] for r in data["routines"]}
    assert medians == expected
    assert all(r["rated"] == 2 and r["title"] for r in data["routines"])
    # The tables at 80 columns: every id and outcome whole, every row on one line.
    lines = voiceguide("history").stdout.splitlines()
    sessions = [line.split() for line in lines if line.strip().startswith(str(NOON.year))]
    assert len(sessions) == 36
    assert {row[2] for row in sessions} == {routine.id for routine in routines}
    assert all(row[3] == "completed" and len(row) == 8 for row in sessions)
    counts = lines[lines.index(next(x for x in lines if x.startswith("Per routine"))) :]
    rows = {line.split()[0]: line.split()[1:] for line in counts if line[:3].strip()}
    for routine in routines:
        median = expected[routine.id]
        assert rows[routine.id] == ["2", "2", "0", "0" if median == 0 else f"{median:+g}"]
    chart = tmp_path / "all.svg"
    assert voiceguide("history", "--chart", str(chart)).exit_code == 0
    group = ET.parse(chart).getroot().find(".//{http://www.w3.org/2000/svg}g[@id='after']")
    assert group is not None and len(list(group.iter("{http://www.w3.org/2000/svg}use"))) == 36
