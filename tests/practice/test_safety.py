from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.records import bare_routine
from voiceguide.errors import Declined, SafetyError
from voiceguide.practice.journal import (
    JOURNAL_FILE,
    SCHEMA_VERSION,
    Consent,
    Journal,
    PainStop,
    SessionRecord,
    SessionStart,
)
from voiceguide.practice.recording import SessionRecording
from voiceguide.practice.safety import (
    READ_ALOUD,
    Clearance,
    FrequencyLimits,
    after_pain_stop,
    before_play,
    check_frequency,
    contraindications_text,
    needs_consent,
    rating_advice,
    stop_for_pain,
    suggest_stretch,
)
from voiceguide.routine.records import Include, Routine
from voiceguide.script import phrasing
from voiceguide.script.compiler import compile_script
from voiceguide.script.phrasing import (
    HYPERMOBILITY,
    PAIN_EXIT,
    RATING_ADVICE,
    pain_last_time,
    stretch_instead,
)
from voiceguide.script.records import CompileOptions

NOW = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
LIMITS = FrequencyLimits(min_hours=4, max_per_day=2)  # the settings' defaults

CHAIR = bare_routine(
    "chair",
    "crack",
    title="Chair back crack",
    contraindications=("disc problems", "osteoarthritis", "osteopenia"),
)
STRETCH = bare_routine("bed", title="Bed stretch")
CAREFUL_STRETCH = replace(
    STRETCH, id="floor", title="Knee hug", contraindications=("disc problems",)
)


def session(
    started: datetime,
    kind: str = "crack",
    reason: str | None = None,
    title: str = "Chair",
    length: timedelta = timedelta(minutes=5),
) -> SessionRecord:
    return SessionRecord(
        id=1,
        routine_id="chair",
        title=title,
        kind=kind,
        started=started,
        ended=started + length,
        outcome="completed" if reason is None else "quit",
        reason=reason,
        steps_skipped=0,
        pace=1.0,
        engine="pyttsx3",
        voice=None,
    )


# --- the frequency guard --------------------------------------------------------------------


def test_stretch_routines_are_never_guarded() -> None:
    recent = [session(NOW - timedelta(minutes=m)) for m in (5, 10, 15)]
    assert check_frequency(STRETCH, LIMITS, recent, NOW) is None


def test_a_first_crack_is_not_guarded() -> None:
    assert check_frequency(CHAIR, LIMITS, [], NOW) is None


def test_a_crack_within_the_hours_is_guarded() -> None:
    finding = check_frequency(CHAIR, LIMITS, [session(NOW - timedelta(minutes=80))], NOW)
    assert finding is not None
    assert finding.since_last == timedelta(minutes=80)
    assert finding.today == 1
    assert finding.text == (
        "You played a cracking routine, Chair, 1 hour 20 minutes ago; give your back at least"
        " 4 hours between them. " + HYPERMOBILITY
    )


def test_a_crack_just_past_the_hours_is_not_guarded() -> None:
    sessions = [session(NOW - timedelta(hours=4))]
    assert check_frequency(CHAIR, LIMITS, sessions, NOW) is None


def test_the_daily_limit_is_guarded_even_hours_apart() -> None:
    sessions = [session(NOW - timedelta(hours=h)) for h in (10, 5)]
    finding = check_frequency(CHAIR, LIMITS, sessions, NOW)
    assert finding is not None
    assert (finding.since_last, finding.today) == (None, 2)
    assert finding.text == (
        "You have played cracking routines twice today; the limit is twice a day. " + HYPERMOBILITY
    )


def test_both_limits_are_said_in_one_text() -> None:
    sessions = [session(NOW - timedelta(hours=h)) for h in (9, 6, 1)]
    finding = check_frequency(CHAIR, LIMITS, sessions, NOW)
    assert finding is not None
    assert finding.text.count("You") == 2
    assert "3 times today" in finding.text and "1 hour ago" in finding.text


def test_yesterday_does_not_count_for_today() -> None:
    sessions = [session(NOW - timedelta(hours=h)) for h in (20, 22, 23)]
    assert check_frequency(CHAIR, LIMITS, sessions, NOW) is None


def test_today_is_the_calendar_day_in_the_users_timezone() -> None:
    # 23:30 UTC yesterday is 01:30 today in UTC+2, so with a limit of one it counts.
    plus_two = timezone(timedelta(hours=2))
    now = datetime(2025, 3, 14, 12, 0, tzinfo=plus_two)
    early = [session(datetime(2025, 3, 13, 23, 30, tzinfo=UTC))]
    one_a_day = replace(LIMITS, max_per_day=1)
    assert check_frequency(CHAIR, one_a_day, early, now) is not None
    assert check_frequency(CHAIR, one_a_day, early, now.astimezone(UTC)) is None


