"""Exported sessions read back and measured by two independent BS.1770 meters (pyloudnorm
and FFmpeg's ebur128 filter): both agree, and both find the session at its loudness
target with no true peak over the ceiling, with and without a soundscape."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile

from voiceguide.app.export import export_routines
from voiceguide.audio.loudness import SESSION_CEILING_DB, SESSION_LOUDNESS
from voiceguide.render.options import BED_LEVEL_RANGE, BedChoice, RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine

ROUTINES = ("chair", "floor-option1", "upper-back-stretch", "gentle-floor-session")
TARGET_TOLERANCE = 0.5  # LU: EBU R 128's tolerance for a programme normalised in advance
METERS_AGREE = 0.5  # LU
LOUDEST_BED = BED_LEVEL_RANGE[1]


def ebur128(path: Path) -> tuple[float, float]:
    """FFmpeg's integrated loudness (LUFS) and true peak (dBTP) of the file."""
    run = subprocess.run(
        [
            *("ffmpeg", "-nostats", "-hide_banner", "-i", str(path)),
            *("-filter_complex", "ebur128=peak=true", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = run.stderr[run.stderr.rindex("Summary:") :]
    loudness = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert loudness and peak, summary
    return float(loudness[1]), float(peak[1])


@pytest.mark.parametrize(
    "bed",
    [None, BedChoice("brown"), BedChoice("waves"), BedChoice("drone", LOUDEST_BED)],
    ids=["no-bed", "brown", "waves", "drone-loudest"],
)
def test_exported_sessions_are_at_the_target_by_two_meters(
    tmp_path: Path, shared_cache_dir: Path, bed: BedChoice | None
) -> None:
    routines = [find_routine(name) for name in ROUTINES]
    options = RenderOptions(voice=VoiceOptions(engine="espeak-ng"), bed=bed)
    export_routines(routines, tmp_path, options, shared_cache_dir)
    for name in ROUTINES:
        path = tmp_path / f"{name}.wav"
        samples, rate = soundfile.read(path, dtype="float64")
        ours = pyloudnorm.Meter(rate).integrated_loudness(samples)
        theirs, true_peak = ebur128(path)
        assert abs(ours - theirs) <= METERS_AGREE, (name, ours, theirs)
        for measured in (ours, theirs):
            assert abs(measured - SESSION_LOUDNESS) <= TARGET_TOLERANCE, (name, measured)
        assert true_peak <= SESSION_CEILING_DB, (name, true_peak)
        assert np.max(np.abs(samples)) <= 10 ** (SESSION_CEILING_DB / 20), name
