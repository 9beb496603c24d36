"""The practice journal: every session played, in SQLite in the user's data dir.

The journal must never stand between the user and their routine. ``Journal`` raises
``JournalError`` for anything that goes wrong (the ``history`` command shows it), and
``recording.SessionRecording``, which ``play`` uses, turns those errors into one-line
warnings so the session plays anyway. A file that is not a database, or a damaged one,
is moved aside under a timestamped name (never deleted) and a fresh journal is started.

Several players at once are safe: the database is in WAL mode, every operation is one
short transaction on its own connection, and a busy timeout makes writers queue instead
of fail.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from voiceguide import paths
from voiceguide.errors import JournalError
from voiceguide.player.state import Outcome

# Named here too (as itself, so that type checkers see it exported): the journal's users
# compare a journal's version with it.
from voiceguide.practice.migrations import SCHEMA_VERSION as SCHEMA_VERSION
from voiceguide.practice.migrations import migrate, stored_version
from voiceguide.routine.records import Routine

JOURNAL_FILE = "journal.sqlite3"
BUSY_TIMEOUT = 2.0  # seconds; long enough for another player's write, short enough not to stall

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

# Why a session ended early (the ``reason`` column); free text, these are the ones play uses.
PAIN = "pain"
USER_QUIT = "user quit"
SIGNALLED = "interrupted"
ERROR = "error"

Warn = Callable[[str], None]
T = TypeVar("T")

# When a 0-10 rating of how the back feels is given: before the routine, or after it.
RatingMoment = Literal["before", "after"]
RATING_MIN, RATING_MAX = 0, 10
_RATING_COLUMNS: dict[RatingMoment, str] = {"before": "rating_before", "after": "rating_after"}

_SESSION_COLUMNS = (
    "id, routine_id, title, kind, started, ended, outcome, reason, steps_skipped, pace,"
    " engine, voice, pain_step, pain_step_title, pain_told, rating_before, rating_after"
)

# SQLite's primary result codes for a file that is damaged or not a database at all.
_CORRUPT_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def journal_path() -> Path:
    """Where the journal lives: ``journal.sqlite3`` in the data dir."""
    return paths.data_dir() / JOURNAL_FILE


def warn_on_stderr(message: str) -> None:
    """The default way a journal problem reaches the user: one line on stderr."""
    sys.stderr.write(f"Warning: {message}\n")


@dataclass(frozen=True)
class SessionStart:
    """What is known of a session when it starts: the routine and how it is played."""

    routine: Routine
    pace: float
    engine: str  # the engine that speaks (never "auto")
    voice: str | None  # the voice asked for; None: the engine's default


@dataclass(frozen=True)
class PainStop:
    """Where a session was stopped because something hurt: the step (its number as
    ``show`` counts them) and its title."""

    step: int
    title: str


@dataclass(frozen=True)
class SessionRecord:
    """One session as the journal keeps it. Times are timezone-aware (UTC)."""

    id: int
    routine_id: str
    title: str
    kind: str
    started: datetime
    ended: datetime | None  # None: still playing, or the process was killed
    outcome: Outcome | None
    reason: str | None
    steps_skipped: int
    pace: float
    engine: str
    voice: str | None
    pain_stop: PainStop | None = None  # the step that hurt, for a stop for pain
    pain_told: bool = False  # the next play of the routine has said so
    rating_before: int | None = None  # how the back felt, 0 (no pain) to 10; None: not given
    rating_after: int | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, when the session ended."""
        return (self.ended - self.started).total_seconds() if self.ended else None


@dataclass(frozen=True)
class Consent:
    """A yes to a routine's contraindications, for exactly the list that was shown."""

    routine_id: str
    given: datetime
    contraindications: tuple[str, ...]


