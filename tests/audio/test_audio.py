"""Signal helpers: trimming, loudness, limiting, resampling, PCM and the clip file."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from voiceguide.audio.signal import (
    CLIP_MAGIC,
    ClipFormatError,
    audible_span,
    clip_bytes,
    db_to_gain,
    decode,
    from_pcm16,
    limit,
    loudness_db,
    parse_clip,
    peak,
    read_clip,
    resample,
    speech_onset,
    to_pcm16,
    trim_silence,
    write_clip,
)

RATE = 22050


def tone(freq: float, seconds: float, rate: int, level: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def burst(lead: float, sound: float, tail: float, rate: int = RATE) -> np.ndarray:
    return np.concatenate(
        [
            np.zeros(round(lead * rate), np.float32),
            tone(440, sound, rate),
            np.zeros(round(tail * rate), np.float32),
        ]
    )


# Trimming


def test_trim_starts_within_a_millisecond_of_the_onset() -> None:
    samples = burst(0.3, 0.5, 0.4)
    trimmed = trim_silence(samples, RATE)
    first, last = audible_span(trimmed)
    assert first <= round(0.001 * RATE)
    assert len(trimmed) - last <= round(0.010 * RATE)
    assert len(trimmed) == pytest.approx(0.5 * RATE + 0.011 * RATE, abs=3)


def test_trim_keeps_a_quiet_consonant_before_the_loud_vowel() -> None:
    # A fricative 40 dB below the vowel is still speech and must not be cut off.
    consonant = (db_to_gain(-40) * 0.5 * np.random.default_rng(1).uniform(-1, 1, 2205)).astype(
        np.float32
    )
    samples = np.concatenate([np.zeros(4410, np.float32), consonant, tone(200, 0.3, RATE)])
    trimmed = trim_silence(samples, RATE)
    assert len(trimmed) >= len(consonant) + round(0.3 * RATE)


def noise(seconds: float, db: float, seed: int = 1) -> np.ndarray:
    """A breath or a fricative: white noise peaking ``db`` under the tones' 0.5."""
    rng = np.random.default_rng(seed)
    return (0.5 * db_to_gain(db) * rng.uniform(-1, 1, round(seconds * RATE))).astype(np.float32)


def gap(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), np.float32)


def test_trim_leaves_out_a_faint_breath_set_apart_from_the_word() -> None:
    word = tone(200, 0.3, RATE)
    before = np.concatenate([gap(0.1), noise(0.08, -36), gap(0.03)])
    samples = np.concatenate([before, word, gap(0.1)])
    trimmed = trim_silence(samples, RATE)
    assert speech_onset(samples, RATE) == len(before) + 1  # the tone's first sound
    # The clip is the word: its 1 ms lead (from the gap, silent) and the 10 ms tail.
    assert len(trimmed) == round(0.001 * RATE) + len(word) - 1 + round(0.010 * RATE)
    lead = round(0.001 * RATE)
    assert np.array_equal(trimmed[lead : lead + len(word) - 1], word[1:])


def test_trim_leaves_out_every_breath_but_never_the_last_sound() -> None:
    breaths = [noise(0.05, -40, 1), gap(0.02), noise(0.03, -33, 2), gap(0.04)]
    alone = np.concatenate([gap(0.05), noise(0.05, -36), gap(0.05)])
    assert speech_onset(alone, RATE) == audible_span(alone)[0]
    before = np.concatenate([gap(0.05), *breaths])
    word = np.concatenate([before, tone(300, 0.2, RATE)])
    assert speech_onset(word, RATE) == len(before) + 1


def test_trim_keeps_a_faint_fricative_running_into_the_vowel() -> None:
    # An "h" or "f" as faint as a breath, with no gap before the vowel: it is speech.
    samples = np.concatenate([gap(0.1), noise(0.08, -36), tone(200, 0.3, RATE)])
    assert speech_onset(samples, RATE) == audible_span(samples)[0]
    assert len(trim_silence(samples, RATE)) >= round(0.38 * RATE)


