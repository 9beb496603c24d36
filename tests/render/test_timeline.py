"""The Timeline: reading in any pieces gives the same mix; panning keeps loudness."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.records import script_of
from voiceguide.render.timeline import Placement, Timeline
from voiceguide.script.records import Script

RATE = 8000


def empty_script(duration: float) -> Script:
    return script_of(steps=(), duration=duration, routine_id="t", title="T")


def make_timeline(
    placements: list[Placement], clips: dict[str, np.ndarray], frames: int, channels: int = 1
) -> Timeline:
    return Timeline(
        script=empty_script(frames / RATE),
        sample_rate=RATE,
        channels=channels,
        frames=frames,
        placements=tuple(placements),
        clips=clips,
    )


def ramp(length: int, level: float = 0.1) -> np.ndarray:
    return (np.arange(1, length + 1, dtype=np.float32) / length * level).astype(np.float32)


CLIPS = {"a": ramp(300), "b": ramp(1200, 0.2), "c": np.full(50, 0.05, dtype=np.float32)}


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    frames = draw(st.integers(1, 5000))
    count = draw(st.integers(0, 12))
    placements = sorted(
        (
            Placement(
                start=draw(st.integers(0, frames)),
                clip=draw(st.sampled_from(sorted(CLIPS))),
                pan=draw(st.floats(-1, 1)),
                gain=draw(st.floats(0.1, 1.5)),
            )
            for _ in range(count)
        ),
        key=lambda p: p.start,
    )
    return make_timeline(placements, CLIPS, frames, channels=draw(st.sampled_from([1, 2])))


@settings(max_examples=200)
@given(timeline=timelines(), size=st.integers(1, 700))
def test_blocks_equal_one_big_read(timeline: Timeline, size: int) -> None:
    whole = timeline.read(0, timeline.frames)
    pieces = list(timeline.blocks(size))
    assert all(len(p) == size for p in pieces[:-1])
    joined = np.concatenate(pieces)
    assert joined.shape == (timeline.frames, timeline.channels)
    assert np.array_equal(joined, whole)


@given(timeline=timelines(), start=st.integers(0, 6000), count=st.integers(0, 900))
def test_any_window_is_the_slice_of_the_whole(timeline: Timeline, start: int, count: int) -> None:
    whole = timeline.read(0, start + count)
    assert np.array_equal(timeline.read(start, count), whole[start : start + count])


def test_clip_sounds_exactly_at_its_start() -> None:
    timeline = make_timeline([Placement(100, "a")], CLIPS, 1000)
    out = timeline.read(0, 1000)[:, 0]
    assert np.all(out[:100] == 0)
    assert np.array_equal(out[100:400], CLIPS["a"])
    assert np.all(out[400:] == 0)


def test_overlapping_clips_add_and_clip_to_full_scale() -> None:
    loud = {"x": np.full(10, 0.7, dtype=np.float32)}
    timeline = make_timeline([Placement(0, "x"), Placement(5, "x")], loud, 20)
    out = timeline.read(0, 20)[:, 0]
    assert np.allclose(out[:5], 0.7)
    assert np.all(out[5:10] == 1.0)
    assert np.allclose(out[10:15], 0.7)


def test_reading_past_the_end_is_silence() -> None:
    timeline = make_timeline([Placement(0, "c")], CLIPS, 50)
    assert np.all(timeline.read(50, 100) == 0)
    assert sum(len(b) for b in timeline.blocks(16)) == 50


@pytest.mark.parametrize(
    ("pan", "left", "right"),
    [(-1.0, 1.0, 0.0), (1.0, 0.0, 1.0), (0.0, np.sqrt(0.5), np.sqrt(0.5))],
)
def test_pan_sends_the_clip_to_that_ear(pan: float, left: float, right: float) -> None:
    clip = {"x": np.full(4, 0.5, dtype=np.float32)}
    timeline = make_timeline([Placement(0, "x", pan=pan)], clip, 4, channels=2)
    out = timeline.read(0, 4)
    assert np.allclose(out[:, 0], 0.5 * left, atol=1e-7)
    assert np.allclose(out[:, 1], 0.5 * right, atol=1e-7)


@given(pan=st.floats(-1, 1))
def test_panning_keeps_the_power(pan: float) -> None:
    clip = {"x": np.full(4, 0.5, dtype=np.float32)}
    timeline = make_timeline([Placement(0, "x", pan=pan)], clip, 4, channels=2)
    out = timeline.read(0, 1)[0]
    assert np.isclose(out[0] ** 2 + out[1] ** 2, 0.25, rtol=1e-5)


def test_gain_scales_the_clip() -> None:
    timeline = make_timeline([Placement(0, "c", gain=0.5)], CLIPS, 50)
    assert np.allclose(timeline.read(0, 50)[:, 0], 0.025)


def test_placements_must_be_sorted_and_name_given_clips() -> None:
    with pytest.raises(ValueError, match="sorted"):
        make_timeline([Placement(10, "a"), Placement(0, "a")], CLIPS, 100)
    with pytest.raises(ValueError, match="missing"):
        make_timeline([Placement(0, "missing")], CLIPS, 100)


def test_frame_at_rounds_to_the_nearest_frame() -> None:
    timeline = make_timeline([], CLIPS, RATE)
    assert timeline.frame_at(0.5) == RATE // 2
    assert timeline.frame_at(1 / RATE * 2.6) == 3
    assert timeline.duration == 1.0
