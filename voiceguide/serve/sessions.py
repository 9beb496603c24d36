"""The one write the server accepts: the phone's page records the sessions it plays in
the practice journal, as ``play`` does (``SessionRecording``: written at once, every
rating as it is given, crash-safe as the journal is).

The page posts small JSON objects: ``{"action": "start", "routine": ID}`` when playing
starts (the answer names the session by a key of this server's own, never a journal id,
so a page cannot touch a session it did not start), ``{"action": "rate", "session": KEY,
"moment": "before" | "after", "value": 0..10}`` for each rating (the answer carries the
rating advice, when it applies), and ``{"action": "end", "session": KEY, "outcome":
"completed" | "stopped"}`` when the audio ends or the page is left, or ``{"action": "hurt",
"session": KEY, "step": N}`` when the person stops because something hurts in step N (as
``show`` counts them): recorded as a stop for pain at that step, exactly as the ``s`` key
records one, so the next play of the routine offers to leave the step out.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from typing import Any, get_args

from voiceguide.errors import PhoneRequestError
from voiceguide.practice.journal import (
    PAIN,
    Journal,
    PainStop,
    RatingMoment,
    SessionStart,
    check_rating,
)
from voiceguide.practice.recording import SessionRecording
from voiceguide.practice.safety import rating_advice

ENDPOINT = "session"  # no slash: no routine's page ("ID/") can take the name
MAX_BODY = 1024  # bytes; the largest object the page sends is under 150
# Sessions started and not yet ended; beyond this many the oldest is forgotten (left
# unfinished in the journal, as a session whose phone went flat).
MAX_OPEN = 32
_MOMENTS: tuple[RatingMoment, ...] = get_args(RatingMoment)
_OUTCOMES = ("completed", "stopped")
_FIELDS = {
    "start": {"action", "routine"},
    "rate": {"action", "session", "moment", "value"},
    "end": {"action", "session", "outcome"},
    "hurt": {"action", "session", "step"},
}

Reply = tuple[int, dict[str, Any]]


class _Open:
    """A session the page is playing: its recording, the ratings given, what went wrong."""

    def __init__(self, journal: Journal, steps: tuple[str, ...]) -> None:
        self.steps = steps  # the titles of the routine's steps, as ``show`` counts them
        self.problems: list[str] = []
        self.recording = SessionRecording(journal, self.problems.append)
        self.ratings: dict[RatingMoment, int] = {}


class PhoneSessions:
    """The sessions the phone's page plays, recorded in ``journal``; ``starts`` says, per
    routine id served, how its audio was made (pace, engine, voice), and ``steps`` the
    titles of its steps (what a stop for pain names)."""

    def __init__(
        self,
        journal: Journal,
        starts: Mapping[str, SessionStart],
        steps: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.journal = journal
        self.starts = dict(starts)
        self.steps = dict(steps)
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()  # requests are answered in worker threads

    def handle(self, body: bytes) -> Reply:
        """The status and JSON answer to one posted ``body``; PhoneRequestError when it is
        not one of the three objects the page sends."""
        message = _parse(body)
        with self._lock:
            if message["action"] == "start":
                return self._start(message["routine"])
            key = message["session"]
            session = self._open.get(key) if isinstance(key, str) else None
            if session is None:
                raise PhoneRequestError(
                    "no such session: it ended, or this server did not start it"
                )
            if message["action"] == "rate":
                return self._rate(session, message["moment"], message["value"])
            if message["action"] == "hurt":
                return self._hurt(key, session, message["step"])
            return self._end(key, session, message["outcome"])

    def _start(self, routine_id: object) -> Reply:
        start = self.starts.get(routine_id) if isinstance(routine_id, str) else None
        if start is None:
            raise PhoneRequestError("no such routine is served")
        session = _Open(self.journal, self.steps.get(start.routine.id, ()))
        session.recording.start(start)
        if session.recording.session_id is None:
            return 503, {"error": " ".join(session.problems)}
        while len(self._open) >= MAX_OPEN:
            del self._open[next(iter(self._open))]
        key = secrets.token_urlsafe(12)
        self._open[key] = session
        return 201, {"session": key}

    def _rate(self, session: _Open, moment: object, value: object) -> Reply:
        if moment not in _MOMENTS:
            raise PhoneRequestError('a rating is "before" or "after" the session')
        # bool is an int to Python, not a rating; JSON's 3.0 is not one either.
        if type(value) is not int:
            raise PhoneRequestError("a rating is a whole number from 0 to 10")
        try:
            check_rating(value)
        except ValueError as exc:
            raise PhoneRequestError(str(exc)) from exc
        given: RatingMoment = "before" if moment == "before" else "after"
        session.problems.clear()
        session.recording.record_rating(given, value)
        if session.problems:
            return 503, {"error": " ".join(session.problems)}
        session.ratings[given] = value
        advice = rating_advice(session.ratings.get("before"), session.ratings.get("after"))
        return 200, {"advice": advice}

    def _end(self, key: str, session: _Open, outcome: object) -> Reply:
        if outcome not in _OUTCOMES:
            raise PhoneRequestError('a session ends "completed" or "stopped"')
        del self._open[key]
        session.problems.clear()
        session.recording.finish("completed" if outcome == "completed" else "stopped")
        if session.problems:
            return 503, {"error": " ".join(session.problems)}
        return 200, {}

    def _hurt(self, key: str, session: _Open, step: object) -> Reply:
        if type(step) is not int or not 0 <= step < len(session.steps):
            raise PhoneRequestError(f"the step is a number from 0 to {len(session.steps) - 1}")
        del self._open[key]
        session.problems.clear()
        session.recording.finish("stopped", PAIN, pain_stop=PainStop(step, session.steps[step]))
        if session.problems:
            return 503, {"error": " ".join(session.problems)}
        return 200, {}


def _parse(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PhoneRequestError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise PhoneRequestError("not a JSON object")
    action = message.get("action")
    fields = _FIELDS.get(action) if isinstance(action, str) else None
    if fields is None:
        raise PhoneRequestError('the action is "start", "rate", "end" or "hurt"')
    if set(message) != fields:
        raise PhoneRequestError(f"the fields are {', '.join(sorted(fields))}")
    return message