def _utc(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: object) -> datetime:
    """A stored time; anything else (not a time, or one without a timezone) is ValueError."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a time")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone")
    return moment


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc)
    return "not a database" in text or "malformed" in text


class Journal:
    """The practice journal at ``path`` (default: ``journal_path()``).

    Each method opens its own connection for one short transaction and closes it, so a
    Journal holds no lock between calls and is safe to share with other processes.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        timeout: float = BUSY_TIMEOUT,
        warn: Warn = warn_on_stderr,
    ) -> None:
        self.path = path or journal_path()
        self.timeout = timeout
        self.warn = warn

    # --- sessions -----------------------------------------------------------------------

    def start_session(self, start: SessionStart, now: datetime | None = None) -> int:
        """Record that a session started playing; returns its id."""
        routine = start.routine

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO sessions (routine_id, title, kind, started, pace, engine, voice)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    routine.id,
                    routine.title,
                    routine.kind,
                    _utc(now),
                    start.pace,
                    start.engine,
                    start.voice,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return self._write(insert, "record the session")

    def finish_session(
        self,
        session_id: int,
        outcome: Outcome,
        reason: str | None = None,
        *,
        steps_skipped: int = 0,
        pain_stop: PainStop | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Record how session ``session_id`` ended (``pain_stop``: the step that hurt);
        False when the journal has no such session (the journal was deleted or cleared
        while it played)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        step, title = (pain_stop.step, pain_stop.title) if pain_stop else (None, None)

        def update(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE sessions SET ended = ?, outcome = ?, reason = ?, steps_skipped = ?,"
                " pain_step = ?, pain_step_title = ? WHERE id = ?",
                (_utc(now), outcome, reason, steps_skipped, step, title, session_id),
            )
            return cursor.rowcount > 0

        return self._write(update, "record the end of the session")

    def record_rating(self, session_id: int, moment: RatingMoment, value: int) -> bool:
        """Record how the back felt ``moment`` session ``session_id``, 0 to 10; False when
        the journal has no such session."""
        check_rating(value)
        column = _RATING_COLUMNS.get(moment)
        if column is None:
            raise ValueError(f"a rating is given before or after a session, not {moment!r}")

        def update(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                f"UPDATE sessions SET {column} = ? WHERE id = ?", (value, session_id)
            )
            return cursor.rowcount > 0

        return self._write(update, f"record the rating {moment} the session")

    def sessions(self, since: datetime | None = None) -> list[SessionRecord]:
        """Sessions that started at or after ``since`` (all when None), oldest first."""

        def select(db: sqlite3.Connection) -> list[SessionRecord]:
            query = f"SELECT {_SESSION_COLUMNS} FROM sessions"
            params: tuple[str, ...] = ()
            if since is not None:
                query += " WHERE started >= ?"
                params = (_utc(since),)
            rows = db.execute(query + " ORDER BY started, id", params).fetchall()
            return self._valid(rows, _session, "session")

        return self._read(select, [], "read the sessions")

    def pain_stop_untold(self, routine_id: str) -> SessionRecord | None:
        """The last session of ``routine_id``, when it was stopped for pain at a known step
        and no play since has said so; else None."""

        def select(db: sqlite3.Connection) -> list[SessionRecord]:
            rows = db.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE routine_id = ?"
                " ORDER BY started DESC, id DESC LIMIT 1",
                (routine_id,),
            ).fetchall()
            return self._valid(rows, _session, "session")

        none: list[SessionRecord] = []
        last = self._read(select, none, "read the last session")
        if last and last[0].pain_stop is not None and not last[0].pain_told:
            return last[0]
        return None

    def mark_pain_told(self, session_id: int) -> None:
        """Remember that the stop for pain of session ``session_id`` has been said: once
        is enough."""

        def update(db: sqlite3.Connection) -> None:
            db.execute("UPDATE sessions SET pain_told = 1 WHERE id = ?", (session_id,))

        self._write(update, "remember that the stop for pain was said")

    def clear(self) -> int:
        """Delete every session (remembered consents stay); returns how many there were."""

        def delete(db: sqlite3.Connection) -> int:
            # Overwrite the deleted rows on disk: clearing is about privacy.
            db.execute("PRAGMA secure_delete = ON")
            return db.execute("DELETE FROM sessions").rowcount

        return self._write(delete, "clear the sessions") if self.path.exists() else 0

    # --- consents -----------------------------------------------------------------------

    def consent(self, routine_id: str) -> Consent | None:
        """The remembered yes for ``routine_id``, if there is one."""

        def select(db: sqlite3.Connection) -> Consent | None:
            row = db.execute(
                "SELECT given, contraindications FROM consents WHERE routine_id = ?",
                (routine_id,),
            ).fetchone()
            if row is None:
                return None
            found = self._valid([(routine_id, *row)], _consent, "remembered answer")
            return found[0] if found else None  # a damaged answer is asked again

        return self._read(select, None, "read the remembered answers")

    def remember_consent(
        self, routine_id: str, contraindications: tuple[str, ...], now: datetime | None = None
    ) -> None:
        """Remember a yes to ``contraindications`` of ``routine_id``."""

        def upsert(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO consents (routine_id, given, contraindications) VALUES (?, ?, ?)"
                " ON CONFLICT (routine_id) DO UPDATE SET given = excluded.given,"
                " contraindications = excluded.contraindications",
                (routine_id, _utc(now), json.dumps(list(contraindications))),
            )

        self._write(upsert, "remember your answer")

    # --- plumbing -----------------------------------------------------------------------

    def _valid(
        self, rows: list[tuple[Any, ...]], parse: Callable[[tuple[Any, ...]], T], noun: str
    ) -> list[T]:
        """The rows that ``parse`` accepts; the others are skipped with one warning.

        A row damaged by hand or by another program must not end ``play`` or ``history`` in
        a traceback, nor stop the rest of the journal from being read.
        """
        parsed: list[T] = []
        bad: list[tuple[Any, ...]] = []
        for row in rows:
            try:
                parsed.append(parse(row))
            except (ValueError, TypeError):
                bad.append(row)
        if bad:
            which = "row" if len(bad) == 1 else "rows"
            self.warn(
                f"skipped {len(bad)} {noun} {which} of the practice journal {self.path} that"
                f" could not be read (the first: id {bad[0][0]!r}); the rest is used"
            )
        return parsed

    def _read(self, operation: Callable[[sqlite3.Connection], T], empty: T, what: str) -> T:
        # Reading a journal that does not exist yet must not create one (or the data dir).
        if not self.path.exists():
            return empty
        return self._run(operation, what, write=False)

    def _write(self, operation: Callable[[sqlite3.Connection], T], what: str) -> T:
        try:
            # Private: the journal says when and how its owner practised, and what they
            # consented to. SQLite gives the WAL files the permissions of the database.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private(self.path)
        except OSError as exc:
            raise JournalError(
                f"cannot {what} in the practice journal: cannot create {self.path}"
                f" ({exc.strerror or exc}); make {self.path.parent} writable"
                " or set VOICEGUIDE_DATA_DIR"
            ) from exc
        return self._run(operation, what, write=True)

    def _run(self, operation: Callable[[sqlite3.Connection], T], what: str, *, write: bool) -> T:
        """``operation`` in one transaction; a damaged file is moved aside, then one retry."""
        for attempt in range(2):
            seen = _identity(self.path)
            try:
                db = self._connect()
                try:
                    with _transaction(db, write=write):
                        return operation(db)
                finally:
                    db.close()
            except sqlite3.DatabaseError as exc:
                if attempt == 0 and _is_corrupt(exc):
                    self._move_aside(seen)
                    continue
                raise JournalError(_explain(self.path, what, exc)) from exc
            except OSError as exc:
                raise JournalError(
                    f"cannot {what} in the practice journal {self.path}: {exc.strerror or exc}"
                ) from exc
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN ourselves, so transactions stay as short as
        # the operation and a write lock is taken up front (BEGIN IMMEDIATE), not mid-way.
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            version = self._known_version(db)
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            if version < SCHEMA_VERSION:
                with _transaction(db, write=True):
                    migrate(db)
                self._known_version(db)  # a newer voiceguide may have been first
        except BaseException:
            db.close()
            raise
        return db

    def _known_version(self, db: sqlite3.Connection) -> int:
        """The journal's schema version; JournalError if this voiceguide is too old for it."""
        version = stored_version(db)
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"the practice journal {self.path} was written by a newer voiceguide"
                f" (schema {version}, this one knows {SCHEMA_VERSION}); upgrade voiceguide"
                " or set VOICEGUIDE_DATA_DIR to another folder"
            )
        return version

    def _move_aside(self, seen: tuple[int, int] | None) -> None:
        """Rename the damaged journal (and its WAL files) to a timestamped name, and warn.

        ``seen`` is the file that was found damaged: when another player has already
        replaced it with a fresh journal, that one is left alone.
        """
        if seen is None or _identity(self.path) != seen:
            return
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        try:
            self.path.replace(target)
            # A stale WAL applied to the fresh database would damage it too: it goes along.
            for suffix in ("-wal", "-shm"):
                companion = self.path.with_name(self.path.name + suffix)
                with contextlib.suppress(FileNotFoundError):
                    companion.replace(target.with_name(target.name + suffix))
        except FileNotFoundError:
            return  # another player moved it aside first
        except OSError as exc:
            raise JournalError(
                f"the practice journal {self.path} is damaged and cannot be moved aside"
                f" ({exc.strerror or exc}); move it away by hand"
            ) from exc
        self.warn(
            f"the practice journal {self.path} was damaged; it was moved to {target.name}"
            " and a new journal was started"
        )


