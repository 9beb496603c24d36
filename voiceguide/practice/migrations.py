"""The practice journal's schema, and how a journal written by an older voiceguide is
brought up to it.

The schema's version is SQLite's ``user_version``: 0 in a new, empty file. Each version
only adds to the one before, so an old journal keeps every row it has.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
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
    pain_told INTEGER NOT NULL DEFAULT 0,
    rating_before INTEGER CHECK (rating_before BETWEEN 0 AND 10),
    rating_after INTEGER CHECK (rating_after BETWEEN 0 AND 10)
);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started);
CREATE TABLE IF NOT EXISTS consents (
    routine_id TEXT PRIMARY KEY,
    given TEXT NOT NULL,
    contraindications TEXT NOT NULL
);
"""

# What each schema version adds to the one before (version 1 is ``_SCHEMA`` without them):
# where a session stopped for pain, and whether the next play has said so (2); how the back
# felt before and after, 0 to 10 (3).
_MIGRATIONS = {
    2: (
        "ALTER TABLE sessions ADD COLUMN pain_step INTEGER",
        "ALTER TABLE sessions ADD COLUMN pain_step_title TEXT",
        "ALTER TABLE sessions ADD COLUMN pain_told INTEGER NOT NULL DEFAULT 0",
    ),
    3: (
        "ALTER TABLE sessions ADD COLUMN"
        " rating_before INTEGER CHECK (rating_before BETWEEN 0 AND 10)",
        "ALTER TABLE sessions ADD COLUMN"
        " rating_after INTEGER CHECK (rating_after BETWEEN 0 AND 10)",
    ),
}


def stored_version(db: sqlite3.Connection) -> int:
    """The schema version of the journal open in ``db``; 0 for a new, empty file."""
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: sqlite3.Connection) -> None:
    """Bring the journal in ``db`` to ``SCHEMA_VERSION``: a new one gets the whole schema,
    an older one what each later version adds, in order. Run it in a write transaction."""
    # Another process may have migrated while we waited for the write lock, perhaps a
    # newer voiceguide: then there is nothing to do, and its version must stay.
    version = stored_version(db)
    if version >= SCHEMA_VERSION:
        return
    if version < 1:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
    else:
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[step]:
                db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
