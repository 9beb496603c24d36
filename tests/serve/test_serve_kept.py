"""The files serve keeps in the cache, keyed by their content: served again unchanged,
nothing is written; changed, a new folder; damaged or half-written, made again."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.render.test_timeline import CLIPS, RATE, make_timeline
from tests.support.routines import sided_routine_file
from voiceguide import writing
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import load_routine
from voiceguide.routine.records import Routine
from voiceguide.serve.kept import KEPT_FOLDER, clear_kept, kept_info, kept_routines

OPTIONS = RenderOptions(VoiceOptions(engine="espeak-ng"))


@pytest.fixture
def routines(tmp_path: Path) -> list[Routine]:
    return [load_routine(sided_routine_file(tmp_path, name)) for name in ("one", "two")]


def inodes(paths: tuple[Path, ...]) -> list[int]:
    return [path.stat().st_ino for path in paths]


def test_serving_again_unchanged_writes_nothing(routines: list[Routine], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = kept_routines(routines, OPTIONS, cache, "mp3")
    assert [item.routine_id for item in first] == ["one", "two"]
    for item in first:
        assert item.files[0].parent.parent == cache / KEPT_FOLDER
        assert [path.name for path in item.files] == [
            f"{item.routine_id}{end}"
            for end in (".mp3", ".cues.json", ".lrc", ".vtt", ".chapters.json")
        ]
        assert item.files[0].stat().st_size > 1000
    reported: list[str] = []
    again = kept_routines(routines, OPTIONS, cache, "mp3", lambda what, *_: reported.append(what))
    assert [item.files for item in again] == [item.files for item in first]
    assert [inodes(item.files) for item in again] == [inodes(item.files) for item in first]
    assert not any(what.startswith("Writing") for what in reported)
    assert kept_info(cache).routines == 2


def test_a_change_of_timing_voice_or_format_is_a_new_folder(
    routines: list[Routine], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    base = kept_routines(routines[:1], OPTIONS, cache, "mp3")[0].files[0].parent
    slower = RenderOptions(VoiceOptions(engine="espeak-ng"), pace=2.0)
    folders = {
        base,
        kept_routines(routines[:1], slower, cache, "mp3")[0].files[0].parent,
        kept_routines(routines[:1], OPTIONS, cache, "ogg")[0].files[0].parent,
        kept_routines(
            routines[:1], RenderOptions(VoiceOptions(engine="espeak-ng", rate=200)), cache, "mp3"
        )[0]
        .files[0]
        .parent,
    }
    assert len(folders) == 4
    assert kept_info(cache).routines == 4


def test_a_damaged_or_half_written_folder_is_made_again(
    routines: list[Routine], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    (item,) = kept_routines(routines[:1], OPTIONS, cache, "mp3")
    audio = item.files[0].read_bytes()
    item.files[3].unlink()  # a file removed by hand
    # What a run killed while writing left: a temporary folder of a process now gone.
    stale = writing.create_folder(cache / KEPT_FOLDER / "x")
    stale.rename(stale.with_name(stale.name.replace(f".{os.getpid()}-", ".999999999-")))
    (again,) = kept_routines(routines[:1], OPTIONS, cache, "mp3")
    assert again.files == item.files
    assert all(path.is_file() for path in again.files)
    assert again.files[0].read_bytes() == audio
    assert [p.name for p in (cache / KEPT_FOLDER).iterdir()] == [item.files[0].parent.name]


def test_clearing_removes_every_kept_file(routines: list[Routine], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kept_routines(routines, OPTIONS, cache, "mp3")
    before = kept_info(cache)
    assert before.routines == 2 and before.size > 0
    assert clear_kept(cache) == before
    assert kept_info(cache).routines == 0
    assert not (cache / KEPT_FOLDER).exists()
    shutil.rmtree(cache)
    assert clear_kept(cache).routines == 0  # nothing there: nothing to do


def test_the_kept_files_of_a_routine_are_told_apart_by_their_soundscape(tmp_path: Path) -> None:
    from voiceguide.render.bedmix import BedMix
    from voiceguide.render.timeline import Placement
    from voiceguide.serve.kept import digest

    plain = make_timeline([Placement(100, "a")], CLIPS, 4000)

    def under(source: str, level: float = -36.0) -> str:
        bed = BedMix.open(source, level, plain.sample_rate)
        return digest(dataclasses.replace(plain, bed=bed), "mp3")

    sound = tmp_path / "rain.wav"
    soundfile.write(sound, np.sin(np.arange(RATE * 2) / 7.0) * 0.3, RATE)
    before = under(str(sound))
    soundfile.write(sound, np.sin(np.arange(RATE * 2) / 5.0) * 0.3, RATE)
    os.utime(sound, ns=(1, 1))  # a changed file, even with an older time
    found = [digest(plain, "mp3"), under("brown"), under("waves"), under("brown", -40.0)]
    found += [before, under(str(sound))]
    assert len(set(found)) == len(found)
    assert under("waves") == under("waves")
