"""The safety gate, the frequency guard and the pain stop through the real ``play`` command,
in a pseudo-terminal (pexpect) for the y/N questions and the ``s`` key."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect
import pytest

from tests.support.cli import run_play
from tests.support.recording import needs_pulse
from voiceguide.practice.journal import Journal, SessionStart, journal_path
from voiceguide.practice.safety import READ_ALOUD
from voiceguide.routine.library import find_routine
from voiceguide.script.phrasing import HYPERMOBILITY, PAIN_ADVICE

CRACK = "chair-lean-back"  # kind crack, with contraindications
TITLE = "Low chair lean-back"


def spawn(*args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "voiceguide", "play", *args],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 120),
    )
    child.logfile_read = io.StringIO()  # everything it printed, for "never asked" checks
    return child


def transcript(child: pexpect.spawn) -> str:
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    return log.getvalue()


def played_recently(minutes: int = 30) -> None:
    journal = Journal()
    started = datetime.now(UTC) - timedelta(minutes=minutes)
    session = journal.start_session(
        SessionStart(find_routine(CRACK), pace=1.0, engine="pyttsx3", voice=None), now=started
    )
    journal.finish_session(session, "completed", now=started + timedelta(minutes=5))


def stop_for_pain(child: pexpect.spawn) -> None:
    """Press ``s`` until the player takes it (it may still be rendering), then let the calm
    exit finish."""
    for _ in range(240):
        child.send("s")
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=0.5) == 0:
            return
    raise AssertionError(f"play did not stop on 's'; it printed:\n{child.before}")


@needs_pulse
def test_a_no_to_the_contraindications_plays_nothing_and_asks_again() -> None:
    child = spawn(CRACK)
    child.expect_exact(f"{TITLE} is not for everyone.")
    child.expect_exact("osteopenia")
    # Said while the voice reads the list, so nobody waits for a question not yet asked.
    child.expect_exact(READ_ALOUD)
    child.expect_exact(f"Play {TITLE}? [y/N]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    # A choice, not an error.
    assert child.exitstatus == 0
    assert f"Not playing {TITLE}: you answered no." in transcript(child)
    assert "Error" not in transcript(child)
    assert Journal().sessions() == []
    assert Journal().consent(CRACK) is None


@needs_pulse
def test_a_yes_typed_before_the_question_does_not_answer_it() -> None:
    child = spawn(CRACK)
    child.expect_exact(READ_ALOUD)
    child.send("y\n")  # while the list is still being read aloud
    child.expect_exact(f"Play {TITLE}? [y/N]")
    child.sendline("n")  # the answer given once the question is asked
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert f"Not playing {TITLE}: you answered no." in transcript(child)
    assert Journal().sessions() == []
    assert Journal().consent(CRACK) is None


@needs_pulse
def test_a_yes_is_remembered_and_s_stops_for_pain() -> None:
    child = spawn(CRACK)
    child.expect_exact(f"Play {TITLE}? [y/N]")
    child.sendline("y")
    stop_for_pain(child)
    child.close()
    # One line says where it stopped, then what to do: not "Stopped ... Stopping here."
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript(child))
    [stopped] = re.findall(r"Stopped .*", plain)
    stopped = stopped.rstrip()
    assert stopped.startswith(f"Stopped {TITLE} at 0:")
    assert stopped.endswith(f". {PAIN_ADVICE}")
    assert "Stopping here" not in stopped
    [session] = Journal().sessions()
    assert (session.routine_id, session.outcome, session.reason) == (CRACK, "stopped", "pain")
    assert Journal().consent(CRACK) is not None

    # Played a moment ago: the guard asks now, and the gate does not ask again.
    child = spawn(CRACK)
    child.expect_exact("You played a cracking routine")
    child.expect_exact(HYPERMOBILITY)
    child.expect_exact(f"Play {TITLE} anyway? [y/N]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "is not for everyone" not in transcript(child)
    assert len(Journal().sessions()) == 1


@needs_pulse
def test_force_skips_the_guard_but_not_the_first_question() -> None:
    played_recently()
    child = spawn(CRACK, "--force")
    child.expect_exact("Playing anyway (--force).")
    child.expect_exact(f"Play {TITLE}? [y/N]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "anyway? [y/N]" not in transcript(child)


@needs_pulse
@pytest.mark.parametrize(
    ("flags", "config"),
    [(["--yes"], ""), ([], "assume_yes: true\n")],
    ids=["--yes", "config assume_yes"],
)
def test_yes_skips_the_question_and_still_shows_the_list(flags: list[str], config: str) -> None:
    Path(os.environ["VOICEGUIDE_CONFIG"]).write_text(config, encoding="utf-8")
    child = spawn(CRACK, *flags)
    child.expect_exact(f"{TITLE} is not for everyone.")
    stop_for_pain(child)
    child.close()
    assert "[y/N]" not in transcript(child)
    assert Journal().consent(CRACK) is not None
    [session] = Journal().sessions()
    assert session.reason == "pain"


def play_without_a_terminal() -> subprocess.CompletedProcess[str]:
    return run_play(CRACK, env=dict(os.environ))


def test_the_guard_without_a_terminal_stops_and_names_force() -> None:
    played_recently()
    result = play_without_a_terminal()
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: You played a cracking routine, {TITLE}, ")
    assert HYPERMOBILITY in result.stderr
    assert "pass --force to play it anyway." in result.stderr
    assert len(Journal().sessions()) == 1  # nothing played, nothing recorded


def test_a_damaged_row_is_skipped_and_the_guard_still_holds() -> None:
    played_recently(minutes=50)
    played_recently(minutes=20)
    with sqlite3.connect(journal_path()) as db:
        db.execute("UPDATE sessions SET started = 'not a time', pace = 'fast' WHERE id = 1")
    db.close()
    result = play_without_a_terminal()
    assert result.returncode == 1, result.stderr
    warning, error = result.stderr.splitlines()[:2]
    assert warning.startswith("Warning: skipped 1 session row of the practice journal ")
    assert error.startswith(f"Error: You played a cracking routine, {TITLE}, 20 minutes ago")
    assert "Traceback" not in result.stderr
