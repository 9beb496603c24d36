"""A question through the real ``voiceguide play``: keys in a pseudo-terminal (pexpect),
the private null sink recorded, and the recording compared with the routine's export
(the same Timeline): ``a`` in the answer window takes the round, silence goes on. And
the rating asked at the start and the end, answered with a digit key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.cli.test_play import finish, in_terminal
from tests.support.recording import (
    MonitorRecording,
    Signal,
    find_clip,
    mono,
    needs_pulse,
    private_sink,
)
from tests.support.routines import write_file
from voiceguide.app.export import export_routines
from voiceguide.practice.journal import Journal
from voiceguide.render.options import RenderOptions
from voiceguide.routine.library import find_routine
from voiceguide.script import phrasing

ASKED = """id: asked
title: Asked
kind: stretch
steps:
  - say: Lower your arms to your sides.
    pause: 1
  - question: Would you like one more reach?
    steps:
      - say: Reach both hands up toward the ceiling, slowly.
        pause: 1
  - say: Let your shoulders drop, and breathe easily.
    pause: 1
"""
ROUND = "Reach both hands up toward the ceiling, slowly."
AFTER = "Let your shoulders drop, and breathe easily."


@pytest.fixture(scope="module")
def asked(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Path:
    """The routine, exported beside its file (which also fills the clip cache)."""
    folder = tmp_path_factory.mktemp("asked")
    path = write_file(folder, "asked.yaml", ASKED)
    export_routines([find_routine(str(path))], folder, RenderOptions(), shared_cache_dir, fmt="wav")
    return path


def spoken(path: Path, text: str) -> tuple[Signal, int]:
    """The exported audio of the cue that says ``text``, and the file's rate."""
    wav, rate = soundfile.read(path.with_suffix(".wav"), dtype="float32", always_2d=True)
    cues = json.loads(path.with_suffix(".cues.json").read_text(encoding="utf-8"))["cues"]
    cue = next(c for c in cues if c["text"] == text)
    return mono(wav)[round(cue["start"] * rate) : round(cue["end"] * rate)], rate


def play_and_record(path: Path, answer: str | None) -> tuple[Signal, str]:
    """Play the routine to its end; at the question (once the display names it) press
    ``answer``, if any. What the sink played, and the terminal's transcript."""
    sink = private_sink()
    assert sink is not None
    _, rate = spoken(path, ROUND)
    with MonitorRecording(sink, rate) as recording:
        child = in_terminal("play", str(path), "--no-rating")
        child.expect(r"2/5\s+Asked \(question\)", timeout=60)
        if answer is not None:
            child.send(answer)
        status, text = finish(child)
        recording.wait_for(round(0.3 * rate), timeout=10)
    assert status == 0, text
    assert "Traceback" not in text
    return recording.samples(), text


def heard(recorded: Signal, clip: Signal) -> float:
    """How well ``clip`` is found anywhere in ``recorded`` (1.0: exactly)."""
    return find_clip(clip, recorded)[1]


@needs_pulse
@pytest.mark.audio
@pytest.mark.slow
def test_a_at_a_question_takes_the_round(asked: Path) -> None:
    recorded, text = play_and_record(asked, "a")
    assert heard(recorded, spoken(asked, ROUND)[0]) > 0.9
    assert heard(recorded, spoken(asked, phrasing.ONE_MORE)[0]) > 0.9
    assert heard(recorded, spoken(asked, AFTER)[0]) > 0.9
    assert "Answer: one more" in text


@needs_pulse
@pytest.mark.audio
@pytest.mark.slow
def test_silence_at_a_question_goes_on_without_the_round(asked: Path) -> None:
    recorded, text = play_and_record(asked, None)
    assert heard(recorded, spoken(asked, ROUND)[0]) < 0.5
    after, match = find_clip(spoken(asked, AFTER)[0], recorded)
    assert match > 0.9
    # "Going on." is said between the closing tone and the step after the round.
    _, rate = spoken(asked, ROUND)
    before = recorded[max(0, after - round(1.5 * rate)) : after]
    assert np.any(np.abs(before) > 0.05)
    assert "Going on" in text


@needs_pulse
@pytest.mark.audio
@pytest.mark.slow
def test_a_digit_answers_the_rating_and_silence_leaves_it_unrecorded(asked: Path) -> None:
    sink = private_sink()
    assert sink is not None
    _, rate = spoken(asked, ROUND)
    with MonitorRecording(sink, rate) as recording:
        child = in_terminal("play", str(asked))
        child.expect("How is your back", timeout=60)  # before the first step
        child.send("3")
        child.expect(r"Rated 3 of 10", timeout=30)
        child.expect("How is your back", timeout=90)  # at the end: no answer
        status, text = finish(child)
        recording.wait_for(round(0.3 * rate), timeout=10)
    assert status == 0, text
    assert "Your back, 0 to 10: 3 before." in text
    assert "after." not in text
    assert "Finished Asked" in text
    [session] = Journal().sessions()
    assert (session.rating_before, session.rating_after) == (3, None)
    # The routine went on after each: its last words were played.
    assert heard(recording.samples(), spoken(asked, phrasing.CLOSING)[0]) > 0.9


def test_a_clip_is_heard_across_one_underrun_and_a_different_clip_is_not() -> None:
    rng = np.random.default_rng(7)
    clip = rng.standard_normal(24000).astype(np.float32)
    other = rng.standard_normal(24000).astype(np.float32)
    # 5 ms dropped a third of the way in, as an underrun does: the rest comes late.
    gap = np.zeros(120, dtype=np.float32)
    played = np.concatenate([gap, clip[:8000], gap, clip[8000:], gap])
    at, match = find_clip(clip, played)
    assert match > 0.9
    assert at in (len(gap), 2 * len(gap))  # placed by a part before or after the gap
    assert find_clip(other, played)[1] < 0.5
