"""A soundscape under an exported routine, read back from the files: lowered under every
spoken cue and tone, at its level between them, the same bytes on every run, and not a
cue moved; and the same in the Timelines of every built-in routine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from voiceguide.app.export import export_routines
from voiceguide.audio.beds import open_bed
from voiceguide.audio.signal import db_to_gain
from voiceguide.render.assembly import SAMPLE_RATE, prepare_many
from voiceguide.render.bedmix import DUCK_ATTACK, DUCK_RELEASE, FADE_IN, FADE_OUT
from voiceguide.render.options import BedChoice, RenderOptions, VoiceOptions
from voiceguide.routine.library import all_routines, find_routine

LEVEL = -30.0
MARGIN = 9.0  # dB: the bed under words at least this far under its level between them
Spans = list[tuple[int, int]]


def rms_db(samples: npt.NDArray[np.float64]) -> float:
    return float(10 * np.log10(np.mean(samples**2)))


def quiet_between(spans: Spans, frames: int) -> npt.NDArray[np.bool_]:
    """Frames where no curve of the ducking reaches, and neither fade does."""
    free = np.ones(frames, dtype=bool)
    free[: round(FADE_IN * SAMPLE_RATE)] = False
    for first, last in spans:
        free[
            max(first - round(DUCK_ATTACK * SAMPLE_RATE), 0) : last
            + round(DUCK_RELEASE * SAMPLE_RATE)
        ] = False
    return free


def check_ducking(
    bed: npt.NDArray[np.float64], raw: npt.NDArray[np.float64], spans: Spans, end: int
) -> None:
    """``bed`` (the mix less the same mix without the bed) against the bed as it is made
    (``raw``, at its level): the gain in every span, and between them."""
    free = quiet_between(spans, end - round(FADE_OUT * SAMPLE_RATE))
    free = np.concatenate([free, np.zeros(len(bed) - len(free), dtype=bool)])
    between = rms_db(bed[free]) - rms_db(raw[free])
    assert abs(between) < 0.5, between
    for first, last in spans:
        under = rms_db(bed[first:last]) - rms_db(raw[first:last])
        assert under <= between - MARGIN, (first, last, under)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> dict[str, Path]:
    """chair exported without a bed, and twice with the brown noise, into three folders."""
    routine = find_routine("chair")
    voice = VoiceOptions(engine="espeak-ng")
    folders = {}
    for name, bed in (
        ("plain", None),
        ("bed", BedChoice("brown", LEVEL)),
        ("again", BedChoice("brown", LEVEL)),
    ):
        folder = tmp_path_factory.mktemp(name)
        export_routines([routine], folder, RenderOptions(voice=voice, bed=bed), shared_cache_dir)
        folders[name] = folder
    return folders


def test_the_exported_bed_is_ducked_under_every_cue(exported: dict[str, Path]) -> None:
    plain, rate = soundfile.read(exported["plain"] / "chair.wav", dtype="float64")
    mixed, _ = soundfile.read(exported["bed"] / "chair.wav", dtype="float64")
    assert rate == SAMPLE_RATE and len(mixed) > len(plain)
    bed = mixed - np.concatenate([plain, np.zeros(len(mixed) - len(plain))])
    raw = open_bed("brown", rate).read(0, len(mixed)).astype(np.float64) * db_to_gain(LEVEL)
    cues = json.loads((exported["bed"] / "chair.cues.json").read_text())["cues"]
    spans = [(round(c["start"] * rate), round(c["end"] * rate)) for c in cues]
    assert len(spans) > 20 and any(c["kind"] == "tone" for c in cues)
    check_ducking(bed, raw, spans, len(mixed))


def test_the_bed_moves_no_cue_and_gives_the_same_bytes_twice(exported: dict[str, Path]) -> None:
    def cues(folder: str) -> object:
        return json.loads((exported[folder] / "chair.cues.json").read_text())["cues"]

    assert cues("bed") == cues("plain")
    assert (exported["bed"] / "chair.wav").read_bytes() == (
        exported["again"] / "chair.wav"
    ).read_bytes()


def test_every_built_in_routine_has_its_bed_ducked_under_every_sound(
    shared_cache_dir: Path,
) -> None:
    voice = VoiceOptions(engine="espeak-ng")
    routines = all_routines()
    assert len(routines) == 18
    plain = prepare_many(routines, RenderOptions(voice=voice), shared_cache_dir)
    with_bed = prepare_many(
        routines, RenderOptions(voice=voice, bed=BedChoice("waves", LEVEL)), shared_cache_dir
    )
    bed = open_bed("waves", SAMPLE_RATE)
    for without, mixed in zip(plain, with_bed, strict=True):
        assert mixed.placements == without.placements, without.script.routine_id
        frames = mixed.frames
        extra = np.zeros((frames - without.frames, 1), dtype=np.float32)
        alone = (mixed.read(0, frames) - np.concatenate([without.read(0, without.frames), extra]))[
            :, 0
        ]
        raw = bed.read(0, frames).astype(np.float64) * db_to_gain(LEVEL)
        spans = [(p.start, p.start + len(without.clips[p.clip])) for p in without.placements]
        check_ducking(alone.astype(np.float64), raw, spans, frames)


def test_a_routines_own_bed_is_heard_unless_another_or_none_is_chosen(
    tmp_path: Path, shared_cache_dir: Path
) -> None:
    from tests.support.routines import SHORT_ROUTINE, write_file
    from voiceguide.routine.library import load_routine

    routine = load_routine(write_file(tmp_path, "own.yaml", f"bed: drone\n{SHORT_ROUTINE}"))
    voice = VoiceOptions(engine="espeak-ng")

    def exported(bed: BedChoice | None) -> npt.NDArray[np.float64]:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        export_routines([routine], folder, RenderOptions(voice=voice, bed=bed), shared_cache_dir)
        samples, _ = soundfile.read(folder / f"{routine.id}.wav", dtype="float64")
        return np.asarray(samples)

    own = exported(BedChoice(None, LEVEL))  # nothing chosen on the command line or config
    drone = exported(BedChoice("drone", LEVEL))
    brown = exported(BedChoice("brown", LEVEL))
    silent = exported(None)  # --bed none
    assert np.array_equal(own, drone)
    assert len(brown) == len(own) and not np.array_equal(brown, own)
    assert len(silent) < len(own)