@pytest.mark.parametrize(
    ("db", "seconds"),
    [(-18.0, 0.08), (-36.0, 0.5)],
    ids=["the s of stop, before the silence of its t", "a faint sound as long as a word"],
)
def test_trim_keeps_a_sound_set_apart_that_is_not_a_breath(db: float, seconds: float) -> None:
    samples = np.concatenate([gap(0.1), noise(seconds, db), gap(0.05), tone(200, 0.3, RATE)])
    assert speech_onset(samples, RATE) == audible_span(samples)[0]


def test_trim_leaves_silence_alone() -> None:
    silence = np.zeros(1000, np.float32)
    assert np.array_equal(trim_silence(silence, RATE), silence)
    assert audible_span(silence) == (0, 0)


def test_trim_does_not_change_its_input() -> None:
    samples = burst(0.1, 0.1, 0.1)
    copy = samples.copy()
    trim_silence(samples, RATE)
    assert np.array_equal(samples, copy)


@settings(max_examples=50)
@given(
    lead=st.integers(0, 4000),
    sound=st.integers(50, 4000),
    tail=st.integers(0, 4000),
    level=st.floats(0.01, 1.0),
)
def test_trimmed_clip_starts_at_its_onset_and_keeps_all_sound(
    lead: int, sound: int, tail: int, level: float
) -> None:
    body = (level * np.sin(np.arange(sound) * 0.3 + 0.5)).astype(np.float32)
    body[0] = level  # the onset is this exact sample
    samples = np.concatenate([np.zeros(lead, np.float32), body, np.zeros(tail, np.float32)])
    trimmed = trim_silence(samples, RATE)
    onset = int(np.flatnonzero(np.abs(trimmed) >= level * db_to_gain(-50))[0])
    assert onset == min(lead, round(0.001 * RATE))
    assert len(trimmed) >= sound


# Loudness and limiting


def test_loudness_of_a_full_scale_sine_is_minus_three_db() -> None:
    assert loudness_db(tone(1000, 1.0, RATE, 1.0), RATE) == pytest.approx(-3.01, abs=0.05)


def test_loudness_ignores_pauses() -> None:
    speech = tone(300, 0.5, RATE)
    paused = np.concatenate([speech, np.zeros(RATE, np.float32), speech])
    assert loudness_db(paused, RATE) == pytest.approx(loudness_db(speech, RATE), abs=0.1)


def test_loudness_of_silence_is_minus_infinity() -> None:
    assert loudness_db(np.zeros(100, np.float32), RATE) == -math.inf
    assert loudness_db(np.zeros(0, np.float32), RATE) == -math.inf


def test_limiter_holds_peaks_under_the_ceiling_and_leaves_the_rest() -> None:
    quiet = tone(300, 1.0, RATE, 0.1)
    spike_at = RATE // 2
    quiet[spike_at] = 0.99
    limited = limit(quiet, RATE, -6.0)
    assert peak(limited) <= db_to_gain(-6.0) + 1e-6
    # Far from the spike, nothing changed.
    assert np.array_equal(limited[:1000], quiet[:1000])
    assert np.array_equal(limited[-1000:], quiet[-1000:])


@settings(max_examples=50)
@given(
    hnp.arrays(np.float32, st.integers(1, 3000), elements=st.floats(-4.0, 4.0, width=32)),
    st.floats(-20.0, 0.0),
)
def test_limiter_never_lets_a_sample_past_the_ceiling(samples: np.ndarray, ceiling: float) -> None:
    assert peak(limit(samples, RATE, ceiling)) <= db_to_gain(ceiling) * (1 + 1e-6)


# Resampling


