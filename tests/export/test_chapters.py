"""Chapters as players read them: ffprobe (FFmpeg, as mpv and VLC use it) and mutagen read
every exported format back, for every built-in routine spoken by the real voice and for
titles of any length; Podcasting 2.0 JSON chapters match the steps."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import mutagen
import mutagen.id3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.fake_timelines import stepped_timeline
from voiceguide.app.export import export_routines
from voiceguide.export import chapters
from voiceguide.export.writer import ExportedRoutine, Format, write_routine
from voiceguide.paths import builtin_routines_dir
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import find_routine

BUILT_IN = sorted(path.stem for path in builtin_routines_dir().glob("*.yaml"))
CHAPTERED: list[Format] = ["mp3", "ogg", "flac"]
# The voice the other export tests use, so the session's clip cache serves them all.
PYTTSX3 = RenderOptions(VoiceOptions(engine="pyttsx3"))
NEEDS_FFPROBE = pytest.mark.skipif(
    shutil.which("ffprobe") is None, reason="needs ffprobe (apt: ffmpeg)"
)
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


def mutagen_chapters(path: Path) -> list[tuple[float, str]]:
    """(start, title) of each chapter in the order a player that reads the tags meets
    them: the ``CHAP`` frames as stored (checked against the ``CTOC`` list), or the
    ``CHAPTERnnn`` comments by number."""
    if path.suffix == ".mp3":
        id3: Any = mutagen.id3  # mutagen's functions carry no type annotations
        tags = id3.ID3(path)
        frames = tags.getall("CHAP")  # in the order they are stored in the file
        (toc,) = tags.getall("CTOC")
        assert toc.child_element_ids == [frame.element_id for frame in frames]
        return [(frame.start_time / 1000, frame.sub_frames["TIT2"].text[0]) for frame in frames]
    comments = mutagen.File(path).tags
    found = []
    for number in range(1, chapters.MAX_VORBIS_CHAPTERS + 1):
        if f"CHAPTER{number:03d}" not in comments:
            break
        hours, minutes, seconds = comments[f"CHAPTER{number:03d}"][0].split(":")
        start = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        found.append((start, comments[f"CHAPTER{number:03d}NAME"][0]))
    return found


def assert_chapters_are_the_steps(audio: Path, steps: list[tuple[float, str]]) -> None:
    """ffprobe and mutagen both read ``steps`` (start, title) from ``audio``, in time order."""
    starts = [start for start, _ in steps]
    assert starts == sorted(starts)
    probed = ffprobe_chapters(audio)
    assert [c["tags"]["title"] for c in probed] == [title for _, title in steps]
    assert [float(c["start_time"]) for c in probed] == pytest.approx(starts, abs=0.001)
    tagged = mutagen_chapters(audio)
    assert [title for _, title in tagged] == [title for _, title in steps]
    assert [start for start, _ in tagged] == pytest.approx(starts, abs=0.001)


@pytest.fixture(scope="module", params=CHAPTERED)
def every_routine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    shared_cache_dir: Path,
) -> dict[str, ExportedRoutine]:
    """Every built-in routine exported in one format, as ``export --all`` does it."""
    fmt: Format = request.param
    out = tmp_path_factory.mktemp(f"all-{fmt}")
    done = export_routines(
        [find_routine(routine_id) for routine_id in BUILT_IN],
        out,
        PYTTSX3,
        shared_cache_dir,
        fmt=fmt,
    )
    return {item.routine_id: item for item in done}


@NEEDS_FFPROBE
@pytest.mark.parametrize("routine_id", BUILT_IN)
def test_every_built_in_routine_has_its_steps_as_chapters_in_time_order(
    every_routine: dict[str, ExportedRoutine], routine_id: str
) -> None:
    # Real titles differ in length: a writer that orders chapters by anything but time
    # shows it here, where the fixtures' "Step N" titles hid it.
    exported = every_routine[routine_id]
    audio = exported.audio_files[0]
    cue_list = json.loads(audio.with_name(f"{routine_id}.cues.json").read_text(encoding="utf-8"))
    steps = [(step["start"], step["title"]) for step in cue_list["steps"]]
    assert len(steps) >= 3  # the opening, at least one step, the closing
    assert_chapters_are_the_steps(audio, steps)


@NEEDS_FFPROBE
@settings(max_examples=25)
@given(
    fmt=st.sampled_from(CHAPTERED),
    titles=st.lists(
        # Printable text of any length: a title is one line, with no control characters,
        # and none of the two noncharacters a YAML file cannot hold (U+FFFE, U+FFFF:
        # FFmpeg reads them back as U+FFFD).
        st.text(
            st.characters(
                blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"
            ),
            min_size=1,
        )
        .map(str.strip)
        .filter(bool),
        min_size=2,
        max_size=15,
    ),
)
def test_chapters_keep_time_order_whatever_the_titles(fmt: Format, titles: list[str]) -> None:
    timeline = stepped_timeline(rate=8000, steps=len(titles), sound=0.05, gap=0.05)
    steps = tuple(
        dataclasses.replace(step, title=title)
        for step, title in zip(timeline.script.steps, titles, strict=True)
    )
    timeline = dataclasses.replace(
        timeline, script=dataclasses.replace(timeline.script, steps=steps)
    )
    with tempfile.TemporaryDirectory() as folder:
        audio = write_routine(timeline, Path(folder), fmt).audio_files[0]
        assert_chapters_are_the_steps(audio, [(step.start, step.title) for step in steps])


@NEEDS_FFPROBE
@pytest.mark.parametrize("fmt", CHAPTERED)
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