def test_stretches_and_sessions_that_failed_at_once_do_not_count() -> None:
    sessions = [
        session(NOW - timedelta(minutes=10), reason="error", length=timedelta(seconds=3)),
        session(NOW - timedelta(minutes=20), kind="stretch"),
    ]
    assert check_frequency(CHAIR, LIMITS, sessions, NOW) is None
    quit_midway = [session(NOW - timedelta(minutes=10), reason="user quit")]
    assert check_frequency(CHAIR, LIMITS, quit_midway, NOW) is not None


@pytest.mark.parametrize("reason", ["error", "interrupted", "user quit", None])
def test_a_session_that_ran_past_its_opening_counts_however_it_ended(reason: str | None) -> None:
    # A terminal lost with a dropped SSH link ends the session in an error, after the back
    # may have been cracked: how a session ended must never let the guard be skipped.
    ran = [session(NOW - timedelta(minutes=10), reason=reason, length=timedelta(minutes=4))]
    assert check_frequency(CHAIR, LIMITS, ran, NOW) is not None


def test_a_session_dated_in_the_future_is_not_counted() -> None:
    skewed = [session(NOW + timedelta(days=3))]
    assert check_frequency(CHAIR, LIMITS, skewed, NOW) is None


@pytest.mark.parametrize("reason", ["user quit", "interrupted"])
def test_a_session_left_in_its_first_minute_does_not_count(reason: str) -> None:
    brief = [session(NOW - timedelta(minutes=2), reason=reason, length=timedelta(seconds=20))]
    assert check_frequency(CHAIR, LIMITS, brief, NOW) is None
    a_minute = [session(NOW - timedelta(minutes=2), reason=reason, length=timedelta(seconds=61))]
    assert check_frequency(CHAIR, LIMITS, a_minute, NOW) is not None


def test_the_guard_holds_to_the_limits_it_is_given() -> None:
    sessions = [session(NOW - timedelta(hours=2))]
    assert check_frequency(CHAIR, replace(LIMITS, min_hours=1.5), sessions, NOW) is None
    finding = check_frequency(CHAIR, replace(LIMITS, min_hours=8), sessions, NOW)
    assert finding is not None and "at least 8 hours" in finding.text
    assert check_frequency(CHAIR, replace(LIMITS, max_per_day=1), [], NOW) is None


@given(
    hours_ago=st.lists(st.floats(min_value=0, max_value=72), max_size=6),
    min_hours=st.floats(min_value=0, max_value=24),
    max_per_day=st.integers(min_value=1, max_value=5),
)
def test_the_guard_warns_exactly_when_a_limit_is_reached(
    hours_ago: list[float], min_hours: float, max_per_day: int
) -> None:
    limits = FrequencyLimits(min_hours=min_hours, max_per_day=max_per_day)
    starts = [NOW - timedelta(hours=h) for h in hours_ago]
    finding = check_frequency(CHAIR, limits, [session(s) for s in starts], NOW)
    recent = any(NOW - s < timedelta(hours=min_hours) for s in starts)
    today = sum(s.date() == NOW.date() for s in starts)
    assert (finding is not None) == (recent or today >= max_per_day)
    if finding is not None:
        assert finding.today == today
        assert finding.text.endswith(HYPERMOBILITY)


# --- the gate ---------------------------------------------------------------------------------


def test_the_gate_says_the_contraindications_in_the_openings_words() -> None:
    assert contraindications_text(CHAIR) == (
        "Chair back crack is not for everyone. Do not do this routine at all if you have "
        "disc problems, osteoarthritis or osteopenia."
    )
    opening = phrasing.contraindications_line(CHAIR.contraindications)
    assert contraindications_text(CHAIR).endswith(opening)
    assert contraindications_text(CAREFUL_STRETCH).endswith("at all if you have disc problems.")
    # Never the old escape hatch that contradicted "at all".
    assert "if you do" not in contraindications_text(CHAIR).lower()


def test_the_gate_says_this_session_for_a_session_as_its_opening_does() -> None:
    session = replace(CHAIR, steps=(Include(CAREFUL_STRETCH, 1),))
    assert "Do not do this session at all if you have" in contraindications_text(session)
    script = compile_script(session, CompileOptions(), lambda text: 1.0)
    assert contraindications_text(session).endswith(script.cues[2].text)