@pytest.mark.parametrize("target", [8000, 16000, 44100, 48000])
def test_resampling_keeps_a_sines_frequency_and_amplitude(target: int) -> None:
    out = resample(tone(1000, 1.0, RATE, 0.5), RATE, target)
    assert len(out) == target
    middle = out[target // 10 : -target // 10]
    assert dominant_frequency(middle, target) == pytest.approx(1000, abs=2)
    assert peak(middle) == pytest.approx(0.5, abs=0.005)


def test_resampling_down_removes_what_the_new_rate_cannot_hold() -> None:
    # 6 kHz cannot exist at 8 kHz: it must be filtered out, not folded to 2 kHz.
    out = resample(tone(6000, 1.0, RATE, 0.5), RATE, 8000)
    assert peak(out[800:-800]) < db_to_gain(-60)


def test_resampling_keeps_the_onset_time() -> None:
    samples = burst(0.25, 0.2, 0.1)
    out = resample(samples, RATE, 48000)
    first, _ = audible_span(out, -40)
    assert first / 48000 == pytest.approx(0.25, abs=0.0005)


def test_resampling_to_the_same_rate_is_a_copy() -> None:
    samples = tone(440, 0.1, RATE)
    out = resample(samples, RATE, RATE)
    assert np.array_equal(out, samples)
    assert out is not samples


@settings(max_examples=30)
@given(
    st.integers(1, 5000),
    st.sampled_from([8000, 11025, 16000, 22050, 24000, 44100, 48000]),
    st.sampled_from([8000, 16000, 22050, 44100, 48000]),
)
def test_resampled_length_follows_the_rates(frames: int, source: int, target: int) -> None:
    out = resample(np.ones(frames, np.float32) * 0.5, source, target)
    assert len(out) == math.ceil(frames * target / source)
    assert out.dtype == np.float32


# PCM, decoding and the clip file


@given(hnp.arrays(np.float32, st.integers(0, 500), elements=st.floats(-1.0, 1.0, width=32)))
def test_pcm16_round_trip_is_within_half_a_step(samples: np.ndarray) -> None:
    back = from_pcm16(to_pcm16(samples))
    assert back.dtype == np.float32
    assert np.all(np.abs(back - samples) <= 0.5 / 32767 + 1e-7)


def test_pcm16_clips_out_of_range_values() -> None:
    assert to_pcm16(np.array([2.0, -2.0], np.float32)).tolist() == [32767, -32768]


def test_decode_reads_a_wav_and_mixes_stereo_to_mono(tmp_path: Path) -> None:
    import soundfile

    stereo = np.stack([tone(440, 0.1, RATE), np.zeros(2205, np.float32)], axis=1)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, stereo, RATE, subtype="FLOAT")
    samples, rate = decode(path)
    assert rate == RATE
    assert np.allclose(samples, stereo[:, 0] / 2, atol=1e-6)
    assert np.allclose(decode(path.read_bytes())[0], samples)


def test_clip_file_round_trip(tmp_path: Path) -> None:
    samples = tone(440, 0.2, 44100)
    path = tmp_path / "a.clip"
    write_clip(path, samples, 44100)
    back, rate = read_clip(path)
    assert rate == 44100
    assert np.array_equal(back, from_pcm16(to_pcm16(samples)))
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_clip_file_holds_an_empty_clip() -> None:
    samples, rate = parse_clip(clip_bytes(np.zeros(0, np.float32), 8000))
    assert len(samples) == 0 and rate == 8000


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:10], "shorter than the header"),
        (lambda data: b"RIFF" + data[4:], "not a clip file"),
        (lambda data: data[:-2], "frames where the header says"),
        (lambda data: data + b"\0\0", "frames where the header says"),
        (lambda data: data[:-2] + bytes([data[-2] ^ 1, data[-1]]), "checksum mismatch"),
    ],
)
def test_a_damaged_clip_file_is_detected(damage: object, message: str) -> None:
    data = clip_bytes(tone(440, 0.05, 8000), 8000)
    assert data.startswith(CLIP_MAGIC)
    with pytest.raises(ClipFormatError, match=message):
        parse_clip(damage(data))  # type: ignore[operator]
