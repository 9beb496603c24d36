"""Render: clips and tones placed to the sample; pan and breath tones when asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.records import script_of
from voiceguide.audio import tones
from voiceguide.render.assembly import SAMPLE_RATE, place, prepare, side_pan
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine
from voiceguide.script.records import Cue, Phase, Script

RATE = 8000


def clip(seconds: float, level: float) -> np.ndarray:
    # A ramp that never starts at zero: its first sample is audible, as trimmed clips' are.
    frames = round(seconds * RATE)
    return np.linspace(level, level / 2, frames, dtype=np.float32)


CLIPS = {
    "Lie on your back.": clip(0.8, 0.5),
    "Right side first.": clip(0.5, 0.4),
    "Now the left side.": clip(0.6, 0.3),
    "Breathe in.": clip(0.4, 0.2),
}


def script(cues: list[Cue], phases: list[Phase] | None = None, duration: float = 12.0) -> Script:
    return script_of(cues, phases or (), duration=duration, routine_id="r", title="R")


def speech(start: float, text: str, kind: str = "say") -> Cue:
    return Cue(start, start + len(CLIPS[text]) / RATE, kind, text, 0)  # type: ignore[arg-type]


SCRIPT = script(
    [
        Cue(0.0, 0.4, "tone", "step", 0, tone="step"),
        speech(0.7, "Lie on your back."),
        Cue(2.0, 2.4, "tone", "caution", 0, tone="caution"),
        speech(2.7, "Right side first.", "side"),
        speech(4.0001, "Breathe in."),
        speech(6.5, "Now the left side.", "side"),
        speech(8.0, "Lie on your back."),
    ],
    [Phase(4.5, 8.0, "inhale", 0), Phase(9.0, 10.0, "hold", 0), Phase(10.0, 11.5, "exhale", 0)],
)


def test_each_clip_starts_on_the_frame_nearest_its_cue() -> None:
    timeline = place(SCRIPT, CLIPS, RATE)
    mix = timeline.read(0, timeline.frames)[:, 0]
    for cue in SCRIPT.cues:
        if cue.kind == "tone":
            continue
        start = round(cue.start * RATE)
        sound = CLIPS[cue.text]
        assert mix[start - 1] == 0.0
        assert np.array_equal(mix[start : start + len(sound)], sound)


def test_tones_fill_their_cue_spans() -> None:
    timeline = place(SCRIPT, CLIPS, RATE)
    mix = timeline.read(0, timeline.frames)[:, 0]
    step = mix[0 : round(0.4 * RATE)]
    caution = mix[round(2.0 * RATE) : round(2.4 * RATE)]
    assert np.array_equal(step, tones.chime("step", len(step), RATE))
    assert np.array_equal(caution, tones.chime("caution", len(caution), RATE))
    assert np.all(mix[round(0.4 * RATE) : round(0.7 * RATE)] == 0.0)


def test_mono_unless_panning_and_as_long_as_the_script() -> None:
    timeline = place(SCRIPT, CLIPS, RATE)
    assert timeline.channels == 1
    assert timeline.frames == 12 * RATE
    assert timeline.sample_rate == RATE


def test_timeline_holds_every_sound_even_past_the_script_end() -> None:
    short = script([speech(0.5, "Lie on your back.")], duration=1.0)
    timeline = place(short, CLIPS, RATE)
    assert timeline.frames == round(0.5 * RATE) + len(CLIPS["Lie on your back."])


def test_side_cues_go_to_that_ear_when_panning() -> None:
    timeline = place(SCRIPT, CLIPS, RATE, pan_sides=True)
    assert timeline.channels == 2
    mix = timeline.read(0, timeline.frames)

    def span(text: str, at: float) -> np.ndarray:
        start = round(at * RATE)
        return mix[start : start + len(CLIPS[text])]

    right = span("Right side first.", 2.7)
    assert np.all(right[:, 0] < 1e-6) and np.allclose(right[:, 1], CLIPS["Right side first."])
    left = span("Now the left side.", 6.5)
    assert np.all(left[:, 1] < 1e-6) and np.allclose(left[:, 0], CLIPS["Now the left side."])
    centre = span("Lie on your back.", 0.7)
    assert np.allclose(centre[:, 0], centre[:, 1])
    assert np.allclose(centre[:, 0] ** 2 + centre[:, 1] ** 2, CLIPS["Lie on your back."] ** 2)


def test_breath_tones_sound_under_breaths_only() -> None:
    plain = place(SCRIPT, CLIPS, RATE).read(0, 12 * RATE)[:, 0]
    toned = place(SCRIPT, CLIPS, RATE, breath_tones=True).read(0, 12 * RATE)[:, 0]
    added = toned - plain
    inhale = added[round(4.5 * RATE) : 8 * RATE]
    exhale = added[10 * RATE : round(11.5 * RATE)]
    glide = tones.breath_tone("inhale", len(inhale), RATE)
    # Where no speech is mixed in, the difference is exactly the tone.
    assert np.allclose(inhale[-RATE:], glide[-RATE:], atol=1e-6)
    assert np.allclose(exhale, tones.breath_tone("exhale", len(exhale), RATE), atol=1e-6)
    assert np.all(added[: round(4.5 * RATE)] == 0.0)
    assert np.all(added[8 * RATE : 10 * RATE] == 0.0)  # the hold stays silent


@pytest.mark.parametrize(
    ("kind", "text", "pan"),
    [
        ("side", "Right side first.", 1.0),
        ("side", "Now the left side.", -1.0),
        ("side", "Now the upper side.", 0.0),
        ("side", "Left and right together.", 0.0),
        ("say", "Turn your head to the left.", 0.0),
    ],
)
def test_side_pan(kind: str, text: str, pan: float) -> None:
    assert side_pan(Cue(0.0, 1.0, kind, text, 0)) == pan  # type: ignore[arg-type]


@given(starts=st.lists(st.floats(0, 20, allow_nan=False), min_size=1, max_size=20))
def test_placement_frame_is_the_rounded_cue_time(starts: list[float]) -> None:
    cues = sorted((Cue(s, s + 0.5, "say", "Breathe in.", 0) for s in starts), key=lambda c: c.start)
    timeline = place(script(cues, duration=25.0), CLIPS, RATE)
    assert [p.start for p in timeline.placements] == [round(c.start * RATE) for c in cues]
    assert set(timeline.clips) == {"Breathe in."}


# The real voice, through the clip cache.

ROUTINE = """\
id: real
title: Real voice
kind: stretch
steps:
  - say: Lie on your back.
    pause: 1
  - caution: Stop if it hurts.
  - sides: [right, left]
    steps:
      - say: Turn to the {side}.
        hold: 2
  - say: Breathe slowly.
    breathe: {in: 2, out: 2}
