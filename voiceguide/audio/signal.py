"""Signal helpers in NumPy: trimming, loudness, resampling, PCM and the clip file format.

Every function takes and returns mono float32 samples in [-1, 1] (``Samples``) and never
changes its input. The clip cache, rendering and export all use these, so that a clip is
processed the same way wherever it comes from.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from voiceguide import writing
from voiceguide.audio.samples import Samples
from voiceguide.reading import read_file

ONSET_THRESHOLD_DB = -50.0  # relative to the peak: catches the soft start of an "f" or "h"
# A faint sound set apart from the words by a gap is a breath (or a click), not speech: the
# clip starts after it. The quietest sound that leads a word and is set apart from it in the
# built-in routines is the "s" of "stretch" or "stop" (before the silence of the "t"), 12
# to 19 dB under the peak (Piper at 120, 160 and 200 wpm, espeak-ng at 160); a gap of 15
# ms is longer than half a period of the lowest voice, so a word sounding on makes none.
# A faint sound that runs into the word is kept: it cannot be told from a soft "h" or "f"
# by its level.
BREATH_LEVEL_DB = -30.0  # relative to the peak: a breath is no louder
BREATH_GAP = 0.015  # seconds under the onset threshold after it, at least
BREATH_LONGEST = 0.4  # seconds: a longer sound is left alone, as it may be a word
LEAD_KEEP = 0.001  # seconds kept before the first audible sample, faded in
TAIL_KEEP = 0.010  # seconds kept after the last audible sample, faded out
LOUDNESS_BLOCK = 0.02  # seconds per block when measuring loudness
LOUDNESS_GATE_DB = -10.0  # blocks this far below the mean are pauses, not speech
LIMITER_RAMP = 0.005  # seconds over which the limiter turns the gain down and up again


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def peak(samples: Samples) -> float:
    return float(np.max(np.abs(samples))) if len(samples) else 0.0


def _loud(samples: Samples, threshold_db: float) -> npt.NDArray[np.intp]:
    """Where the samples louder than ``threshold_db`` below the peak are; none in silence."""
    top = peak(samples)
    if top == 0.0:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.abs(samples) >= top * db_to_gain(threshold_db))


def audible_span(samples: Samples, threshold_db: float = ONSET_THRESHOLD_DB) -> tuple[int, int]:
    """First and one-past-last sample louder than ``threshold_db`` below the peak; (0, 0)
    when there is no sound at all."""
    loud = _loud(samples, threshold_db)
    return (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, 0)


def speech_onset(
    samples: Samples, sample_rate: int, threshold_db: float = ONSET_THRESHOLD_DB
) -> int:
    """The first audible sample of the speech: ``audible_span``'s first, or past the
    breaths before it (faint, short sounds each followed by a gap: ``BREATH_LEVEL_DB``).
    The last sound is never taken for a breath; 0 in silence."""
    loud = _loud(samples, threshold_db)
    return _onset_past_breaths(samples, loud, sample_rate) if len(loud) else 0


def _onset_past_breaths(samples: Samples, loud: npt.NDArray[np.intp], sample_rate: int) -> int:
    """``speech_onset`` from ``_loud``'s samples (at least one)."""
    after_gap = np.flatnonzero(np.diff(loud) > round(BREATH_GAP * sample_rate)) + 1
    starts = loud[np.concatenate([[0], after_gap])]
    ends = loud[after_gap - 1] + 1  # of every sound but the last
    breath = peak(samples) * db_to_gain(BREATH_LEVEL_DB)
    longest = round(BREATH_LONGEST * sample_rate)
    for start, end in zip(starts[:-1], ends, strict=True):
        if end - start > longest or peak(samples[start:end]) > breath:
            return int(start)
    return int(starts[-1])


def trim_silence(
    samples: Samples,
    sample_rate: int,
    threshold_db: float = ONSET_THRESHOLD_DB,
    lead: float = LEAD_KEEP,
    tail: float = TAIL_KEEP,
) -> Samples:
    """The clip from just before its speech's onset to just after its last sound: a
    breath before the words (``speech_onset``) is left out, so the words start the clip.

    ``lead`` and ``tail`` seconds of the quiet around the sound are kept and faded, so no
    click is made and a soft consonant is not cut; so the first sample is the onset to
    within ``lead``. Silence in, the same silence out: there is nothing to measure against.
    """
    loud = _loud(samples, threshold_db)
    if not len(loud):
        return samples.astype(np.float32, copy=True)
    first, last = _onset_past_breaths(samples, loud, sample_rate), int(loud[-1]) + 1
    before = min(first, round(lead * sample_rate))
    after = min(len(samples) - last, round(tail * sample_rate))
    out = samples[first - before : last + after].astype(np.float32, copy=True)
    if before:
        out[:before] *= np.linspace(0.0, 1.0, before + 1, dtype=np.float32)[1:]
    if after:
        out[len(out) - after :] *= np.linspace(1.0, 0.0, after + 1, dtype=np.float32)[:-1]
    return out


