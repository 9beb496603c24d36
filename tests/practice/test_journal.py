from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import voiceguide.practice.journal as journal_module
from tests.support.records import bare_routine
from voiceguide.errors import JournalError
from voiceguide.practice.journal import (
    JOURNAL_FILE,
    SCHEMA_VERSION,
    Journal,
    PainStop,
    SessionStart,
    journal_path,
    warn_on_stderr,
)
from voiceguide.practice.migrations import stored_version
from voiceguide.practice.recording import SessionRecording, record_session
from voiceguide.routine.records import Routine
from voiceguide.signals import Interrupted

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def routine(routine_id: str = "chair") -> Routine:
    return bare_routine(routine_id, "crack", contraindications=("disc problems",))


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture
def warnings() -> Warnings:
    return Warnings()


@pytest.fixture
def journal(tmp_path: Path, warnings: Warnings) -> Journal:
    return Journal(tmp_path / JOURNAL_FILE, warn=warnings)


def play_one(journal: Journal, when: datetime = T0) -> int:
    session = journal.start_session(
        SessionStart(routine(), pace=1.25, engine="pyttsx3", voice="en-us"), now=when
    )
    journal.finish_session(session, "completed", now=when + timedelta(minutes=7))
    return session


# --- records ------------------------------------------------------------------------------


def test_the_journal_lives_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(tmp_path / "data"))
    assert journal_path() == tmp_path / "data" / JOURNAL_FILE
    assert Journal().path == journal_path()


def test_a_session_is_recorded_with_everything_play_knows(journal: Journal) -> None:
    session = journal.start_session(
        SessionStart(routine("floor-option1"), pace=1.5, engine="espeak-ng", voice="en-gb"), now=T0
    )
    journal.finish_session(
        session, "stopped", "pain", steps_skipped=2, now=T0 + timedelta(seconds=95)
    )
    [record] = journal.sessions()
    assert record.id == session
    assert (record.routine_id, record.title, record.kind) == (
        "floor-option1",
        "Floor option1",
        "crack",
    )
    assert (record.started, record.ended, record.duration) == (T0, T0 + timedelta(seconds=95), 95)
    assert (record.outcome, record.reason, record.steps_skipped) == ("stopped", "pain", 2)
    assert (record.pace, record.engine, record.voice) == (1.5, "espeak-ng", "en-gb")


def test_an_unfinished_session_has_no_end(journal: Journal) -> None:
    journal.start_session(SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None), now=T0)
    [record] = journal.sessions()
    assert (record.ended, record.outcome, record.duration, record.voice) == (None, None, None, None)


def test_sessions_come_oldest_first_and_since_filters(journal: Journal) -> None:
    for hours in (5, 1, 3):
        play_one(journal, T0 + timedelta(hours=hours))
    starts = [s.started for s in journal.sessions()]
    assert starts == [T0 + timedelta(hours=h) for h in (1, 3, 5)]
    since = journal.sessions(since=T0 + timedelta(hours=3))
    assert [s.started for s in since] == [T0 + timedelta(hours=h) for h in (3, 5)]


def test_times_in_other_timezones_are_stored_as_the_same_instant(journal: Journal) -> None:
    local = T0.astimezone(timezone(timedelta(hours=-5)))
    play_one(journal, local)
    assert journal.sessions()[0].started == T0
    assert journal.sessions(since=T0)[0].started.tzinfo == UTC


def test_naive_times_are_refused(journal: Journal) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        journal.start_session(
            SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None),
            now=datetime(2025, 1, 1),
        )


def test_reading_a_journal_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "data" / JOURNAL_FILE)
    assert journal.sessions() == []
    assert journal.consent("chair") is None
    assert journal.clear() == 0
    assert not (tmp_path / "data").exists()


def test_consent_is_remembered_and_replaced(journal: Journal) -> None:
    journal.remember_consent("chair", ("disc problems", "osteopenia"), T0)
    consent = journal.consent("chair")
    assert consent is not None
    assert (consent.given, consent.contraindications) == (T0, ("disc problems", "osteopenia"))
    journal.remember_consent("chair", ("disc problems",), T0 + timedelta(days=1))
    consent = journal.consent("chair")
    assert consent is not None
    assert (consent.given, consent.contraindications) == (
        T0 + timedelta(days=1),
        ("disc problems",),
    )
    assert journal.consent("standing") is None


