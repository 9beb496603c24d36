"""The safety gate, the frequency guard and the pain stop.

Cracking your back is not for everyone, and not for often. Before a routine plays:

- the **frequency guard**: a ``crack`` routine played within ``min_hours`` of the last one,
  or when ``max_per_day`` have already been played today (``FrequencyLimits``, from the
  settings ``crack_min_hours`` and ``crack_max_per_day``), is said out loud with the
  reason, and played only after a yes (or ``--force``);
- the **gate**: the first time a routine with contraindications is played, they are shown
  and spoken and the user is asked; a yes is remembered for that routine (for exactly that
  list: if the routine's list changes, the question comes back).

The decisions are pure functions of the routine, the limits, the journal's records and
the time; ``before_play`` puts them together with the terminal through callbacks, so it
knows nothing of click or audio.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from voiceguide.errors import Declined, JournalError, SafetyError
from voiceguide.practice.journal import PAIN, Consent, Journal, PainStop, SessionRecord
from voiceguide.practice.recording import SessionRecording
from voiceguide.routine.records import Routine, is_session
from voiceguide.script import phrasing

# Shown while the text above is spoken, so that nobody waits for a question that has not
# come yet (the question follows the voice).
READ_ALOUD = "(Reading this aloud; the question follows.)"

ConsentState = Literal["not needed", "remembered", "given", "assumed", "shown"]


def show_on_stderr(text: str) -> None:
    sys.stderr.write(text + "\n")


# --- the gate ---------------------------------------------------------------------------


def contraindications_text(routine: Routine) -> str:
    """Who must not do the routine, printed and spoken by the gate in the same words the
    routine's opening uses (``phrasing.contraindications_line``)."""
    line = phrasing.contraindications_line(routine.contraindications, session=is_session(routine))
    return f"{routine.title} is not for everyone. {line}"


def needs_consent(routine: Routine, consent: Consent | None) -> bool:
    """True when the routine has contraindications the user has not said yes to."""
    if not routine.contraindications:
        return False
    return consent is None or set(consent.contraindications) != set(routine.contraindications)


# --- the frequency guard ------------------------------------------------------------------


@dataclass(frozen=True)
class FrequencyLimits:
    """How often crack routines may be played without a question: at least ``min_hours``
    apart, at most ``max_per_day`` in a calendar day."""

    min_hours: float
    max_per_day: int


@dataclass(frozen=True)
class FrequencyWarning:
    """Why the guard stops a crack routine: played too recently, too often today, or both."""

    last_title: str
    since_last: timedelta | None  # set when the last one is within min_hours
    today: int  # crack sessions already played today
    min_hours: float
    max_per_day: int

    @property
    def text(self) -> str:
        """What happened, one sentence per limit, then the reason: printed and spoken."""
        sentences = []
        if self.since_last is not None:
            sentences.append(
                f"You played a cracking routine, {self.last_title}, "
                f"{_ago(self.since_last)}; give your back at least "
                f"{_hours(self.min_hours)} between them."
            )
        if self.today >= self.max_per_day:
            sentences.append(
                f"You have played cracking routines {_times(self.today)} today; "
                f"the limit is {_times(self.max_per_day)} a day."
            )
        sentences.append(phrasing.HYPERMOBILITY)
        return " ".join(sentences)


