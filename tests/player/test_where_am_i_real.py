""" "Where am I?" in the real program: ``w`` in a pseudo-terminal (pexpect), the answer read
back from the display, heard alone in a recording of the sink, and the routine going on
from the frame it left."""

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
    best_lag,
    mono,
    needs_pulse,
    private_sink,
    wait_for_sound,
)
from voiceguide.player.player import SENTENCE_GAP
from voiceguide.player.transport import JUMP_GAP
from voiceguide.player.whereami import step_parts
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ANSWER = re.compile(r"Step 0 of 4: Before you start\..*?Next: [^.]*\.")


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
        child = pexpect.spawn(
            sys.executable,
            # Without the rating, whose question at the first step would cut the answer.
            ["-m", "voiceguide", "play", str(short), "--no-rating"],
            env=dict(os.environ),
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 200),
        )
        child.logfile_read = io.StringIO()
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
    script = assembly.prepare(find_routine(str(short)), RenderOptions(), shared_cache_dir).script
    voice_clips = assembly.clip_store(VoiceOptions(), shared_cache_dir, rate)
    gap = np.zeros(round(SENTENCE_GAP * rate), dtype=np.float32)
    clips = [voice_clips.get(part) for part in sentences(answer, step_parts(script, 0))]
    clip = np.concatenate([clips[0], *(x for c in clips[1:] for x in (gap, c))])
    said, match = best_lag(clip, recorded, asked_at, asked_at + round(1.0 * rate))
    assert match > 0.9, "the answer, alone, soon after the key"
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