def test_consent_is_needed_until_given_for_the_same_list() -> None:
    given = Consent("chair", NOW, ("osteopenia", "disc problems", "osteoarthritis"))
    assert needs_consent(CHAIR, None)
    assert not needs_consent(CHAIR, given)
    assert needs_consent(replace(CHAIR, contraindications=(*CHAIR.contraindications, "x")), given)
    assert not needs_consent(STRETCH, None)


# --- before_play ------------------------------------------------------------------------------


class Terminal:
    """A fake user at a terminal: records what was shown, said and asked; answers from a list."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.events: list[tuple[str, str]] = []

    def ask(self, question: str) -> bool:
        self.events.append(("ask", question))
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.events.append(("say", text))

    def show(self, text: str) -> None:
        self.events.append(("show", text))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def journal(tmp_path: Path, warnings: list[str]) -> Journal:
    return Journal(tmp_path / JOURNAL_FILE, warn=warnings.append)


def play(
    routine: Routine,
    journal: Journal,
    terminal: Terminal,
    *,
    interactive: bool = True,
    now: datetime = NOW,
    **flags: bool,
) -> Clearance:
    return before_play(
        routine,
        LIMITS,
        journal,
        interactive=interactive,
        ask=terminal.ask,
        say=terminal.say,
        show=terminal.show,
        now=now,
        **flags,
    )


def played_before(journal: Journal, routine: Routine, when: datetime) -> None:
    ident = journal.start_session(
        SessionStart(routine, pace=1.0, engine="pyttsx3", voice=None), now=when
    )
    journal.finish_session(ident, "completed", now=when + timedelta(minutes=5))


def test_a_session_dated_in_the_future_plays_with_a_warning(
    journal: Journal, warnings: list[str]
) -> None:
    played_before(journal, CHAIR, NOW + timedelta(days=2))
    clearance = play(CHAIR, journal, Terminal(True), assume_yes=True)
    assert clearance.frequency is None
    assert len(warnings) == 1
    assert "1 session in the practice journal" in warnings[0]
    assert "started after now (2025-03-16 18:00); they are not counted." in warnings[0]


def test_a_routine_without_contraindications_plays_without_a_word(journal: Journal) -> None:
    terminal = Terminal()
    clearance = play(STRETCH, journal, terminal)
    assert terminal.events == []
    assert clearance == Clearance(consent="not needed", frequency=None)


def test_the_first_time_shows_says_asks_and_remembers_a_yes(journal: Journal) -> None:
    terminal = Terminal(True)
    clearance = play(CHAIR, journal, terminal)
    assert terminal.events == [
        ("show", contraindications_text(CHAIR)),
        ("show", READ_ALOUD),
        ("say", contraindications_text(CHAIR)),
        ("ask", "Play Chair back crack?"),
    ]
    assert clearance.consent == "given"
    consent = journal.consent("chair")
    assert consent is not None and consent.contraindications == CHAIR.contraindications
    again = Terminal()
    assert play(CHAIR, journal, again).consent == "remembered"
    assert again.events == []


def test_a_no_stops_and_is_not_remembered(journal: Journal) -> None:
    with pytest.raises(SafetyError, match=r"^not playing Chair back crack: you answered no$"):
        play(CHAIR, journal, Terminal(False))
    assert journal.consent("chair") is None
    terminal = Terminal(True)
    play(CHAIR, journal, terminal)
    assert terminal.kinds() == ["show", "show", "say", "ask"]


def test_a_changed_list_asks_again(journal: Journal) -> None:
    play(CHAIR, journal, Terminal(True))
    changed = replace(CHAIR, contraindications=(*CHAIR.contraindications, "a recent injury"))
    terminal = Terminal(True)
    play(changed, journal, terminal)
    assert terminal.kinds() == ["show", "show", "say", "ask"]


def test_yes_skips_the_question_but_still_shows_the_list_once(journal: Journal) -> None:
    terminal = Terminal()
    clearance = play(CHAIR, journal, terminal, assume_yes=True)
    assert terminal.events == [("show", contraindications_text(CHAIR))]
    assert clearance.consent == "assumed"
    again = Terminal()
    play(CHAIR, journal, again)
    assert again.events == []


def test_without_a_terminal_the_list_is_shown_and_play_goes_on(journal: Journal) -> None:
    terminal = Terminal()
    clearance = play(CHAIR, journal, terminal, interactive=False)
    assert terminal.events == [("show", contraindications_text(CHAIR))]
    assert clearance.consent == "shown"
    assert journal.consent("chair") is None  # nobody answered: shown again next time


def test_the_guard_says_why_and_asks(journal: Journal) -> None:
    journal.remember_consent("chair", CHAIR.contraindications, NOW)
    played_before(journal, CHAIR, NOW - timedelta(hours=1))
    terminal = Terminal(True)
    clearance = play(CHAIR, journal, terminal)
    assert clearance.frequency is not None
    text = clearance.frequency.text
    assert "1 hour ago" in text and HYPERMOBILITY in text
    assert terminal.events == [
        ("show", text),
        ("show", READ_ALOUD),
        ("say", text),
        ("ask", "Play Chair back crack anyway?"),
    ]
    with pytest.raises(Declined, match="you answered no"):
        play(CHAIR, journal, Terminal(False))


def test_the_guard_without_a_terminal_stops_and_names_force(journal: Journal) -> None:
    played_before(journal, CHAIR, NOW - timedelta(hours=1))
    terminal = Terminal()
    with pytest.raises(SafetyError) as caught:
        play(CHAIR, journal, terminal, interactive=False)
    message = str(caught.value)
    assert message.startswith("You played a cracking routine, Chair back crack, 1 hour ago;")
    assert HYPERMOBILITY in message
    assert message.endswith("pass --force to play it anyway.")
    assert terminal.events == []


def test_force_goes_past_the_guard_and_says_so(journal: Journal) -> None:
    played_before(journal, CHAIR, NOW - timedelta(hours=1))
    terminal = Terminal()
    clearance = play(CHAIR, journal, terminal, interactive=False, force=True)
    assert clearance.forced
    assert terminal.kinds() == ["show", "show"]  # the guard's note, then the contraindications
    assert terminal.events[0][1].endswith("Playing anyway (--force).")


def test_the_guard_asks_before_the_gate(journal: Journal) -> None:
    played_before(journal, CHAIR, NOW - timedelta(minutes=30))
    terminal = Terminal(True, True)
    play(CHAIR, journal, terminal)
    asked = [text for kind, text in terminal.events if kind == "ask"]
    assert asked == ["Play Chair back crack anyway?", "Play Chair back crack?"]


def test_a_stretch_after_a_crack_is_not_guarded(journal: Journal) -> None:
    played_before(journal, CHAIR, NOW - timedelta(minutes=30))
    terminal = Terminal(True)
    play(CAREFUL_STRETCH, journal, terminal)
    assert terminal.kinds() == ["show", "show", "say", "ask"]


def test_an_unreadable_journal_warns_and_play_goes_on(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    warnings: list[str] = []
    journal = Journal(path, warn=warnings.append)
    terminal = Terminal(True)
    clearance = play(CHAIR, journal, terminal)
    assert clearance.consent == "given"
    assert len(warnings) == 3
    assert "is not checked" in warnings[0]
    assert "could not be read" in warnings[1]
    assert "asked again next time" in warnings[2]


# --- the pain stop ------------------------------------------------------------------------------


def test_the_pain_exit_is_calm_and_points_to_a_doctor() -> None:
    assert "slowly" in PAIN_EXIT and "see a doctor" in PAIN_EXIT


def test_stop_for_pain_records_first_then_speaks(journal: Journal) -> None:
    recording = SessionRecording(journal)
    recording.start(SessionStart(CHAIR, pace=1.0, engine="pyttsx3", voice=None))
    outcomes_when_spoken: list[tuple[str | None, str | None]] = []

    def say(text: str) -> None:
        assert text == PAIN_EXIT
        [record] = journal.sessions()
        outcomes_when_spoken.append((record.outcome, record.reason))

    stop_for_pain(recording, say, steps_skipped=1)
    assert outcomes_when_spoken == [("stopped", "pain")]
    assert journal.sessions()[0].steps_skipped == 1


# --- the play after a stop for pain ----------------------------------------------------------


def stopped_for_pain(journal: Journal, routine: Routine, when: datetime) -> None:
    session = journal.start_session(
        SessionStart(routine, pace=1.0, engine="pyttsx3", voice=None), now=when
    )
    journal.finish_session(
        session, "stopped", "pain", pain_stop=PainStop(2, "Lean back (left)"), now=when
    )


def after(routine: Routine, journal: Journal, terminal: Terminal, **kwargs: bool) -> str | None:
    stretches = [STRETCH, replace(STRETCH, id="ball", title="Ball stretch", equipment=("ball",))]
    return after_pain_stop(
        routine,
        journal,
        LIMITS,
        lambda: stretches,
        interactive=kwargs.get("interactive", True),
        ask=terminal.ask,
        say=terminal.say,
        show=terminal.show,
        now=NOW,
    )


def test_after_a_stop_for_pain_the_step_is_left_out_unless_asked_and_said_once(
    journal: Journal,
) -> None:
    stopped_for_pain(journal, STRETCH, NOW - timedelta(days=2))
    terminal = Terminal(False)
    assert after(STRETCH, journal, terminal) == "Lean back (left)"
    said = [text for kind, text in terminal.events if kind == "say"]
    assert said == [pain_last_time(2, "Lean back (left)")]
    assert ("ask", "Play step 2 (Lean back (left)) as before?") in terminal.events
    # Once per stop for pain: the next play says nothing and leaves nothing out.
    again = Terminal()
    assert after(STRETCH, journal, again) is None and again.events == []


def test_playing_the_step_as_before_is_a_deliberate_yes(journal: Journal) -> None:
    stopped_for_pain(journal, STRETCH, NOW - timedelta(days=2))
    assert after(STRETCH, journal, Terminal(True)) is None


def test_without_a_terminal_the_step_is_left_out_and_nothing_is_asked(journal: Journal) -> None:
    stopped_for_pain(journal, STRETCH, NOW - timedelta(days=2))
    terminal = Terminal()
    assert after(STRETCH, journal, terminal, interactive=False) == "Lean back (left)"
    assert terminal.kinds() == ["show", "show"]  # what happened, and what is left out


def test_a_crack_routine_that_hurt_recently_suggests_a_stretch(journal: Journal) -> None:
    stopped_for_pain(journal, CHAIR, NOW - timedelta(hours=1))
    terminal = Terminal(False)
    after(CHAIR, journal, terminal)
    [(_, text)] = [event for event in terminal.events if event[0] == "say"]
    # The stretch for the same part of the back that needs the least.
    assert text.endswith(stretch_instead("Bed stretch"))


def test_a_crack_routine_that_hurt_long_ago_suggests_nothing(journal: Journal) -> None:
    stopped_for_pain(journal, CHAIR, NOW - timedelta(days=3))
    terminal = Terminal(False)
    after(CHAIR, journal, terminal)
    [(_, text)] = [event for event in terminal.events if event[0] == "say"]
    assert text == pain_last_time(2, "Lean back (left)")


def test_the_suggested_stretch_is_for_the_same_part_of_the_back() -> None:
    upper = replace(CHAIR, area="upper back")
    low = replace(STRETCH, id="low", title="Low", area="lower back")
    whole = replace(STRETCH, id="whole", title="Whole", area="whole back", equipment=("mat",))
    top = replace(STRETCH, id="top", title="Top", area="middle and upper back")
    assert suggest_stretch(upper, [low, whole, top]) == top
    assert suggest_stretch(upper, [low]) is None


# --- the ratings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (2, 5),  # a rise of 3
        (0, 10),
        (4, 8),  # high after
        (8, None),  # high before: said as soon as it is given
        (None, 8),
        (9, 2),  # high before, even though it eased
        (10, 10),
    ],
)
def test_a_rise_of_3_or_a_rating_of_8_or_more_gets_the_advice(
    before: int | None, after: int | None
) -> None:
    assert rating_advice(before, after) == RATING_ADVICE


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (2, 4),  # a rise of 2
        (7, 7),
        (5, 0),
        (None, None),
        (None, 7),  # no before: a rise cannot be told
        (0, None),
        (7, 3),
    ],
)
def test_a_small_rise_and_ratings_under_8_get_none(before: int | None, after: int | None) -> None:
    assert rating_advice(before, after) is None


@given(st.integers(0, 10), st.integers(0, 10))
def test_the_advice_follows_the_rule_over_every_pair(before: int, after: int) -> None:
    expected = after - before >= 3 or before >= 8 or after >= 8
    assert (rating_advice(before, after) is not None) == expected


def test_the_advice_is_one_plain_sentence_to_stop_and_see_someone() -> None:
    assert RATING_ADVICE.count(".") == 1 and RATING_ADVICE.endswith(".")
    assert "stop" in RATING_ADVICE and "persists" in RATING_ADVICE
    assert "doctor" in RATING_ADVICE and "physical therapist" in RATING_ADVICE
