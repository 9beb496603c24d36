"""The real ``voiceguide play --listen``: commands said into a virtual microphone (two
voices that are not the guide's, room noise at 10 dB SNR, the guide's own output looped
back into the microphone 80 ms late and 12 dB down), checked on the recording of what
the guide played and in the journal."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.support.cli import PROGRAM, run_play
from tests.support.microphone import (
    VirtualMicrophone,
    spoken,
    virtual_microphone,
    with_noise,
)
from tests.support.recording import (
    MonitorRecording,
    Signal,
    best_lag,
    first_sound,
    last_sound,
    mono,
    needs_pulse,
    private_sink,
    wait_for_sound,
)
from voiceguide.practice.journal import Journal
from voiceguide.script import phrasing

pytestmark = [pytest.mark.audio, pytest.mark.slow, needs_pulse]

RATE = 22050  # the Timeline's rate: the recording is made at it
SNR = 10.0  # dB: the commands over the room noise
NOISE_LEVEL = 0.01  # RMS of the noise always there in the room
ECHO_DELAY, ECHO_GAIN = 0.08, -12.0  # the guide's loudspeaker heard in the microphone
HOLD = 10  # seconds: the first step's hold, where commands are said
ROUTINE = f"""\
id: listen-check
title: Listen check
kind: stretch
steps:
  - say: Lie on your back and rest your arms.
    hold: {HOLD}
    count: none
  - say: Now hug both knees to your chest.
    hold: 4
    count: none
"""
FIRST_STEP = "Lie on your back and rest your arms."
SECOND_STEP = "Now hug both knees to your chest."


def quiet(signal: Signal) -> bool:
    return bool(np.all(np.abs(signal) < 0.01))


def guide_clip(text: str, cache: Path) -> Signal:
    """``text`` as the guide says it in these tests (espeak-ng's default voice)."""
    from voiceguide.render.assembly import clip_store
    from voiceguide.render.options import VoiceOptions

    return clip_store(VoiceOptions(engine="espeak-ng"), cache, RATE).get(text)


@dataclass
class Session:
    microphone: VirtualMicrophone
    recording: MonitorRecording
    process: subprocess.Popen[str]
    folder: Path

    def say(self, text: str, speaker: str) -> int:
        """``text`` said into the microphone over the room noise; the recording frame
        where the saying ended."""
        self.microphone.say(with_noise(spoken(text, speaker, self.folder), SNR, pad=0.2))
        return self.recording.frames

    def wait_for_the_hold(self, cache: Path) -> int:
        """Wait until the first step's instruction has been said; its end frame."""
        words = guide_clip(FIRST_STEP, cache)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            heard = self.recording.samples()
            start, match = best_lag(words, heard, 0, max(0, len(heard) - len(words)))
            if match > 0.8 and len(heard) > start + len(words) + round(0.6 * RATE):
                return start + len(words)
            time.sleep(0.2)
        self.process.terminate()
        raise AssertionError(f"the first step was never said: {self.finish()[1]}")

    def finish(self) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=90)
        return self.process.returncode, stderr