def test_clear_deletes_sessions_and_keeps_consents(journal: Journal) -> None:
    play_one(journal)
    play_one(journal, T0 + timedelta(hours=1))
    journal.remember_consent("chair", ("disc problems",), T0)
    assert journal.clear() == 2
    assert journal.sessions() == []
    assert journal.consent("chair") is not None
    play_one(journal)
    assert len(journal.sessions()) == 1


# --- the file -----------------------------------------------------------------------------


def test_the_database_is_in_wal_mode_with_the_schema_version(journal: Journal) -> None:
    play_one(journal)
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "consents"} <= tables


def test_a_journal_from_a_newer_voiceguide_is_left_alone(journal: Journal) -> None:
    play_one(journal)
    with sqlite3.connect(journal.path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = journal.path.read_bytes()
    with pytest.raises(JournalError, match="newer voiceguide"):
        journal.sessions()
    with pytest.raises(JournalError, match="upgrade voiceguide"):
        play_one(journal)
    assert journal.path.read_bytes() == before
    assert list(journal.path.parent.glob("*.corrupt-*")) == []


def test_a_newer_voiceguide_migrating_first_is_not_undone(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seen at schema 2 on opening; by the time the write lock is taken, a newer
    # voiceguide has brought the file to a schema this one does not know.
    play_one(journal)
    with sqlite3.connect(journal.path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    seen = iter([2])
    monkeypatch.setattr(
        journal_module, "stored_version", lambda db: next(seen, None) or stored_version(db)
    )
    with pytest.raises(JournalError, match="newer voiceguide"):
        journal.sessions()
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def assert_moved_aside(journal: Journal, warnings: Warnings, original: bytes) -> Path:
    [aside] = journal.path.parent.glob(f"{JOURNAL_FILE}.corrupt-*[0-9]")
    assert aside.read_bytes() == original
    assert len(warnings) == 1
    assert "was damaged" in warnings[0] and aside.name in warnings[0]
    return aside


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_fresh_one_works(
    journal: Journal, warnings: Warnings
) -> None:
    garbage = b"these are not the sessions you are looking for\n" * 200
    journal.path.write_bytes(garbage)
    play_one(journal)
    assert_moved_aside(journal, warnings, garbage)
    assert [s.routine_id for s in journal.sessions()] == ["chair"]
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_damaged_database_is_moved_aside_when_read(journal: Journal, warnings: Warnings) -> None:
    for n in range(300):
        play_one(journal, T0 + timedelta(minutes=n))
    with sqlite3.connect(journal.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(journal.path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[page : len(data)] = b"\xff" * (len(data) - page)  # every page after the schema
    journal.path.write_bytes(bytes(data))
    assert journal.sessions() == []
    assert_moved_aside(journal, warnings, bytes(data))
    play_one(journal)
    assert len(journal.sessions()) == 1


def test_a_stale_wal_file_does_not_follow_into_the_fresh_journal(
    journal: Journal, warnings: Warnings
) -> None:
    garbage = b"\x00garbage" * 512
    journal.path.write_bytes(garbage)
    journal.path.with_name(JOURNAL_FILE + "-wal").write_bytes(b"stale log")
    play_one(journal)
    assert_moved_aside(journal, warnings, garbage)
    assert len(journal.sessions()) == 1
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_second_damaged_file_gets_its_own_name(journal: Journal, warnings: Warnings) -> None:
    for text in (b"first", b"second"):
        journal.path.write_bytes(text * 300)
        journal.sessions()
        journal.path.unlink()
    kept = sorted(p.read_bytes()[:6] for p in journal.path.parent.glob("*.corrupt-*"))
    assert kept == [b"firstf", b"second"]
    assert len(warnings) == 2


def test_a_journal_another_player_already_replaced_is_left_alone(
    journal: Journal, warnings: Warnings
) -> None:
    journal.path.write_bytes(b"damaged" * 300)
    damaged = journal.path.stat()
    other = Journal(journal.path, warn=warnings)
    play_one(other)  # the other player moves it aside and starts afresh
    assert len(warnings) == 1
    journal._move_aside((damaged.st_dev, damaged.st_ino))  # this player found it damaged too
    assert len(warnings) == 1
    assert len(journal.sessions()) == 1
    assert len(list(journal.path.parent.glob("*.corrupt-*"))) == 1


# --- never blocking play ------------------------------------------------------------------


@contextmanager
def held_write_lock(path: Path) -> Iterator[None]:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_locked_journal_is_a_warning_and_reads_still_work(
    tmp_path: Path, warnings: Warnings
) -> None:
    journal = Journal(tmp_path / JOURNAL_FILE, timeout=0.05, warn=warnings)
    play_one(journal)
    with held_write_lock(journal.path):
        with pytest.raises(JournalError, match=r"locked.*another voiceguide is writing"):
            play_one(journal)
        assert len(journal.sessions()) == 1  # WAL: readers are not blocked by a writer
        recording = SessionRecording(journal)
        recording.start(SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None))
        recording.finish("completed")
    assert len(warnings) == 1
    assert warnings[0].endswith("The session plays, but it is not recorded.")
    assert len(journal.sessions()) == 1


def test_a_locked_journal_at_the_end_loses_only_the_end(tmp_path: Path, warnings: Warnings) -> None:
    journal = Journal(tmp_path / JOURNAL_FILE, timeout=0.05, warn=warnings)
    with (
        record_session(
            journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
        ) as recording,
        held_write_lock(journal.path),
    ):
        recording.finish("stopped", "pain")
    [record] = journal.sessions()
    assert record.outcome is None
    assert len(warnings) == 1
    assert "How the session ended is not recorded." in warnings[0]


def _is_writable(path: Path) -> bool:
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            with path.open("r+b"):
                pass
    except OSError:
        return False
    return True


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this process, also as root (which mode bits do not stop):
    then the file is made immutable with chattr."""
    mode = path.stat().st_mode
    path.chmod(mode & ~0o222)
    immutable = False
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    try:
        if _is_writable(path):
            pytest.skip("cannot make a read-only file here (root without chattr)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


def test_a_read_only_journal_warns_and_the_session_goes_on(
    journal: Journal, warnings: Warnings
) -> None:
    play_one(journal)
    with read_only(journal.path):
        assert len(journal.sessions()) == 1  # reading still works
        with record_session(
            journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
        ) as recording:
            played = True
        assert recording.session_id is None
    assert played
    assert len(warnings) == 1
    assert "readonly" in warnings[0] and "make" in warnings[0] and "writable" in warnings[0]
    assert len(journal.sessions()) == 1


def test_a_read_only_data_dir_warns_and_the_session_goes_on(
    tmp_path: Path, warnings: Warnings
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    journal = Journal(data / JOURNAL_FILE, warn=warnings)
    with read_only(data):
        with record_session(
            journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
        ):
            pass
        assert journal.sessions() == []
    assert len(warnings) == 1
    assert f"cannot create {data / JOURNAL_FILE} (" in warnings[0]
    assert f"make {data} writable" in warnings[0]


def test_a_data_dir_that_cannot_be_made_warns(tmp_path: Path, warnings: Warnings) -> None:
    (tmp_path / "file").write_text("not a folder")
    journal = Journal(tmp_path / "file" / "data" / JOURNAL_FILE, warn=warnings)
    with record_session(journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)):
        pass
    assert len(warnings) == 1
    assert "cannot create" in warnings[0] and "VOICEGUIDE_DATA_DIR" in warnings[0]


def test_the_default_warning_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    warn_on_stderr("the journal is busy")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "Warning: the journal is busy\n")


# --- record_session -----------------------------------------------------------------------


# --- damaged rows, a lost journal, privacy ----------------------------------------------


def set_column(journal: Journal, column: str, value: object, table: str = "sessions") -> None:
    with sqlite3.connect(journal.path) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")  # as another program may
        db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = 1", (value,))
    db.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("started", "yesterday at noon"),
        ("started", "2025-03-14T09:30:00"),  # no timezone
        ("ended", "2025-03-14T09:37:00"),
        ("ended", 12),
        ("pace", "fast"),
        ("pace", b"\x01"),
        ("steps_skipped", "two"),
        ("rating_before", 11),
        ("rating_after", -1),
        ("rating_after", "three"),
        ("rating_before", 2.5),
    ],
)
def test_a_bad_row_is_skipped_with_one_warning(
    journal: Journal, warnings: Warnings, column: str, value: object
) -> None:
    first = play_one(journal)
    second = play_one(journal, T0 + timedelta(hours=1))
    third = play_one(journal, T0 + timedelta(hours=2))
    assert first == 1
    set_column(journal, column, value)
    assert [s.id for s in journal.sessions()] == [second, third]
    assert len(warnings) == 1
    assert [s.id for s in journal.sessions(since=T0)] == [second, third]
    assert "skipped 1 session row of the practice journal" in warnings[0]
    assert "(the first: id 1); the rest is used" in warnings[0]


@pytest.mark.parametrize("listed", ["disc problems", '{"a": 1}', "[1, 2]", "["])
def test_a_damaged_remembered_answer_is_asked_again(
    journal: Journal, warnings: Warnings, listed: str
) -> None:
    journal.remember_consent("chair", ("disc problems",), T0)
    with sqlite3.connect(journal.path) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute("UPDATE consents SET contraindications = ?", (listed,))
    db.close()
    assert journal.consent("chair") is None
    assert len(warnings) == 1 and "remembered answer row" in warnings[0]


def test_a_journal_deleted_during_play_gets_the_session_back(
    journal: Journal, warnings: Warnings
) -> None:
    with record_session(
        journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
    ) as recording:
        journal.path.unlink()
        for suffix in ("-wal", "-shm"):
            journal.path.with_name(journal.path.name + suffix).unlink(missing_ok=True)
        recording.finish("stopped", "pain")
    [session] = journal.sessions()
    assert (session.routine_id, session.outcome, session.reason) == ("chair", "stopped", "pain")
    assert warnings == [
        f"the practice journal {journal.path} lost this session while it played"
        " (was it deleted or cleared?); the session was recorded again"
    ]


def test_the_data_folder_and_the_journal_are_private(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "data" / "deeper" / JOURNAL_FILE)
    play_one(journal)
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    for name in (JOURNAL_FILE, JOURNAL_FILE + "-wal", JOURNAL_FILE + "-shm"):
        path = journal.path.with_name(name)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_a_journal_others_could_read_is_made_private(journal: Journal) -> None:
    play_one(journal)
    journal.path.chmod(0o644)
    play_one(journal, T0 + timedelta(hours=1))
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


def outcome_of(journal: Journal) -> tuple[str | None, str | None, int]:
    [record] = journal.sessions()
    return record.outcome, record.reason, record.steps_skipped


def test_a_session_that_plays_to_the_end_is_completed(journal: Journal) -> None:
    with record_session(journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)):
        pass
    assert outcome_of(journal) == ("completed", None, 0)


def test_an_explicit_finish_is_kept(journal: Journal) -> None:
    with record_session(
        journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
    ) as rec:
        rec.finish("quit", "user quit", steps_skipped=3)
        rec.finish("completed")  # a second finish changes nothing
    assert outcome_of(journal) == ("quit", "user quit", 3)


def test_ctrl_c_is_recorded_as_interrupted(journal: Journal) -> None:
    with (
        pytest.raises(KeyboardInterrupt),
        record_session(journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)),
    ):
        raise KeyboardInterrupt
    assert outcome_of(journal) == ("quit", "interrupted", 0)


def test_sigterm_or_sighup_leaving_play_is_recorded_as_interrupted(journal: Journal) -> None:
    # play leaves on SIGTERM and SIGHUP with the same KeyboardInterrupt as Ctrl-C.
    with (
        pytest.raises(Interrupted),
        record_session(journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)),
    ):
        raise Interrupted(signal.SIGTERM)
    assert outcome_of(journal) == ("quit", "interrupted", 0)


def test_an_error_is_recorded_and_goes_on(journal: Journal) -> None:
    with (
        pytest.raises(RuntimeError, match="device gone"),
        record_session(journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)),
    ):
        raise RuntimeError("device gone")
    assert outcome_of(journal) == ("quit", "error", 0)


# --- several players at once ----------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from voiceguide.practice.journal import Journal, SessionStart
from voiceguide.routine.records import Routine

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
journal = Journal(path)
routine = Routine(id=name, title=name, kind="stretch", steps=(), path=path)
sys.stdin.readline()  # start together
for n in range(count):
    session = journal.start_session(SessionStart(routine, pace=1.0, engine="fake", voice=None))
    journal.sessions()
    journal.finish_session(session, "completed", steps_skipped=n)
"""


def test_concurrent_players_lose_no_rows_and_keep_the_file_sound(tmp_path: Path) -> None:
    path = tmp_path / "data" / JOURNAL_FILE  # none yet: the writers race to create it too
    writers, count = 4, 80
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"writer-{n}", str(count)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert err == ""
    records = Journal(path).sessions()
    assert len(records) == writers * count
    assert len({r.id for r in records}) == writers * count
    for n in range(writers):
        mine = [r for r in records if r.routine_id == f"writer-{n}"]
        assert sorted(r.steps_skipped for r in mine) == list(range(count))
        assert all(r.outcome == "completed" for r in mine)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list(path.parent.glob("*.corrupt-*")) == []


# --- schema 2: the step that hurt ------------------------------------------------------------

# A journal as voiceguide wrote it before schema 2 (its tables exactly, and one session).
SCHEMA_1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine_id TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT CHECK (outcome IN ('completed', 'stopped', 'quit')),
    reason TEXT,
    steps_skipped INTEGER NOT NULL DEFAULT 0,
    pace REAL NOT NULL,
    engine TEXT NOT NULL,
    voice TEXT
);
CREATE INDEX sessions_started ON sessions (started);
CREATE TABLE consents (
    routine_id TEXT PRIMARY KEY,
    given TEXT NOT NULL,
    contraindications TEXT NOT NULL
);
INSERT INTO sessions (routine_id, title, kind, started, ended, outcome, reason, pace, engine)
    VALUES ('chair', 'Chair back crack', 'crack', '2025-03-14T10:00:00+00:00',
            '2025-03-14T10:03:00+00:00', 'stopped', 'pain', 1.0, 'pyttsx3');
INSERT INTO consents VALUES ('chair', '2025-03-14T09:59:00+00:00', '["disc problems"]');
PRAGMA user_version = 1;
"""


def test_a_journal_of_schema_1_is_migrated_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    db.close()
    journal = Journal(path)
    [old] = journal.sessions()
    assert (old.routine_id, old.outcome, old.reason) == ("chair", "stopped", "pain")
    assert old.pain_stop is None and not old.pain_told  # not known then: nothing to say
    assert journal.consent("chair") is not None
    assert journal.pain_stop_untold("chair") is None
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    # And it takes schema 2's records from then on.
    session = journal.start_session(
        SessionStart(routine("chair"), pace=1.0, engine="pyttsx3", voice=None)
    )
    journal.finish_session(session, "stopped", "pain", pain_stop=PainStop(3, "Lean back"))
    assert journal.sessions()[-1].pain_stop == PainStop(3, "Lean back")


def test_a_stop_for_pain_is_told_once(journal: Journal) -> None:
    session = journal.start_session(
        SessionStart(routine("chair"), pace=1.0, engine="pyttsx3", voice=None), now=T0
    )
    journal.finish_session(session, "stopped", "pain", pain_stop=PainStop(2, "Twist (left)"))
    untold = journal.pain_stop_untold("chair")
    assert untold is not None and untold.pain_stop == PainStop(2, "Twist (left)")
    assert journal.pain_stop_untold("other") is None
    journal.mark_pain_told(untold.id)
    assert journal.pain_stop_untold("chair") is None


def test_only_the_last_session_of_a_routine_counts(journal: Journal) -> None:
    first = journal.start_session(
        SessionStart(routine("chair"), pace=1.0, engine="pyttsx3", voice=None), now=T0
    )
    journal.finish_session(first, "stopped", "pain", pain_stop=PainStop(2, "Twist"))
    later = journal.start_session(
        SessionStart(routine("chair"), pace=1.0, engine="pyttsx3", voice=None),
        now=T0 + timedelta(days=1),
    )
    journal.finish_session(later, "completed")
    assert journal.pain_stop_untold("chair") is None  # it went well since


# --- schema 3: how the back felt, 0 to 10 ----------------------------------------------------

# A journal as voiceguide wrote it before schema 3: schema 2's tables exactly, a session
# stopped for pain at a known step and already told, and one that completed.
SCHEMA_2 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine_id TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT CHECK (outcome IN ('completed', 'stopped', 'quit')),
    reason TEXT,
    steps_skipped INTEGER NOT NULL DEFAULT 0,
    pace REAL NOT NULL,
    engine TEXT NOT NULL,
    voice TEXT,
    pain_step INTEGER,
    pain_step_title TEXT,
    pain_told INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_started ON sessions (started);
CREATE TABLE consents (
    routine_id TEXT PRIMARY KEY,
    given TEXT NOT NULL,
    contraindications TEXT NOT NULL
);
INSERT INTO sessions (routine_id, title, kind, started, ended, outcome, reason, pace, engine,
                      pain_step, pain_step_title, pain_told)
    VALUES ('chair', 'Chair back crack', 'crack', '2025-03-14T10:00:00+00:00',
            '2025-03-14T10:03:00+00:00', 'stopped', 'pain', 1.0, 'pyttsx3',
            2, 'Lean back', 1);
INSERT INTO sessions (routine_id, title, kind, started, ended, outcome, pace, engine, voice)
    VALUES ('chair', 'Chair back crack', 'crack', '2025-03-16T10:00:00+00:00',
            '2025-03-16T10:07:00+00:00', 'completed', 1.25, 'piper', 'en-us');
INSERT INTO consents VALUES ('chair', '2025-03-14T09:59:00+00:00', '["disc problems"]');
PRAGMA user_version = 2;
"""


def test_a_journal_of_schema_2_is_migrated_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_2)
    db.close()
    journal = Journal(path)
    stopped, completed = journal.sessions()
    assert (stopped.outcome, stopped.pain_stop, stopped.pain_told) == (
        "stopped",
        PainStop(2, "Lean back"),
        True,
    )
    assert (completed.outcome, completed.pace, completed.voice) == ("completed", 1.25, "en-us")
    assert [(s.rating_before, s.rating_after) for s in (stopped, completed)] == [(None, None)] * 2
    assert journal.consent("chair") is not None
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
    # And it takes ratings from then on, on the old sessions' ids too.
    assert journal.record_rating(completed.id, "after", 4)
    assert journal.sessions()[-1].rating_after == 4


def test_a_journal_of_schema_1_is_brought_to_schema_3(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    db.close()
    journal = Journal(path)
    [old] = journal.sessions()
    assert journal.record_rating(old.id, "before", 6)
    assert journal.sessions()[0].rating_before == 6


def test_ratings_before_and_after_are_recorded(journal: Journal) -> None:
    with record_session(
        journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
    ) as recording:
        recording.record_rating("before", 5)
        assert journal.sessions()[0].rating_before == 5  # at once, while it plays
        recording.record_rating("after", 0)
    [session] = journal.sessions()
    assert (session.rating_before, session.rating_after, session.outcome) == (5, 0, "completed")


def test_a_session_without_ratings_has_none(journal: Journal) -> None:
    play_one(journal)
    [session] = journal.sessions()
    assert (session.rating_before, session.rating_after) == (None, None)


def test_a_rating_given_after_a_stop_is_kept(journal: Journal) -> None:
    with record_session(
        journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
    ) as recording:
        recording.finish("stopped", "pain", pain_stop=PainStop(1, "Sit"))
        recording.record_rating("after", 9)
    [session] = journal.sessions()
    assert (session.outcome, session.pain_stop, session.rating_after) == (
        "stopped",
        PainStop(1, "Sit"),
        9,
    )


@pytest.mark.parametrize("value", [-1, 11, 100, True, 2.0, "3", None])
def test_a_rating_outside_0_to_10_is_refused_and_nothing_is_written(
    journal: Journal, value: object
) -> None:
    recording = SessionRecording(journal)
    recording.start(SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None))
    with pytest.raises(ValueError, match="from 0 to 10"):
        recording.record_rating("before", value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="from 0 to 10"):
        journal.record_rating(1, "after", value)  # type: ignore[arg-type]
    [session] = journal.sessions()
    assert (session.rating_before, session.rating_after) == (None, None)


def test_a_rating_at_another_moment_is_refused(journal: Journal) -> None:
    session = play_one(journal)
    with pytest.raises(ValueError, match="before or after"):
        journal.record_rating(session, "during", 3)  # type: ignore[arg-type]


def test_a_rating_for_a_session_the_journal_lacks_is_false(journal: Journal) -> None:
    play_one(journal)
    assert journal.record_rating(99, "before", 3) is False


def test_a_journal_that_cannot_be_written_makes_a_rating_a_warning(
    tmp_path: Path, warnings: Warnings
) -> None:
    journal = Journal(tmp_path / JOURNAL_FILE, warn=warnings)
    recording = SessionRecording(journal)
    recording.start(SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None))
    with sqlite3.connect(journal.path) as db:
        db.execute("DROP TABLE sessions")
    db.close()
    recording.record_rating("before", 3)  # no exception: the session plays on
    assert len(warnings) == 1 and warnings[0].endswith("The rating is not recorded.")


def test_a_journal_deleted_during_play_keeps_the_ratings(
    journal: Journal, warnings: Warnings
) -> None:
    with record_session(
        journal, SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None)
    ) as recording:
        recording.record_rating("before", 4)
        journal.path.unlink()
        for suffix in ("-wal", "-shm"):
            journal.path.with_name(journal.path.name + suffix).unlink(missing_ok=True)
        recording.record_rating("after", 2)
    [session] = journal.sessions()
    assert (session.rating_before, session.rating_after, session.outcome) == (4, 2, "completed")
    assert len(warnings) == 1 and "the session was recorded again" in warnings[0]