def check_rating(value: int) -> None:
    """ValueError unless ``value`` is a whole number from 0 to 10."""
    if not _is_rating(value):
        raise ValueError(
            f"a rating is a whole number from {RATING_MIN} to {RATING_MAX}, not {value!r}"
        )


def _is_rating(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX
    )


def _create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (SQLite starts a database in an empty file); an
    existing journal that others may read is made private when it is ours to change."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        with contextlib.suppress(OSError):  # not ours, or read-only: SQLite will say so
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                path.chmod(0o600)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


@contextmanager
def _transaction(db: sqlite3.Connection, *, write: bool) -> Iterator[None]:
    # A writer takes the write lock up front, so it waits (busy timeout) at BEGIN rather
    # than failing half-way; a reader takes none, so it also works on a read-only file.
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _explain(path: Path, what: str, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        advice = "another voiceguide is writing to it; try again in a moment"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        advice = f"make {path.parent} and the file writable, or set VOICEGUIDE_DATA_DIR"
    else:
        advice = "check the file, or move it aside to start a new journal"
    return f"cannot {what} in the practice journal {path} ({text}); {advice}"


def _session(row: tuple[Any, ...]) -> SessionRecord:
    """A session row as a record; ValueError when a column holds what no voiceguide wrote."""
    ident, routine_id, title, kind, started, ended, outcome, reason = row[:8]
    skipped, pace, engine, voice, pain_step, pain_title, pain_told, before, after = row[8:]
    texts = (routine_id, title, kind, engine)
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("a name is not text")
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if not _is_number(pace) or not isinstance(skipped, int):
        raise ValueError("pace or steps_skipped is not a number")
    if not all(text is None or isinstance(text, str) for text in (reason, voice)):
        raise ValueError("reason or voice is not text")
    pain_stop = None
    if pain_step is not None:
        if not isinstance(pain_step, int) or not isinstance(pain_title, str):
            raise ValueError("the step that hurt is not a number and a title")
        pain_stop = PainStop(pain_step, pain_title)
    if not all(rating is None or _is_rating(rating) for rating in (before, after)):
        raise ValueError("a rating is not a whole number from 0 to 10")
    return SessionRecord(
        id=ident,
        routine_id=routine_id,
        title=title,
        kind=kind,
        started=_parse(started),
        ended=None if ended is None else _parse(ended),
        outcome=outcome,
        reason=reason,
        steps_skipped=skipped,
        pace=float(pace),
        engine=engine,
        voice=voice,
        pain_stop=pain_stop,
        pain_told=bool(pain_told),
        rating_before=before,
        rating_after=after,
    )


def _consent(row: tuple[Any, ...]) -> Consent:
    routine_id, given, listed = row
    items = json.loads(listed) if isinstance(listed, str) else None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("the contraindications are not a list of texts")
    return Consent(routine_id, _parse(given), tuple(items))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
