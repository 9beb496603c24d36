"""The export stage: a Timeline written to files, read back and checked; interruptions and
full disks leave nothing partial. The export use case is tested in tests/app/."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import mutagen
import numpy as np
import pytest
import soundfile

from tests.support.file_size_limit import call_with_file_size_limit
from tests.support.records import script_of
from tests.support.writing import interrupt_after, leftovers
from voiceguide.audio.signal import to_pcm16
from voiceguide.errors import ExportError
from voiceguide.export import writer as export
from voiceguide.export.writer import output_files, write_routine
from voiceguide.render.assembly import place
from voiceguide.render.timeline import Timeline
from voiceguide.script.records import Cue, Phase, Script, StepSpan

RATE = 22050
FORMATS = ["wav", "flac", "ogg", "mp3"]
SUBTYPES = {"wav": "PCM_16", "flac": "PCM_16", "ogg": "VORBIS", "mp3": "MPEG_LAYER_III"}


def burst(seconds: float, pitch: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)


TEXTS = {
    "One.": burst(0.5, 300),
    "Two & <three>.": burst(0.7, 450),
    "Now the left side.": burst(0.4, 600),
}


def fake_script(routine_id: str = "fake", duration: float = 9.0) -> Script:
    cues = (
        Cue(0.0, 0.4, "tone", "step", 0, tone="step"),
        Cue(0.7, 1.2, "say", "One.", 0),
        Cue(3.0, 3.7, "say", "Two & <three>.", 1),
        Cue(5.0, 5.4, "side", "Now the left side.", 2),
        Cue(6.5, 7.0, "say", "One.", 2),
    )
    steps = (
        StepSpan(0, 0.0, 2.5, "Opening"),
        StepSpan(1, 2.5, 4.5, "Middle"),
        StepSpan(2, 4.5, duration, "Left side"),
    )
    phases = (Phase(1.2, 3.0, "pause", 0), Phase(7.0, 8.5, "exhale", 2))
    return script_of(cues, phases, steps, duration=duration, routine_id=routine_id)


def fake_timeline(routine_id: str = "fake", pan_sides: bool = False) -> Timeline:
    return place(fake_script(routine_id), TEXTS, RATE, pan_sides=pan_sides, breath_tones=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_as_the_timeline(tmp_path: Path, fmt: export.Format) -> None:
    timeline = fake_timeline()
    result = write_routine(timeline, tmp_path, fmt)
    assert result.files == output_files("fake", tmp_path, fmt)
    assert leftovers(tmp_path) == sorted(p.name for p in result.files)
    audio = result.files[0]
    info = soundfile.info(audio)
    assert info.format == export.FORMATS[fmt][0]
    assert info.subtype == SUBTYPES[fmt]
    assert info.samplerate == RATE
    assert info.channels == 1
    data, _ = soundfile.read(audio, dtype="float32", always_2d=True)
    assert len(data) == timeline.frames
    expected = np.concatenate(list(timeline.blocks()))
    # Lossy formats keep the shape of the sound: loud where the timeline is loud.
    for cue in timeline.script.cues:
        start = round(cue.start * RATE)
        window = slice(start, start + round(0.1 * RATE))
        assert np.sqrt(np.mean(data[window] ** 2)) > 0.3 * np.sqrt(np.mean(expected[window] ** 2))
    silent = slice(round(1.5 * RATE), round(2.5 * RATE))
    assert np.max(np.abs(data[silent])) < 0.01


def test_files_get_the_permissions_the_umask_gives(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        result = write_routine(fake_timeline(), tmp_path, "flac")
    finally:
        os.umask(umask)
    assert {path.stat().st_mode & 0o777 for path in result.files} == {0o644}


def test_wav_holds_exactly_the_timeline_blocks(tmp_path: Path) -> None:
    timeline = fake_timeline(pan_sides=True)
    audio = write_routine(timeline, tmp_path, "wav").files[0]
    written, _ = soundfile.read(audio, dtype="int16", always_2d=True)
    blocks = np.concatenate(list(timeline.blocks(1000)))
    assert np.array_equal(written, to_pcm16(blocks))
    assert written.shape == (timeline.frames, 2)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
def test_tags_in_wav_flac_and_ogg(tmp_path: Path, fmt: export.Format) -> None:
    audio = write_routine(fake_timeline(), tmp_path, fmt, track=(2, 3)).files[0]
    with soundfile.SoundFile(audio) as f:
        assert f.title == "A fake routine"
        assert f.artist == "voiceguide"
        assert f.album == "voiceguide"
        assert f.tracknumber == "2"


def test_mp3_has_tags_and_a_chapter_per_step(tmp_path: Path) -> None:
    timeline = fake_timeline()
    audio = write_routine(timeline, tmp_path, "mp3", track=(1, 2)).files[0]
    tags = mutagen.File(audio).tags
    assert str(tags["TIT2"]) == "A fake routine"
    assert str(tags["TPE1"]) == "voiceguide"
    assert str(tags["TRCK"]) == "1/2"
    assert tags.version[:2] == (2, 3)
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    steps = timeline.script.steps
    assert len(chapters) == len(steps)
    for chapter, step in zip(chapters, steps, strict=True):
        assert chapter.start_time == round(step.start * 1000)
        assert chapter.end_time == round(step.end * 1000)
        assert str(chapter.sub_frames["TIT2"]) == step.title
    (toc,) = tags.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]
    assert soundfile.info(audio).frames == timeline.frames


def test_cues_json_is_the_script_with_its_sample_rate(tmp_path: Path) -> None:
    timeline = fake_timeline()
    cues_file = write_routine(timeline, tmp_path, "wav").files[1]
    document = json.loads(cues_file.read_text(encoding="utf-8"))
    assert document == {**timeline.script.to_json(), "sample_rate": RATE}


def test_lrc_and_vtt_carry_the_spoken_cues(tmp_path: Path) -> None:
    _, _, lrc, vtt, _ = write_routine(fake_timeline(), tmp_path, "wav").files
    assert lrc.read_text(encoding="utf-8").splitlines() == [
        "[ti:A fake routine]",
        "[ar:voiceguide]",
        "[length:00:09]",
        "[00:00.70]One.",
        "[00:03.00]Two & <three>.",
        "[00:05.00]Now the left side.",
        "[00:06.50]One.",
    ]
    assert vtt.read_text(encoding="utf-8") == (
        "WEBVTT\n\n"
        "1\n00:00:00.700 --> 00:00:01.200\nOne.\n\n"
        "2\n00:00:03.000 --> 00:00:03.700\nTwo &amp; &lt;three&gt;.\n\n"
        "3\n00:00:05.000 --> 00:00:05.400\nNow the left side.\n\n"
        "4\n00:00:06.500 --> 00:00:07.000\nOne.\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_interrupted_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: export.Format
) -> None:
    monkeypatch.setattr(Timeline, "blocks", interrupt_after(3))
    with pytest.raises(KeyboardInterrupt):
        write_routine(fake_timeline(), tmp_path, fmt)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_write_is_an_os_error_and_leaves_nothing(tmp_path: Path, fmt: export.Format) -> None:
    """Writes past 8 kB fail with EFBIG, as they would with ENOSPC on a full disk."""
    long_script = fake_script(duration=120.0)
    timeline = place(long_script, TEXTS, RATE)
    with pytest.raises(OSError) as caught:
        call_with_file_size_limit(8_000, lambda: write_routine(timeline, tmp_path, fmt))
    assert caught.value.errno == errno.EFBIG
    assert leftovers(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_not_replaced_without_force(tmp_path: Path) -> None:
    # Another export into the same folder wrote one of the names while this one rendered.
    timeline = fake_timeline()
    original = export._write_audio

    def other_export_wins(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        (tmp_path / "fake.lrc").write_text("the other export's")
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "_write_audio", other_export_wins)
        with pytest.raises(ExportError) as caught:
            write_routine(timeline, tmp_path, "wav")
    assert str(caught.value) == (
        f"{tmp_path / 'fake.lrc'} appeared while exporting (another export into this folder?);"
        " add --force to replace it"
    )
    assert leftovers(tmp_path) == ["fake.lrc"]  # the other export's file, and nothing of ours
    assert (tmp_path / "fake.lrc").read_text() == "the other export's"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "_write_audio", other_export_wins)
        write_routine(timeline, tmp_path, "wav", replace=True)
    assert leftovers(tmp_path) == [
        "fake.chapters.json",
        "fake.cues.json",
        "fake.lrc",
        "fake.vtt",
        "fake.wav",
    ]