def _ago(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "just now"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    return " ".join(parts) + " ago"


def _hours(hours: float) -> str:
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def counts_for_guard(session: SessionRecord) -> bool:
    """A crack session counts against the limits unless it was left within its first
    minute: the opening safety words take that long, so nothing was cracked yet (someone
    who starts, remembers the mat and starts again is not held back).

    Only the time decides, never how the session ended: a session that ran past its opening
    counts whether it was completed, quit, interrupted or ended by an error (a terminal
    lost with a dropped SSH link ends in an error after the back may have been cracked).
    A session with no end (the process was killed) counts too.
    """
    if session.kind != "crack":
        return False
    left_early = session.outcome == "quit" and (session.duration or 0.0) < BRIEF_SESSION_SECONDS
    return not left_early


BRIEF_SESSION_SECONDS = 60.0


def guard_window_start(limits: FrequencyLimits, now: datetime) -> datetime:
    """The earliest start time the guard looks at: today's midnight or the hours window."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return min(midnight, now - timedelta(hours=limits.min_hours))


def check_frequency(
    routine: Routine, limits: FrequencyLimits, sessions: Sequence[SessionRecord], now: datetime
) -> FrequencyWarning | None:
    """The guard's decision for playing ``routine`` at ``now`` (timezone-aware, local).

    "Today" is ``now``'s calendar day in ``now``'s timezone.
    """
    if routine.kind != "crack":
        return None
    # A session dated after now (the clock was ahead once) says nothing about the past.
    cracks = [s for s in sessions if counts_for_guard(s) and s.started <= now]
    if not cracks:
        return None
    last = max(cracks, key=lambda s: s.started)
    since = now - last.started
    recent = since < timedelta(hours=limits.min_hours)
    today = sum(1 for s in cracks if s.started.astimezone(now.tzinfo).date() == now.date())
    if not recent and today < limits.max_per_day:
        return None
    return FrequencyWarning(
        last_title=last.title,
        since_last=since if recent else None,
        today=today,
        min_hours=limits.min_hours,
        max_per_day=limits.max_per_day,
    )


# --- before playing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Clearance:
    """What ``before_play`` decided, for the record: it only returns when play may go on."""

    consent: ConsentState
    frequency: FrequencyWarning | None  # the guard's finding the user went past, if any
    forced: bool = False


def before_play(
    routine: Routine,
    limits: FrequencyLimits,
    journal: Journal,
    *,
    interactive: bool,
    ask: Callable[[str], bool],
    say: Callable[[str], None],
    show: Callable[[str], None] = show_on_stderr,
    force: bool = False,
    assume_yes: bool = False,
    now: datetime | None = None,
) -> Clearance:
    """Run the frequency guard and the gate; return when ``routine`` may play.

    ``interactive``: stdin is a terminal, so ``ask`` (a y/N question, default no) can be
    used. ``say`` speaks a text, ``show`` prints one (stderr). ``force`` goes past the
    guard; ``assume_yes`` answers the gate's question with yes. Raises ``Declined`` (a
    ``SafetyError``) when the user answers no, and ``SafetyError`` when the guard would
    need to ask but cannot. A journal that cannot be read is a warning, never a refusal.
    """
    now = now or datetime.now().astimezone()
    finding = _guard(routine, limits, journal, now)
    forced = False
    if finding is not None:
        if force:
            show(f"{finding.text} Playing anyway (--force).")
            forced = True
        elif not interactive:
            raise SafetyError(
                f"{finding.text} Not playing {routine.title}: there is no terminal to ask"
                " whether to go on; pass --force to play it anyway."
            )
        else:
            show(finding.text)
            show(READ_ALOUD)
            say(finding.text)
            if not ask(f"Play {routine.title} anyway?"):
                raise Declined(routine.title)
    consent = _gate(
        routine,
        journal,
        interactive=interactive,
        ask=ask,
        say=say,
        show=show,
        assume_yes=assume_yes,
        now=now,
    )
    return Clearance(consent=consent, frequency=finding, forced=forced)


def _guard(
    routine: Routine, limits: FrequencyLimits, journal: Journal, now: datetime
) -> FrequencyWarning | None:
    if routine.kind != "crack":
        return None
    try:
        sessions = journal.sessions(since=guard_window_start(limits, now))
    except JournalError as exc:
        journal.warn(f"{exc}. How often you cracked your back lately is not checked.")
        return None
    future = [s for s in sessions if s.started > now]
    if future:
        # A clock that was ahead once must not hold crack routines back until that date.
        journal.warn(
            f"{_count(len(future), 'session')} in the practice journal {journal.path} "
            f"started after now ({future[0].started.astimezone(now.tzinfo):%Y-%m-%d %H:%M});"
            " they are not counted. Check your computer's clock."
        )
        sessions = [s for s in sessions if s.started <= now]
    return check_frequency(routine, limits, sessions, now)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _gate(
    routine: Routine,
    journal: Journal,
    *,
    interactive: bool,
    ask: Callable[[str], bool],
    say: Callable[[str], None],
    show: Callable[[str], None],
    assume_yes: bool,
    now: datetime,
) -> ConsentState:
    if not routine.contraindications:
        return "not needed"
    try:
        consent = journal.consent(routine.id)
    except JournalError as exc:
        journal.warn(f"{exc}. Your earlier answer for this routine could not be read.")
        consent = None
    if not needs_consent(routine, consent):
        return "remembered"
    show(contraindications_text(routine))
    if assume_yes:
        state: ConsentState = "assumed"
    elif not interactive:
        return "shown"  # nobody to ask; shown on stderr, and asked again next time
    else:
        show(READ_ALOUD)
        say(contraindications_text(routine))
        if not ask(f"Play {routine.title}?"):
            raise Declined(routine.title)
        state = "given"
    try:
        journal.remember_consent(routine.id, routine.contraindications, now)
    except JournalError as exc:
        journal.warn(f"{exc}. You will be asked again next time.")
    return state


def words_known_ahead(routine: Routine) -> list[str]:
    """What the gate and the pain stop may say around ``routine`` that can be made before
    it plays (``cache warm``); the guard's words depend on when it was last played."""
    gate = [contraindications_text(routine)] if routine.contraindications else []
    return [*gate, phrasing.PAIN_EXIT]


