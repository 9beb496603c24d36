""" "Where am I?" in the real program: ``w`` in a pseudo-terminal (pexpect), the answer read
back from the display, heard alone in a recording of the sink, and the routine going on
from the frame it left; during the rating, the question asked again after it."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import numpy as np
import pexpect
import pytest
import soundfile

from tests.support.recording import (
    MonitorRecording,
    Signal,
    best_lag,
    mono,
    needs_pulse,
    private_sink,
    wait_for_sound,
)
from voiceguide.player.player import SENTENCE_GAP
from voiceguide.player.transport import JUMP_GAP
from voiceguide.player.whereami import step_parts
from voiceguide.practice.journal import Journal
from voiceguide.render import assembly
from voiceguide.render.clips import ClipStore
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine
from voiceguide.script import phrasing
from voiceguide.script.records import Script

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ANSWER = re.compile(r"Step 0 of 4: Before you start\..*?Next: [^.]*\.")


def script_of(path: Path, cache: Path) -> Script:
    return assembly.prepare(find_routine(str(path)), RenderOptions(), cache).script


def sentences(answer: str, known: list[str]) -> list[str]:
    """``answer`` split into the sentences it was said as (each one of ``known``)."""
    parts: list[str] = []
    rest = answer
    while rest:
        part = max((k for k in known if rest.startswith(k)), key=len, default=None)
        assert part is not None, f"not a known sentence: {rest!r}"
        parts.append(part)
        rest = rest[len(part) :].lstrip()
    return parts


def play_in_terminal(path: Path, *args: str) -> pexpect.spawn:
    """``voiceguide play PATH ARGS`` in a pseudo-terminal wide enough for the answer."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "voiceguide", "play", str(path), *args],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    child.logfile_read = io.StringIO()
    return child


def spoken_answer(answer: str, script: Script, step: int, clips: ClipStore) -> Signal:
    """The clips the display's ``answer`` was said with, one breath apart."""
    rate = clips.sample_rate
    gap = np.zeros(round(SENTENCE_GAP * rate), dtype=np.float32)
    parts = [clips.get(part) for part in sentences(answer, step_parts(script, step))]
    return np.concatenate([parts[0], *(x for c in parts[1:] for x in (gap, c))])


@needs_pulse
@pytest.mark.audio
@pytest.mark.slow
def test_w_says_where_you_are_and_goes_on_from_the_exact_frame(
    short: Path, shared_cache_dir: Path
) -> None:
    sink = private_sink()
    assert sink is not None
    wav, rate = soundfile.read(short.with_suffix(".wav"), dtype="float32", always_2d=True)
    expected = mono(wav)
    with MonitorRecording(sink, rate) as recording:
        # Without the rating, asked at the first step (see the test below).
        child = play_in_terminal(short, "--no-rating")
        begin = wait_for_sound(recording, recording.frames)
        recording.wait_for(begin + round(4.0 * rate) - recording.frames, timeout=10)
        asked_at = recording.frames
        child.send("w")
        child.expect(r"Next: [^\r\n]*\.", timeout=10)
        recording.wait_for(round(8.0 * rate), timeout=20)
        child.send("q")
        child.expect(pexpect.EOF, timeout=30)
        child.close()
    recorded = recording.samples()
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    transcript = ANSI.sub("", log.getvalue())
    assert "Traceback" not in transcript
    found = ANSWER.search(transcript)
    assert found, f"no answer on the display:\n{transcript}"
    answer = found.group(0)
    assert "Now: Short check." in answer and "Next: Short check, right side." in answer

    # Heard alone: the answer, sentence by sentence, nothing of the routine under it.
    script = script_of(short, shared_cache_dir)
    clip = spoken_answer(
        answer, script, 0, assembly.clip_store(VoiceOptions(), shared_cache_dir, rate)
    )
    # How soon is a figure (scripts/bench player), not a test: a busy machine may take
    # seconds to make a sentence that was not made ahead.
    said, match = best_lag(clip, recorded, asked_at, len(recorded))
    assert match > 0.9, "the answer, alone, after the key"
    # The routine before the key and after the answer: the same Timeline, shifted by
    # exactly the answer and its gap, so not a frame was skipped or played twice.
    half = rate // 2
    before = said - round(0.7 * rate)
    where_before, match_before = best_lag(
        recorded[before : before + half], expected, 0, len(expected) - half
    )
    after = said + len(clip) + round((JUMP_GAP + 0.3) * rate)
    where_after, match_after = best_lag(
        recorded[after : after + half], expected, 0, len(expected) - half
    )
    assert match_before > 0.8 and match_after > 0.8
    # The player resumes at the frame the device says was being heard; through PulseAudio
    # that report can trail by up to a few hundredths of a second, so a sliver may be
    # heard again (never skipped).
    shift = (after - where_after) - (before - where_before)
    repeated = shift - (len(clip) + round(JUMP_GAP * rate))
    assert -round(0.002 * rate) <= repeated <= round(0.03 * rate)


@needs_pulse
@pytest.mark.audio
@pytest.mark.slow
def test_w_during_the_rating_is_answered_alone_and_the_question_asked_again(
    short: Path, shared_cache_dir: Path
) -> None:
    sink = private_sink()
    assert sink is not None
    _, rate = soundfile.read(short.with_suffix(".wav"), frames=1)
    clips = assembly.clip_store(VoiceOptions(), shared_cache_dir, rate)
    question = clips.get(phrasing.RATING_QUESTION)
    with MonitorRecording(sink, rate) as recording:
        child = play_in_terminal(short)
        child.expect("How is your back", timeout=60)
        # Past the question's words and opening tone: in its answer window.
        recording.wait_for(len(question) + round(1.5 * rate), timeout=20)
        asked_at = recording.frames
        child.send("w")
        child.expect(r"Step 1 of 4: .*?Next: [^\r\n]*\.", timeout=10)
        answer = ANSI.sub("", child.after)
        clip = spoken_answer(answer, script_of(short, shared_cache_dir), 1, clips)
        # The answer, a breath, the question again, and into its window.
        recording.wait_for(len(clip) + len(question) + round(2.0 * rate), timeout=40)
        child.send("3")
        child.expect("Rated 3 of 10", timeout=10)
        child.send("q")
        child.expect(pexpect.EOF, timeout=30)
        child.close()
    recorded = recording.samples()
    said, match = best_lag(clip, recorded, asked_at, len(recorded))
    assert match > 0.9, "the answer, alone, after the key"
    again = said + len(clip) + round(SENTENCE_GAP * rate)
    _, match = best_lag(question, recorded, again - round(0.05 * rate), again + round(0.05 * rate))
    assert match > 0.9, "the question again, right after the answer"
    [session] = Journal().sessions()
    assert session.rating_before == 3