def test_a_journal_deleted_after_the_end_keeps_the_end_with_a_late_rating(
    journal: Journal, warnings: Warnings
) -> None:
    recording = SessionRecording(journal)
    recording.start(SessionStart(routine(), pace=1.0, engine="pyttsx3", voice=None), now=T0)
    recording.finish("stopped", "pain", now=T0 + timedelta(minutes=2))
    journal.path.unlink()
    for suffix in ("-wal", "-shm"):
        journal.path.with_name(journal.path.name + suffix).unlink(missing_ok=True)
    recording.record_rating("after", 7)
    [session] = journal.sessions()
    assert (session.outcome, session.reason, session.rating_after) == ("stopped", "pain", 7)
    assert session.ended == T0 + timedelta(minutes=2)


RATER = """
import os, signal, sys
from pathlib import Path
from voiceguide.practice.journal import Journal, SessionStart
from voiceguide.practice.recording import SessionRecording
from voiceguide.routine.records import Routine

path = Path(sys.argv[1])
routine = Routine(id="chair", title="Chair", kind="crack", steps=(), path=path)
recording = SessionRecording(Journal(path))
recording.start(SessionStart(routine, pace=1.0, engine="fake", voice=None))
recording.record_rating("before", 6)
os.kill(os.getpid(), signal.SIGKILL)  # a crash mid-session, before anything else is written
"""


def test_a_rating_survives_a_crash_right_after_it(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    done = subprocess.run([sys.executable, "-c", RATER, str(path)], timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    [session] = Journal(path).sessions()
    assert (session.rating_before, session.ended, session.outcome) == (6, None, None)
