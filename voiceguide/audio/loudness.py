"""Loudness as ITU-R BS.1770 defines it (measured by pyloudnorm), and the true peak.

A session's loudness is set where its clips are made, not over the whole session: a clip
is brought to one loudness (``clip_loudness``) and limited to a true-peak ceiling once,
in the clip cache (``render/clips.py``), so ``play`` can start before the last clip exists and
still sound exactly as ``export`` writes. How loud the whole session then measures was
found over every built-in routine (docs/soundscapes.md has the figures).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import db_to_gain, limit, limiter_gain, resample

# A phrase is measured as a session hears it: with silence on both sides, in BS.1770's
# 0.4 s blocks, so a counted word and a long sentence weigh as they will in the session
# (measured alone, a phrase's edges would count for less than they do there).
CLIP_PAD = 0.3  # seconds
SESSION_LOUDNESS = -16.0  # LUFS integrated: the common target for spoken audio
SESSION_CEILING_DB = -1.0  # dBTP: no true peak above this in any session
# Every clip's loudness (``clip_loudness``): a session of them, with its pauses and tones,
# measured -15.9 to -16.3 LUFS integrated over the built-in routines (docs/soundscapes.md).
CLIP_LOUDNESS = -15.7
# No true peak in a clip above this: the session's ceiling less room for a bed ducked
# under the words (render/bedmix.py ducks a bed deeper where it would not fit).
VOICE_CEILING_DB = -1.5
OVERSAMPLING = 4  # true peak: BS.1770's four times the sample rate
LEVEL_ROUNDS = 8  # at most this many rounds of gain and limiting for one clip (4 left
# a short word of espeak-ng 0.5 LU under)
LEVEL_TOLERANCE = 0.1  # LU: near enough to a clip's target


def clip_loudness(samples: Samples, sample_rate: int) -> float:
    """A phrase's loudness in LUFS: BS.1770 integrated (K-weighting, gating) with
    ``CLIP_PAD`` seconds of silence on each side; ``-inf`` for silence."""
    import pyloudnorm  # SciPy behind it: only making a clip needs it

    pad = round(CLIP_PAD * sample_rate)
    data = np.zeros(len(samples) + 2 * pad, dtype=np.float64)
    data[pad : pad + len(samples)] = samples
    if not np.any(data):
        return -math.inf
    level = float(pyloudnorm.Meter(sample_rate).integrated_loudness(data))
    return level if math.isfinite(level) else -math.inf


def peak_envelope(samples: Samples, sample_rate: int) -> npt.NDArray[np.float32]:
    """For every sample, the largest magnitude the signal reaches between it and its
    neighbours when reconstructed at ``OVERSAMPLING`` times the rate: what a D/A
    converter can put out around it (its true peak), never below the sample itself."""
    if not len(samples):
        return np.zeros(0, dtype=np.float32)
    fine = np.abs(resample(samples, sample_rate, sample_rate * OVERSAMPLING))
    # The largest of each sample's OVERSAMPLING points (a maximum over slices: an
    # axis=1 maximum over rows this short is several times slower).
    fine = np.maximum.reduce([fine[i::OVERSAMPLING][: len(samples)] for i in range(OVERSAMPLING)])
    around = np.maximum(fine, np.concatenate([[0.0], fine[:-1]]).astype(np.float32))
    envelope: npt.NDArray[np.float32] = np.maximum(around, np.abs(samples)).astype(np.float32)
    return envelope


def true_peak_db(samples: Samples, sample_rate: int) -> float:
    """The true peak in dB (dBTP); ``-inf`` for silence."""
    top = float(np.max(peak_envelope(samples, sample_rate), initial=0.0))
    return 20.0 * math.log10(top) if top > 0.0 else -math.inf


def level_clip(
    samples: Samples,
    sample_rate: int,
    target: float = CLIP_LOUDNESS,
    ceiling_db: float = VOICE_CEILING_DB,
) -> Samples:
    """The phrase at ``target`` LUFS (``clip_loudness``), its gain turned down around any
    true peak above ``ceiling_db`` (quieter passages untouched); silence stays silence.

    Limiting takes some loudness away, more from a voice with sharper peaks, so the gain
    is made up and the peaks limited again until the phrase is within ``LEVEL_TOLERANCE``
    of ``target`` (or ``LEVEL_ROUNDS`` have passed), then limited until no true peak is
    over: the same rounds for the same clip, so the result is the same every time.
    """
    out = samples.astype(np.float32, copy=True)
    level = clip_loudness(out, sample_rate)
    if level == -math.inf:
        return out
    # Oversampling to find the true peaks is nearly all the time a clip takes to make, so
    # it is done once here and once at the end. In between, the envelope follows the
    # gains: a clip times a gain has its peaks times that gain, and the limiter's gain
    # changes slowly enough (over milliseconds) that the same holds for it within a
    # sample or two; the last, exact rounds catch what that leaves over the ceiling.
    envelope = peak_envelope(out, sample_rate)
    aim = ceiling_db - 0.1  # a little under: a round's own overshoot then still fits
    for _ in range(LEVEL_ROUNDS):
        gain = np.float32(db_to_gain(target - level))
        out, envelope = out * gain, envelope * gain
        limiting = limiter_gain(envelope, sample_rate, aim)
        if limiting is not None:
            out, envelope = out * limiting, envelope * limiting
        level = clip_loudness(out, sample_rate)
        if abs(level - target) <= LEVEL_TOLERANCE:
            break
    for _ in range(LEVEL_ROUNDS):
        envelope = peak_envelope(out, sample_rate)
        if float(np.max(envelope, initial=0.0)) <= db_to_gain(ceiling_db):
            break
        out = limit(out, sample_rate, aim, envelope=envelope)
    return out
