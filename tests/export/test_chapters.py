"""Chapters as players read them: ffprobe (FFmpeg, as mpv and VLC use it) reads every
exported format back; Podcasting 2.0 JSON chapters match the steps."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_timelines import stepped_timeline
from voiceguide.export import chapters
from voiceguide.export.writer import write_routine
from voiceguide.render.timeline import Timeline

LONG_TITLE = "Slide your hips forward, toward the front edge of the seat, and rest your hands"


def many_steps() -> Timeline:
    """Twelve steps, so that a chapter order by name ("step10" before "step2") shows;
    the last one has a title longer than any phone screen."""
    timeline = stepped_timeline(rate=8000, steps=12, sound=0.1, gap=0.2)
    steps = list(timeline.script.steps)
    steps[-1] = dataclasses.replace(steps[-1], title=LONG_TITLE)
    script = dataclasses.replace(timeline.script, steps=tuple(steps))
    return dataclasses.replace(timeline, script=script)


def ffprobe_chapters(path: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[dict[str, Any]] = json.loads(result.stdout)["chapters"]
    return found


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffprobe (apt: ffmpeg)")
@pytest.mark.parametrize("fmt", ["mp3", "ogg", "flac"])
def test_ffprobe_reads_a_chapter_per_step_in_time_order(tmp_path: Path, fmt: str) -> None:
    timeline = many_steps()
    audio = write_routine(timeline, tmp_path, fmt).files[0]  # type: ignore[arg-type]
    found = ffprobe_chapters(audio)
    steps = timeline.script.steps
    assert [c["tags"]["title"] for c in found] == [s.title for s in steps]
    assert found[-1]["tags"]["title"] == LONG_TITLE
    starts = [float(c["start_time"]) for c in found]
    assert starts == pytest.approx([s.start for s in steps], abs=0.001)
    if fmt == "mp3":  # ID3 chapters carry their ends; Vorbis comments only starts
        ends = [float(c["end_time"]) for c in found]
        assert ends == pytest.approx([s.end for s in steps], abs=0.001)


def test_wav_has_no_chapters_but_its_chapters_json_does(tmp_path: Path) -> None:
    timeline = many_steps()
    files = write_routine(timeline, tmp_path, "wav").files
    document = json.loads(files[-1].read_text(encoding="utf-8"))
    assert files[-1].name == "fake.chapters.json"
    assert document == chapters.json_chapters(timeline.script)


def test_json_chapters_follow_the_podcasting_2_0_format() -> None:
    script = many_steps().script
    document = chapters.json_chapters(script)
    assert document["version"] == "1.2.0"
    assert [c["title"] for c in document["chapters"]] == [s.title for s in script.steps]
    assert [c["startTime"] for c in document["chapters"]] == [
        round(s.start, 3) for s in script.steps
    ]
    assert [c["endTime"] for c in document["chapters"]] == [round(s.end, 3) for s in script.steps]
    assert all(isinstance(c["startTime"], float | int) for c in document["chapters"])


def test_vorbis_chapter_comments_are_numbered_from_001_in_time_order() -> None:
    script = stepped_timeline(steps=2).script
    assert chapters.vorbis_comments(script) == {
        "CHAPTER001": "00:00:00.000",
        "CHAPTER001NAME": "Step 1",
        "CHAPTER002": "00:00:00.850",
        "CHAPTER002NAME": "Step 2",
    }


def test_id3_element_ids_sort_in_step_order() -> None:
    ids = [chapters.id3_element_id(i) for i in range(120)]
    assert sorted(ids) == ids
