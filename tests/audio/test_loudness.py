"""BS.1770 loudness of a clip, its true peak, and the levelling every clip goes through."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from voiceguide.audio.loudness import (
    CLIP_LOUDNESS,
    VOICE_CEILING_DB,
    TruePeaks,
    clip_loudness,
    level_clip,
    peak_envelope,
    true_peak_db,
)
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import limit, peak

RATE = 22050


def sine(freq: float, seconds: float, amplitude: float = 0.5, phase: float = 0.0) -> Samples:
    """Faded in and out over 10 ms: an abrupt edge would ring between samples."""
    t = np.arange(round(seconds * RATE)) / RATE
    fade = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
    wave: Samples = (amplitude * fade * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)
    return wave


def test_a_long_phrase_measures_as_pyloudnorm_measures_it() -> None:
    phrase = sine(997, 5.0, 0.3)
    padded = np.concatenate([np.zeros(round(0.3 * RATE)), phrase, np.zeros(round(0.3 * RATE))])
    assert clip_loudness(phrase, RATE) == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(padded), abs=1e-6
    )


def test_a_word_shorter_than_a_block_is_measured_and_silence_is_minus_infinity() -> None:
    assert math.isfinite(clip_loudness(sine(440, 0.15), RATE))
    assert clip_loudness(np.zeros(RATE, np.float32), RATE) == -math.inf
    assert clip_loudness(np.zeros(0, np.float32), RATE) == -math.inf


def test_the_true_peak_is_found_between_samples() -> None:
    # A quarter of the rate, sampled 45 degrees off its crests: every sample is 3 dB under
    # the crests the converter puts out.
    quarter = sine(RATE / 4, 1.0, 0.5, phase=math.pi / 4)
    assert 20 * math.log10(peak(quarter)) == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.01)
    assert true_peak_db(quarter, RATE) == pytest.approx(20 * math.log10(0.5), abs=0.1)
    assert true_peak_db(np.zeros(10, np.float32), RATE) == -math.inf


def test_levelling_brings_quiet_and_loud_to_the_clip_loudness() -> None:
    for clip in (sine(300, 2.0, 0.01), sine(500, 2.0, 0.05)):
        assert clip_loudness(level_clip(clip, RATE), RATE) == pytest.approx(CLIP_LOUDNESS, abs=0.05)


def test_levelling_holds_the_true_peak_under_the_ceiling() -> None:
    # Loud between its samples: a limiter of the samples alone would let it through.
    crests = sine(RATE / 4, 1.0, 0.05, phase=math.pi / 4)
    crests[RATE // 2 : RATE // 2 + 200] *= 40.0
    levelled = level_clip(crests, RATE)
    assert true_peak_db(levelled, RATE) <= VOICE_CEILING_DB + 0.1
    assert true_peak_db(limit(crests * 8, RATE, VOICE_CEILING_DB), RATE) > VOICE_CEILING_DB + 1.0


def test_levelling_limits_a_spiky_clip_instead_of_clipping() -> None:
    spiky = np.zeros(RATE, np.float32)
    spiky[::500] = 1.0  # tiny loudness, so the gain needed is huge
    assert true_peak_db(level_clip(spiky, RATE), RATE) <= VOICE_CEILING_DB + 0.1


def test_silence_stays_silence() -> None:
    assert not np.any(level_clip(np.zeros(RATE, np.float32), RATE))


@pytest.mark.parametrize("seed", range(4))
def test_the_true_peaks_worked_out_where_they_can_reach_a_level_are_the_envelopes(
    seed: int,
) -> None:
    # Speech-like: bursts of noise and tones at different levels, and a lone spike (the
    # signal whose points between samples rise furthest above the samples).
    rng = np.random.default_rng(seed)
    clip = np.concatenate(
        [
            rng.standard_normal(4000).astype(np.float32) * 0.2,
            sine(300.0, 0.3, 0.7, phase=seed),
            np.zeros(500, np.float32),
            sine(3100.0, 0.2, 0.4),
        ]
    )
    clip[9000 + 37 * seed] = 0.95
    envelope = peak_envelope(clip, RATE)
    peaks = TruePeaks(clip)
    for level in (0.9, 0.5, 0.2):
        found = peaks.reaching(level)
        reaching = envelope >= level
        assert reaching.any()
        np.testing.assert_allclose(found[reaching], envelope[reaching], rtol=1e-5)
        assert np.all(found[~reaching] < level)
    # Scaled by gains as a clip is while it is levelled, it follows them.
    gain = np.float32(1.5)
    limiting = np.linspace(1.0, 0.6, len(clip), dtype=np.float32)
    peaks.scale(gain)
    peaks.scale(limiting)
    scaled = envelope * gain * limiting
    found = peaks.reaching(0.4)
    reaching = scaled >= 0.4
    np.testing.assert_allclose(found[reaching], scaled[reaching], rtol=1e-5)
    assert np.all(found[~reaching] < 0.4)
