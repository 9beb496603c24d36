"""Tones: pitch, length, a smooth envelope, and told apart from each other."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voiceguide.audio import tones

RATE = 22050


def dominant_frequency(samples: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / sample_rate)[np.argmax(spectrum)])


def envelope(samples: np.ndarray, sample_rate: int, window: float = 0.01) -> np.ndarray:
    size = round(window * sample_rate)
    usable = len(samples) // size * size
    level: np.ndarray = np.sqrt(np.mean(samples[:usable].reshape(-1, size) ** 2, axis=1))
    return level


@pytest.mark.parametrize(
    ("kind", "pitch"), [("step", tones.STEP_PITCH), ("caution", tones.CAUTION_PITCH)]
)
def test_chime_sounds_at_its_pitch(kind: str, pitch: float) -> None:
    tone = tones.chime(kind, round(0.6 * RATE), RATE)  # type: ignore[arg-type]
    assert tone.dtype == np.float32
    assert abs(dominant_frequency(tone, RATE) - pitch) < 5


@given(
    kind=st.sampled_from(["step", "caution"]),
    frames=st.integers(0, 3 * RATE),
    rate=st.sampled_from([16000, 22050, 44100, 48000]),
)
def test_chime_fills_its_frames_and_ends_silent(kind: str, frames: int, rate: int) -> None:
    tone = tones.chime(kind, frames, rate)  # type: ignore[arg-type]
    assert len(tone) == frames
    assert np.all(np.isfinite(tone))
    if frames:
        assert np.max(np.abs(tone)) <= tones.CHIME_LEVEL + 1e-6
        assert tone[0] == 0.0
        assert abs(tone[-1]) < 1e-6


def test_chime_has_no_click() -> None:
    """No jump between neighbouring samples larger than a sine at its pitch makes."""
    tone = tones.chime("step", RATE, RATE)
    limit = tones.CHIME_LEVEL * 2 * np.pi * tones.STEP_PITCH * 5.4 / RATE
    assert np.max(np.abs(np.diff(tone))) < limit
    assert np.max(np.abs(tone[: round(0.001 * RATE)])) < 0.5 * tones.CHIME_LEVEL


def test_step_chime_strikes_once_and_decays() -> None:
    level = envelope(tones.chime("step", RATE, RATE), RATE)
    peak = int(np.argmax(level))
    assert peak < 5  # loudest within the first 50 ms: struck, not swelled
    assert level[-10] < 0.2 * level[peak]
    assert np.all(np.diff(level[peak + 1 :]) <= 1e-4)  # only ever fading after the strike


def test_caution_chime_strikes_twice() -> None:
    level = envelope(tones.chime("caution", RATE, RATE), RATE)
    second = round(tones.CAUTION_GAP * 100)
    assert level[second + 1] > 1.5 * level[second - 2]  # a fresh strike, not a decay
    assert level[second + 1] > 0.5 * level[0:3].max()


def test_caution_and_step_chimes_differ_in_pitch() -> None:
    step = dominant_frequency(tones.chime("step", RATE, RATE), RATE)
    caution = dominant_frequency(tones.chime("caution", RATE, RATE), RATE)
    assert step / caution > 1.3


def zero_crossing_rate(samples: np.ndarray, sample_rate: int) -> float:
    crossings = np.count_nonzero(np.diff(np.signbit(samples)))
    return crossings / 2 / (len(samples) / sample_rate)


@pytest.mark.parametrize("kind", ["inhale", "exhale"])
def test_breath_tone_glides_the_right_way(kind: str) -> None:
    frames = 4 * RATE
    tone = tones.breath_tone(kind, frames, RATE)  # type: ignore[arg-type]
    assert len(tone) == frames
    # Pure fundamentals at the ends: the second harmonic adds no crossings of its own
    # at a quarter of the fundamental's level.
    first = zero_crossing_rate(tone[RATE // 2 : RATE], RATE)
    last = zero_crossing_rate(tone[-RATE : -RATE // 2], RATE)
    if kind == "inhale":
        assert tones.BREATH_LOW * 0.95 < first < last < tones.BREATH_HIGH * 1.05
    else:
        assert tones.BREATH_HIGH * 1.05 > first > last > tones.BREATH_LOW * 0.95


@given(kind=st.sampled_from(["inhale", "exhale"]), frames=st.integers(0, 2 * RATE))
def test_breath_tone_is_quiet_and_starts_and_ends_at_zero(kind: str, frames: int) -> None:
    tone = tones.breath_tone(kind, frames, RATE)  # type: ignore[arg-type]
    assert len(tone) == frames
    if frames:
        assert np.max(np.abs(tone)) <= tones.BREATH_LEVEL + 1e-6
        assert tone[0] == 0.0
    if frames > 1:
        # Swells in and out: the edges are far quieter than the middle.
        assert abs(tone[-1]) < 0.05 * tones.BREATH_LEVEL


def test_breath_tone_swells_smoothly() -> None:
    level = envelope(tones.breath_tone("inhale", 3 * RATE, RATE), RATE, window=0.05)
    fade_windows = round(tones.BREATH_FADE / 0.05)
    assert np.all(np.diff(level[:fade_windows]) > 0)
    assert np.all(np.diff(level[-fade_windows:]) < 0)


def test_a_tone_is_made_once_and_cannot_be_changed() -> None:
    tone = tones.chime("caution", RATE // 2, RATE)
    assert tones.chime("caution", RATE // 2, RATE) is tone
    assert tones.breath_tone("inhale", RATE, RATE) is tones.breath_tone("inhale", RATE, RATE)
    with pytest.raises(ValueError, match="read-only"):
        tone[0] = 1.0