"""


@pytest.mark.parametrize("engine", ["pyttsx3", "espeak-ng"])
def test_prepare_places_real_clips_at_their_cues(
    tmp_path: Path, shared_cache_dir: Path, engine: str
) -> None:
    path = tmp_path / "real.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    chosen = RenderOptions(VoiceOptions(engine=engine), pan_sides=True, breath_tones=True)
    timeline = prepare(find_routine(str(path)), chosen, shared_cache_dir)
    assert timeline.sample_rate == SAMPLE_RATE
    assert timeline.channels == 2
    script = timeline.script
    spoken = [cue for cue in script.cues if cue.kind != "tone"]
    by_start = {p.start: p for p in timeline.placements if not p.clip.startswith("\0")}
    for cue in spoken:
        placement = by_start[round(cue.start * SAMPLE_RATE)]
        clip = timeline.clips[placement.clip]
        assert placement.clip == cue.text
        # The compiler timed the cue with this very clip's length.
        assert abs(len(clip) / SAMPLE_RATE - (cue.end - cue.start)) < 1e-9
        # Trimmed: audible (within 50 dB of its peak) from its first 2 ms.
        loud = np.flatnonzero(np.abs(clip) >= np.abs(clip).max() * 10 ** (-50 / 20))
        assert loud[0] <= round(0.002 * SAMPLE_RATE), cue.text
    assert {p.pan for p in timeline.placements if p.clip == "Right side first."} == {1.0}
    breaths = [p for p in timeline.placements if p.clip.startswith("\0breath")]
    assert len(breaths) == sum(1 for ph in script.phases if ph.kind in ("inhale", "exhale"))