def loudness_db(samples: Samples, sample_rate: int) -> float:
    """Loudness in dB full scale: the RMS of the blocks that carry speech.

    Short blocks are measured, and those more than ``LOUDNESS_GATE_DB`` below the mean are
    left out (as EBU R 128 gates), so the pauses between words do not make a phrase with
    many pauses seem quiet. ``-inf`` for silence.
    """
    size = max(1, round(LOUDNESS_BLOCK * sample_rate))
    if not len(samples):
        return -math.inf
    count = max(1, len(samples) // size)
    blocks = samples[: count * size].astype(np.float64).reshape(count, -1)
    power = np.mean(blocks**2, axis=1)
    sounding = power[power > 0.0]
    if not len(sounding):
        return -math.inf
    gate = np.mean(sounding) * 10.0 ** (LOUDNESS_GATE_DB / 10.0)
    return float(10.0 * np.log10(np.mean(sounding[sounding >= gate])))


def limit(
    samples: Samples,
    sample_rate: int,
    ceiling_db: float,
    envelope: npt.NDArray[np.float32] | None = None,
) -> Samples:
    """The clip with its gain turned down around any peak above ``ceiling_db``, so nothing
    exceeds it; the gain ramps over ``LIMITER_RAMP`` seconds on both sides of a peak, so
    the limiting is not heard as distortion. Quieter passages are untouched. The peaks are
    the samples' magnitudes, or ``envelope`` (one value a sample) when given, such as the
    true peak around each sample."""
    magnitude = np.abs(samples) if envelope is None else envelope
    gain = limiter_gain(magnitude, sample_rate, ceiling_db)
    if gain is None:
        return samples.astype(np.float32, copy=True)
    ceiling = db_to_gain(ceiling_db)
    out = (samples * gain).astype(np.float32)
    np.clip(out, -ceiling, ceiling, out=out)
    return out


def limiter_gain(
    magnitude: npt.NDArray[np.float32], sample_rate: int, ceiling_db: float
) -> npt.NDArray[np.float32] | None:
    """The gain ``limit`` applies to a clip whose peaks are ``magnitude`` (one a sample),
    or None where no peak is above ``ceiling_db``."""
    ceiling = db_to_gain(ceiling_db)
    if peak(magnitude) <= ceiling:
        return None
    block = max(1, round(0.001 * sample_rate))
    count = -(-len(magnitude) // block)
    padded = np.zeros(count * block, dtype=np.float32)
    padded[: len(magnitude)] = magnitude
    block_peaks = padded.reshape(count, block).max(axis=1)
    need = np.minimum(1.0, ceiling / np.maximum(block_peaks, 1e-12))
    # Every block's gain becomes the smallest need within ``reach`` blocks, then averaged
    # over a window no wider: each value stays at or below its own block's need.
    reach = max(1, round(LIMITER_RAMP * sample_rate / block))
    held = need.copy()
    for shift in range(1, reach + 1):
        np.minimum(held[:-shift], need[shift:], out=held[:-shift])
        np.minimum(held[shift:], need[:-shift], out=held[shift:])
    edge = np.pad(held, reach, mode="edge")
    window = np.ones(2 * reach + 1) / (2 * reach + 1)
    smooth = np.convolve(edge, window, mode="valid")
    centres = (np.arange(count) + 0.5) * block
    return np.interp(np.arange(len(magnitude)), centres, smooth).astype(np.float32)


# Resampling: a windowed-sinc filter evaluated at each output instant (polyphase).
ZERO_CROSSINGS = 24  # half the filter length, in zero crossings of the sinc
ROLLOFF = 0.94  # the passband edge as a fraction of the lower Nyquist frequency
KAISER_BETA = 9.0  # stopband around -90 dB


@lru_cache(maxsize=8)
def resampling_filter(up: int, down: int) -> tuple[npt.NDArray[np.float32], int]:
    """One row of filter taps per output phase, and the filter's half length in input
    samples. Output sample n sits at input position n*down/up; its phase is
    (n*down) mod up."""
    cutoff = ROLLOFF * min(1.0, up / down)  # as a fraction of the input Nyquist frequency
    half = math.ceil(ZERO_CROSSINGS / cutoff)
    offsets = np.arange(up)[:, None] / up + (half - 1) - np.arange(2 * half)[None, :]
    window = np.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (offsets / half) ** 2, 0.0, 1.0)))
    taps = cutoff * np.sinc(cutoff * offsets) * window / np.i0(KAISER_BETA)
    taps /= taps.sum(axis=1, keepdims=True)  # every phase passes DC unchanged
    return taps.astype(np.float32), half


