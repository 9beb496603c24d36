"""export --split: a track per step; played in order, the tracks are the session."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile

from tests.support.cli import voiceguide
from tests.support.fake_timelines import stepped_timeline
from tests.support.routines import sided_routine_file
from voiceguide.export import split
from voiceguide.export.writer import write_routine
from voiceguide.render.timeline import Timeline


def crossing_timeline() -> Timeline:
    """Four steps, the second starting in the middle of the first step's sound, so that
    a clip rings on across a cut."""
    timeline = stepped_timeline(rate=8000, steps=4, sound=0.25, gap=0.5, lead=0.1)
    steps = list(timeline.script.steps)
    middle = timeline.script.cues[0].start + 0.1
    steps[0] = dataclasses.replace(steps[0], end=middle)
    steps[1] = dataclasses.replace(steps[1], start=middle)
    script = dataclasses.replace(timeline.script, steps=tuple(steps))
    return dataclasses.replace(timeline, script=script)


def whole(timeline: Timeline) -> np.ndarray:
    return timeline.read(0, timeline.frames)


def test_the_tracks_played_in_order_are_the_session_frame_for_frame() -> None:
    timeline = crossing_timeline()
    parts = split.step_timelines(timeline)
    assert len(parts) == len(timeline.script.steps)
    assert sum(p.frames for p in parts) == timeline.frames
    np.testing.assert_array_equal(np.concatenate([whole(p) for p in parts]), whole(timeline))


def test_each_track_has_its_steps_cues_from_its_own_start() -> None:
    timeline = stepped_timeline(rate=8000, steps=3)
    parts = split.step_timelines(timeline)
    for part, step in zip(parts, timeline.script.steps, strict=True):
        assert part.script.title == step.title
        assert part.script.duration == pytest.approx(step.end - step.start)
        original = [c for c in timeline.script.cues if c.step == step.index]
        assert [c.text for c in part.script.cues] == [c.text for c in original]
        assert [c.start for c in part.script.cues] == pytest.approx(
            [c.start - step.start for c in original]
        )
    assert [p.script.routine_id for p in parts] == ["fake-00", "fake-01", "fake-02"]


def test_track_ids_are_step_numbers_that_sort_in_step_order() -> None:
    nine = stepped_timeline(steps=9).script
    assert split.track_id(nine, 3) == "fake-03"
    many = stepped_timeline(steps=121).script  # steps 0 to 120
    assert split.track_id(many, 7) == "fake-007"
    ids = [split.track_id(many, step.index) for step in many.steps]
    assert sorted(ids) == ids


def test_a_split_export_writes_tagged_tracks_and_a_playlist(tmp_path: Path) -> None:
    timeline = stepped_timeline(rate=8000, steps=3)
    result = write_routine(timeline, tmp_path, "mp3", split=True)
    names = [p.name for p in result.files]
    assert names == [
        "fake-00.mp3",
        "fake-01.mp3",
        "fake-02.mp3",
        "fake-00.lrc",
        "fake-01.lrc",
        "fake-02.lrc",
        "fake.cues.json",
        "fake.chapters.json",
        "fake.m3u8",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert [p.name for p in result.audio_files] == names[:3]
    parts = split.step_timelines(timeline)
    for number, (audio, part) in enumerate(zip(result.audio_files, parts, strict=True), 1):
        assert soundfile.info(audio).frames == part.frames
        tags = mutagen.File(audio).tags
        assert str(tags["TIT2"]) == part.script.title
        assert str(tags["TRCK"]) == f"{number}/3"
    lrc = (tmp_path / "fake-01.lrc").read_text(encoding="utf-8").splitlines()
    assert lrc[-1] == "[00:00.10]instruction 2"  # from the track's own start
    assert (tmp_path / "fake.m3u8").read_text(encoding="utf-8").splitlines() == [
        "#EXTM3U",
        "#EXTINF:1,Step 1",
        "fake-00.mp3",
        "#EXTINF:1,Step 2",
        "fake-01.mp3",
        "#EXTINF:1,Step 3",
        "fake-02.mp3",
    ]


def test_export_split_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = str(sided_routine_file(tmp_path, "calm"))
    result = voiceguide("export", path, "--split", "-o", str(out))
    assert result.exit_code == 0, result.output
    printed = [Path(line).name for line in result.stdout.splitlines()]
    assert printed[0] == "calm-00.wav"
    assert printed[-1] == "calm.m3u8"
    tracks = [name for name in printed if name.endswith(".wav")]
    playlist = (out / "calm.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[2::2] == tracks
    # The tracks, one after the other, are the unsplit export's audio, sample for sample.
    single = tmp_path / "single"
    single.mkdir()
    assert voiceguide("export", path, "-o", str(single)).exit_code == 0
    joined = np.concatenate([soundfile.read(out / name, dtype="int16")[0] for name in tracks])
    np.testing.assert_array_equal(joined, soundfile.read(single / "calm.wav", dtype="int16")[0])
    again = voiceguide("export", path, "--split", "-o", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.output and "--force" in again.output
    forced = voiceguide("export", path, "--split", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