@contextmanager
def listening_play(folder: Path, cache: Path, *options: str) -> Iterator[Session]:
    """``play --listen`` of the check routine with no terminal, the microphone hearing the
    room's noise and the guide's own loudspeaker; yields once the guide is heard."""
    sink = private_sink()
    assert sink is not None
    routine = folder / "listen-check.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    guide_clip(FIRST_STEP, cache)  # the clips are cached: playing starts at once
    with virtual_microphone() as microphone, MonitorRecording(sink, RATE) as recording:
        microphone.loop_from(sink, ECHO_DELAY, ECHO_GAIN)
        microphone.noise_in_background(90, NOISE_LEVEL)
        process = subprocess.Popen(
            [*PROGRAM, "play", str(routine), "--listen", "--engine", "espeak-ng", *options],
            env=microphone.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for_sound(recording, recording.frames)
            yield Session(microphone, recording, process, folder)
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


@pytest.fixture
def session(tmp_path: Path, shared_cache_dir: Path) -> Iterator[Session]:
    # The rating (asked when listening, even with no terminal) has its own test below.
    with listening_play(tmp_path, shared_cache_dir, "--no-rating") as playing:
        yield playing


def test_pause_is_silence_and_go_on_resumes_where_it_stopped(
    session: Session, shared_cache_dir: Path
) -> None:
    hold = session.wait_for_the_hold(shared_cache_dir)
    paused = session.say("wait", "espeak-ng")
    time.sleep(4)
    resumed = session.say("go on", "piper")
    status, stderr = session.finish()
    heard = session.recording.samples()
    assert status == 0, stderr
    assert "Finished Listen check" in stderr

    said, match = best_lag(guide_clip("Paused.", shared_cache_dir), heard, paused, resumed)
    assert match > 0.6, "no spoken answer to 'wait'"
    quiet_from = said + len(guide_clip("Paused.", shared_cache_dir)) + round(0.1 * RATE)
    assert quiet(heard[quiet_from : resumed - round(0.6 * RATE)])
    going_on = guide_clip("Going on.", shared_cache_dir)
    on, match = best_lag(going_on, heard, resumed, resumed + 5 * RATE)
    assert match > 0.6, "no spoken answer to 'go on'"
    # The hold goes on from where it stopped: its end came later by the time paused.
    release = guide_clip("And release.", shared_cache_dir)
    end, match = best_lag(release, heard, on, on + HOLD * RATE)  # the first one after
    assert match > 0.6
    held = (said - hold) + (end - (on + len(going_on)))
    assert abs(held / RATE - HOLD) < 1.0, f"held {held / RATE:.2f} s of {HOLD}"


def test_next_goes_to_the_next_steps_first_cue(session: Session, shared_cache_dir: Path) -> None:
    session.wait_for_the_hold(shared_cache_dir)
    step = guide_clip(SECOND_STEP, shared_cache_dir)
    # Said once more if the first was not understood, as a person would (how often the
    # first is understood is a figure of scripts/bench, not a test).
    for speaker in ("piper", "espeak-ng"):
        asked = session.say("next", speaker)
        time.sleep(7)  # the answer names the step, then the step begins
        heard = session.recording.samples()
        found, match = best_lag(step, heard, asked, len(heard) - len(step))
        if match > 0.6:
            break
    session.process.terminate()
    session.finish()
    assert match > 0.6, "the second step was not heard after 'next'"
    assert (found - asked) / RATE < 7.0  # before its time without the command (HOLD s)


def test_it_hurts_stops_as_the_s_key_does(session: Session, shared_cache_dir: Path) -> None:
    session.wait_for_the_hold(shared_cache_dir)
    session.say("it hurts", "espeak-ng")
    status, stderr = session.finish()
    assert status == 0, stderr
    assert "Stopped Listen check at " in stderr
    [stopped] = Journal().sessions()
    assert stopped.outcome == "stopped"
    assert stopped.pain_stop is not None and stopped.pain_stop.title == FIRST_STEP.rstrip(".")


def test_a_whole_routine_with_echo_and_noise_and_no_command_is_left_alone(
    short: Path,
) -> None:
    sink = private_sink()
    assert sink is not None
    exported, rate = soundfile.read(short.with_suffix(".wav"), dtype="float32", always_2d=True)
    with virtual_microphone() as microphone, MonitorRecording(sink, rate) as recording:
        # Its own voice loud in the microphone: 6 dB down, 30 ms late.
        microphone.loop_from(sink, 0.03, -6.0)
        microphone.noise_in_background(90, NOISE_LEVEL)
        start = recording.frames
        done = run_play(str(short), "--listen", "--no-rating", env=microphone.env())
        recording.wait_for(round(0.3 * rate), timeout=10)
    assert done.returncode == 0, done.stderr
    assert "Not listening" not in done.stderr
    assert "Finished Short check" in done.stderr
    [played] = Journal().sessions()
    assert (played.outcome, played.steps_skipped) == ("completed", 0)
    heard = recording.samples()[start:]
    first, last = first_sound(heard), last_sound(heard)
    assert first is not None and last is not None
    expected = mono(exported)
    length = last_sound(expected)
    assert length is not None
    # Nothing paused, skipped, repeated or answered: it lasted as long. Any of those would
    # change the length by seconds (a spoken answer alone is over half a second); the
    # output falling behind on a loaded machine can stretch it by a little (138 ms seen).
    assert abs((last - first) - (length - (first_sound(expected) or 0))) < 0.5 * rate


def test_the_display_says_listening_soon_then_listening(short: Path) -> None:
    from tests.cli.test_play import finish, in_terminal

    with virtual_microphone() as microphone:
        child = in_terminal("play", str(short), "--listen", env=microphone.env())
        child.expect_exact("Voice commands: listening soon")
        child.expect(r"Voice commands: listening\s")
        child.send("q")
        status, text = finish(child)
    assert status == 0, text


def test_without_a_microphone_one_line_says_so_and_it_plays_on(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("id: tiny\ntitle: Tiny\nkind: stretch\nsteps:\n  - say: Breathe out.\n")
    done = run_play(str(tiny), "--listen", "--input", "no such microphone")
    assert done.returncode == 0, done.stderr
    [line, finished] = done.stderr.splitlines()
    assert line.startswith("Not listening: no microphone matching 'no such microphone'")
    assert line.endswith("Playing goes on; the keys still work.")
    assert finished.startswith("Finished Tiny")


def test_a_number_said_in_the_window_is_the_rating(tmp_path: Path, shared_cache_dir: Path) -> None:
    # No terminal, but listening: how the back is gets asked, and answered by voice.
    question = guide_clip(phrasing.RATING_QUESTION, shared_cache_dir)
    with listening_play(tmp_path, shared_cache_dir) as playing:
        deadline = time.monotonic() + 40
        asked, match = 0, 0.0
        while time.monotonic() < deadline and match < 0.8:
            time.sleep(0.5)
            heard = playing.recording.samples()
            asked, match = best_lag(question, heard, 0, max(0, len(heard) - len(question)))
        assert match > 0.8, "the rating was never asked"
        # Into the window: after the words, the gap and the opening tone.
        window = asked + len(question) + round(1.0 * RATE)
        playing.recording.wait_for(max(0, window - playing.recording.frames), timeout=20)
        for speaker in ("piper", "espeak-ng"):  # said again if not understood, as a person would
            playing.say("three", speaker)
            time.sleep(3)
            noted = guide_clip(phrasing.rating_noted(3), shared_cache_dir)
            heard = playing.recording.samples()
            _, match = best_lag(noted, heard, asked, max(asked, len(heard) - len(noted)))
            if match > 0.6:
                break
        playing.process.terminate()
        playing.finish()
    assert match > 0.6, "'three' was not said back"
    [rated] = Journal().sessions()
    assert rated.rating_before == 3