def resample(samples: Samples, source_rate: int, target_rate: int) -> Samples:
    """The clip at ``target_rate``: band-limited (Kaiser-windowed sinc), so no aliasing
    when going down and no images when going up; the same start time and duration."""
    if source_rate == target_rate or not len(samples):
        return samples.astype(np.float32, copy=True)
    common = math.gcd(source_rate, target_rate)
    up, down = target_rate // common, source_rate // common
    taps, half = resampling_filter(up, down)
    padded = np.concatenate(
        [
            np.zeros(half, np.float32),
            samples.astype(np.float32),
            np.zeros(half + down + 1, np.float32),
        ]
    )
    windows = sliding_window_view(padded, 2 * half)  # windows[i] starts at input i - half
    frames = -(-len(samples) * up // down)
    out = np.empty(frames, dtype=np.float32)
    # Outputs first, first + up, first + 2*up... share one phase, and their windows are
    # ``down`` input samples apart: one matrix-vector product per phase.
    for first in range(min(up, frames)):
        count = len(range(first, frames, up))
        base, phase = divmod(first * down, up)
        rows = windows[base + 1 : base + 1 + count * down : down]
        out[first::up] = rows @ taps[phase]
    return out


# PCM and decoding.


def raised_cosine(frames: int, *, midpoints: bool = False) -> npt.NDArray[np.float64]:
    """0 to (almost) 1 over ``frames``: a fade with no corner at either end. With
    ``midpoints`` each value is taken at the middle of its frame, so that the ramp and its
    reverse add up to one at every frame (a crossfade that keeps the level)."""
    steps = np.arange(frames, dtype=np.float64) + (0.5 if midpoints else 0.0)
    return 0.5 - 0.5 * np.cos(np.pi * steps / frames)


def to_pcm16(samples: Samples) -> npt.NDArray[np.int16]:
    """Samples as 16-bit integers, rounded, clipped to the range."""
    return np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)


def from_pcm16(pcm: npt.NDArray[np.int16]) -> Samples:
    samples = pcm.astype(np.float32)  # the one copy: every clip read from the cache comes here
    samples /= np.float32(32767.0)
    return samples


def decode(source: Path | bytes) -> tuple[Samples, int]:
    """Any file soundfile reads (WAV, AIFF, FLAC, OGG...) as mono float32 and its rate;
    several channels are averaged."""
    import soundfile  # libsndfile: only engines' output and tones need it, not cached clips

    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    data, rate = soundfile.read(handle, dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.mean(axis=1), dtype=np.float32), int(rate)


# The clip file: a small header, then 16-bit PCM. The header's frame count and checksum
# let a reader tell a whole file from a truncated or damaged one.
CLIP_MAGIC = b"VGCLIP\x01\n"
_CLIP_HEADER = struct.Struct("<8sIQI")  # magic, sample rate, frames, CRC-32 of the PCM


class ClipFormatError(ValueError):
    """A clip file that is not whole: wrong magic, wrong length or a bad checksum."""


def clip_bytes(samples: Samples, sample_rate: int) -> bytes:
    pcm = to_pcm16(samples).astype("<i2").tobytes()
    return _CLIP_HEADER.pack(CLIP_MAGIC, sample_rate, len(samples), zlib.crc32(pcm)) + pcm


def write_clip(path: Path, samples: Samples, sample_rate: int) -> None:
    """Write a clip file atomically, leaving nothing behind even if killed (16-bit: what
    is read back is ``from_pcm16(to_pcm16(samples))``)."""
    writing.write_whole(path, clip_bytes(samples, sample_rate))


def parse_clip(data: bytes) -> tuple[Samples, int]:
    """A clip file's samples and rate; ``ClipFormatError`` if it is not whole."""
    if len(data) < _CLIP_HEADER.size:
        raise ClipFormatError("shorter than the header")
    magic, rate, frames, checksum = _CLIP_HEADER.unpack_from(data)
    if magic != CLIP_MAGIC:
        raise ClipFormatError("not a clip file")
    pcm = data[_CLIP_HEADER.size :]
    if len(pcm) != 2 * frames:
        raise ClipFormatError(f"{len(pcm) // 2} frames where the header says {frames}")
    if zlib.crc32(pcm) != checksum:
        raise ClipFormatError("checksum mismatch")
    return from_pcm16(np.frombuffer(pcm, dtype="<i2")), int(rate)


# A clip is one spoken text: a minute at 48 kHz is under 6 MB.
MAX_CLIP_BYTES = 64 * 1024 * 1024


def read_clip(path: Path) -> tuple[Samples, int]:
    """A cached clip; ``UnreadableFileError`` when it is missing or not a regular file."""
    return parse_clip(read_file(path, max_bytes=MAX_CLIP_BYTES))