# --- during play ----------------------------------------------------------------------------


def stop_for_pain(
    recording: SessionRecording,
    say: Callable[[str], None],
    *,
    steps_skipped: int = 0,
    pain_stop: PainStop | None = None,
) -> None:
    """After the sound has stopped: record the session as stopped for pain (at
    ``pain_stop``, the step that hurt), then speak the calm way out. Recorded first, so
    it is in the journal even if speaking fails."""
    recording.finish("stopped", PAIN, steps_skipped=steps_skipped, pain_stop=pain_stop)
    say(phrasing.PAIN_EXIT)


# --- the ratings of how the back feels ----------------------------------------------------

# A rating that rises by this much from before to after, or any rating this high, is met
# with advice: the sources say to stop when it hurts and to have lasting pain seen; where
# the line falls on the 0-10 scale is this project's choice (docs/safety.md).
RATING_RISE = 3
RATING_HIGH = 8


def rating_advice(before: int | None, after: int | None) -> str | None:
    """The sentence to say and show after the ratings given so far (None: not given):
    when the back feels ``RATING_RISE`` or more worse after than before, or either rating
    is ``RATING_HIGH`` or more; else None."""
    rose = before is not None and after is not None and after - before >= RATING_RISE
    high = any(rating is not None and rating >= RATING_HIGH for rating in (before, after))
    return phrasing.RATING_ADVICE if rose or high else None


# --- the play after a stop for pain ---------------------------------------------------------

# The parts of the back a routine's ``area`` names; a stretch for one of them is suggested
# instead of a crack routine that hurt.
_PARTS = ("upper", "middle", "lower", "whole")


def suggest_stretch(routine: Routine, candidates: Sequence[Routine]) -> Routine | None:
    """The stretch to suggest instead of ``routine``: one for the same part of the back
    (its ``area`` shares upper, middle, lower or whole), needing the fewest things, then
    the one listed first; None when no stretch fits."""
    parts = {part for part in _PARTS if part in (routine.area or "")}
    fitting = [
        other
        for other in candidates
        if other.kind == "stretch"
        and (parts & {part for part in _PARTS if part in (other.area or "")} or not parts)
    ]
    return min(fitting, key=lambda other: len(other.equipment), default=None)


def after_pain_stop(
    routine: Routine,
    journal: Journal,
    limits: FrequencyLimits,
    stretches: Callable[[], Sequence[Routine]],
    *,
    interactive: bool,
    ask: Callable[[str], bool],
    say: Callable[[str], None],
    show: Callable[[str], None] = show_on_stderr,
    now: datetime | None = None,
) -> str | None:
    """Once after a session of ``routine`` was stopped for pain: say so, and leave out the
    step that hurt unless the user asks to play it as before (without a terminal it is
    left out). After a crack routine, within the frequency guard's window, a stretch
    (from ``stretches()``) is suggested too. Returns the title of the step to leave out,
    or None."""
    now = now or datetime.now().astimezone()
    try:
        earlier = journal.pain_stop_untold(routine.id)
    except JournalError as exc:
        journal.warn(f"{exc}. Whether this routine hurt last time is not checked.")
        return None
    if earlier is None or earlier.pain_stop is None:
        return None
    stop = earlier.pain_stop
    text = phrasing.pain_last_time(stop.step, stop.title)
    if routine.kind == "crack" and earlier.started >= guard_window_start(limits, now):
        stretch = suggest_stretch(routine, stretches())
        if stretch is not None:
            text += " " + phrasing.stretch_instead(stretch.title)
    show(text)
    keep = False
    if interactive:
        show(READ_ALOUD)
        say(text)
        keep = ask(f"Play step {stop.step} ({stop.title}) as before?")
    try:
        journal.mark_pain_told(earlier.id)
    except JournalError as exc:
        journal.warn(f"{exc}. It may be said again next time.")
    if keep:
        return None
    show(f"Leaving out step {stop.step} ({stop.title}).")
    return stop.title
