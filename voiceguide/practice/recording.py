"""One session in the journal while it plays: recorded when it starts and when it ends,
every failure of the journal a warning, never an error, so that the session plays anyway."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from voiceguide.errors import JournalError
from voiceguide.player.state import Outcome
from voiceguide.practice.journal import (
    ERROR,
    SIGNALLED,
    Journal,
    PainStop,
    RatingMoment,
    SessionStart,
    Warn,
    check_rating,
)


class SessionRecording:
    """One session in the journal while it plays; every failure is a warning, never an error.

    ``start`` records the session; ``record_rating`` how the back felt before or after, at
    once (a crash later loses nothing given); ``finish`` records how it ended (once; later
    calls are ignored). When the journal cannot be written the warning goes to ``warn`` and
    playing goes on; nothing is retried, so a broken journal warns once, not at every step.
    """

    def __init__(self, journal: Journal, warn: Warn | None = None) -> None:
        self.journal = journal
        self.warn = warn or journal.warn
        self.session_id: int | None = None
        self.finished = False
        self._start: Callable[[], int] | None = None  # records the start again, if lost
        self._ratings: dict[RatingMoment, int] = {}  # given so far, recorded again with it
        self._end: Callable[[int], bool] | None = None  # records the end of session id again

    def start(self, start: SessionStart, now: datetime | None = None) -> None:
        started = now or datetime.now(UTC)

        def record_start() -> int:
            return self.journal.start_session(start, now=started)

        self._start = record_start
        try:
            self.session_id = record_start()
        except JournalError as exc:
            self.warn(f"{exc}. The session plays, but it is not recorded.")

    def record_rating(self, moment: RatingMoment, value: int) -> None:
        """Record how the back feels ``moment`` the session, 0 (no pain) to 10 (the worst
        imaginable); ValueError for anything else. Written at once; a second rating for
        the same moment replaces the first."""
        check_rating(value)
        self._ratings[moment] = value
        if self.session_id is None:
            return  # starting already failed and warned
        try:
            if self.journal.record_rating(self.session_id, moment, value):
                return
            self._record_again()
        except JournalError as exc:
            self.warn(f"{exc}. The rating is not recorded.")

    def _record_again(self) -> None:
        """The journal was deleted (or cleared) while the session played: the session goes
        into the new journal, with the ratings given so far, rather than being lost
        without a word."""
        assert self._start is not None
        self.session_id = self._start()
        for moment, value in self._ratings.items():
            self.journal.record_rating(self.session_id, moment, value)
        if self._end is not None:
            self._end(self.session_id)
        self.warn(
            f"the practice journal {self.journal.path} lost this session while it played"
            " (was it deleted or cleared?); the session was recorded again"
        )

    def finish(
        self,
        outcome: Outcome,
        reason: str | None = None,
        *,
        steps_skipped: int = 0,
        pain_stop: PainStop | None = None,
        now: datetime | None = None,
    ) -> None:
        if self.finished:
            return
        self.finished = True
        if self.session_id is None:
            return  # starting already failed and warned
        ended = now or datetime.now(UTC)

        def record_end(session_id: int) -> bool:
            return self.journal.finish_session(
                session_id,
                outcome,
                reason,
                steps_skipped=steps_skipped,
                pain_stop=pain_stop,
                now=ended,
            )

        self._end = record_end
        try:
            if not record_end(self.session_id):
                self._record_again()
        except JournalError as exc:
            self.warn(f"{exc}. How the session ended is not recorded.")


@contextmanager
def record_session(
    journal: Journal, start: SessionStart, warn: Warn | None = None
) -> Iterator[SessionRecording]:
    """Record one session around the ``with`` block.

    Call ``finish`` inside the block for a stop or a quit; leaving the block normally
    without it records a completed session, Ctrl-C, SIGTERM and SIGHUP (a
    KeyboardInterrupt: see ``voiceguide.signals``) record "quit (interrupted)" and an
    error "quit (error)", and the exception goes on.
    """
    recording = SessionRecording(journal, warn)
    recording.start(start)
    try:
        yield recording
    except KeyboardInterrupt:
        recording.finish("quit", SIGNALLED)
        raise
    except Exception:
        recording.finish("quit", ERROR)
        raise
    recording.finish("completed")
