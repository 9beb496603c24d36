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
from numpy.lib.stride_tricks import sliding_window_view

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import db_to_gain, limit, limiter_gain, resample, resampling_filter

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


def load_meter() -> None:
    """Import the BS.1770 meter now. It brings SciPy's signal module, most of a second:
    a caller about to make clips can have that done beside other work rather than in
    front of its first clip."""
    import pyloudnorm  # noqa: F401


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


class TruePeaks:
    """A clip's ``peak_envelope``, worked out only where it can reach the level asked for.

    Oversampling every sample is nearly all the time a clip takes to make, yet only the
    peaks near the ceiling matter to the limiter. Around each sample the oversampled
    signal cannot exceed the largest magnitude within the resampling filter's reach times
    the sum of its taps' magnitudes (``bound``); where that is under the level asked for,
    the sample's own magnitude stands in (under the level too, so nothing that compares
    the envelope with it changes). Where the bound reaches it, the envelope is worked out
    as ``peak_envelope`` does (up to float rounding), and given every gain applied since
    (``scale``) in the same order. Over the built-in routines' texts about a quarter of
    the samples needed it, and every clip came out within one 16-bit step of levelling
    with the whole envelope (docs/performance.md).
    """

    def __init__(self, samples: Samples) -> None:
        # The filter is the same at every sample rate: OVERSAMPLING times it.
        samples = samples.astype(np.float32)
        self._taps, half = resampling_filter(OVERSAMPLING, 1)
        # The filter's window of input around each output point, as ``resample`` lays it.
        padded = np.concatenate(
            [np.zeros(half, np.float32), samples, np.zeros(half + 2, np.float32)]
        )
        self._windows = sliding_window_view(padded, 2 * half)
        magnitude = np.abs(samples)
        self._magnitude = magnitude
        taps_sum = float(np.abs(self._taps.astype(np.float64)).sum(axis=1).max())
        # Every point between a sample and the next is made from the samples within
        # ``half`` of them, as is the previous sample's (the envelope takes both): the
        # largest magnitude in the sample's block of ``reach`` and the blocks on either
        # side covers them all.
        reach = half + 2
        count = -(-len(magnitude) // reach)
        blocks = np.zeros(count * reach, dtype=np.float32)
        blocks[: len(magnitude)] = magnitude
        peaks = np.pad(blocks.reshape(count, reach).max(axis=1), 1)
        around = np.repeat(np.maximum.reduce([peaks[:-2], peaks[1:-1], peaks[2:]]), reach)
        around = around[: len(magnitude)]
        # A hair over the bound, so that float rounding never leaves a peak out.
        self._bound = np.maximum(magnitude, taps_sum * around).astype(np.float64) * 1.0001
        self._values = magnitude.copy()  # filled in where exact; the magnitudes stay
        self._exact = np.zeros(len(samples), dtype=bool)
        self._gains: list[np.float32 | npt.NDArray[np.float32]] = []

    def scale(self, gain: np.float32 | npt.NDArray[np.float32]) -> None:
        """The clip has been multiplied by ``gain`` (a number, or one a sample)."""
        self._values = self._values * gain
        self._bound = self._bound * gain
        self._gains.append(gain)

    def reaching(self, level: float) -> npt.NDArray[np.float32]:
        """The envelope, exact wherever it can reach ``level``."""
        needed = np.flatnonzero(~self._exact & (self._bound >= level))
        if len(needed):
            values = self._exact_at(needed)
            for gain in self._gains:
                values = values * (gain[needed] if isinstance(gain, np.ndarray) else gain)
            self._values[needed] = values
            self._exact[needed] = True
        return self._values

    def _exact_at(self, where: npt.NDArray[np.intp]) -> npt.NDArray[np.float32]:
        """``peak_envelope`` of the clip as it was made, at the samples ``where``."""
        windows = self._windows
        # Each sample's four points, and its previous sample's (``peak_envelope`` takes
        # the larger): windows[q + 1] gives the points after sample q.
        # einsum rather than a matrix product: BLAS would spread this over threads, which
        # costs more processor time in all than it saves, and clips are made side by side.
        fine = np.abs(np.einsum("ij,pj->ip", windows[where + 1], self._taps)).max(axis=1)
        before = windows[np.maximum(where, 1)]
        prior = np.abs(np.einsum("ij,pj->ip", before, self._taps)).max(axis=1)
        prior[where == 0] = 0.0
        around = np.maximum(fine, prior)
        exact: npt.NDArray[np.float32] = np.maximum(around, self._magnitude[where]).astype(
            np.float32
        )
        return exact


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
    envelope = TruePeaks(out)
    aim = ceiling_db - 0.1  # a little under: a round's own overshoot then still fits
    for _ in range(LEVEL_ROUNDS):
        gain = np.float32(db_to_gain(target - level))
        out = out * gain
        envelope.scale(gain)
        limiting = limiter_gain(envelope.reaching(db_to_gain(aim)), sample_rate, aim)
        if limiting is not None:
            out = out * limiting
            envelope.scale(limiting)
        level = clip_loudness(out, sample_rate)
        if abs(level - target) <= LEVEL_TOLERANCE:
            break
    for _ in range(LEVEL_ROUNDS):
        # Exact wherever a peak can reach the limiter's aim, which is under the ceiling.
        peaks = TruePeaks(out).reaching(db_to_gain(aim))
        if float(np.max(peaks, initial=0.0)) <= db_to_gain(ceiling_db):
            break
        out = limit(out, sample_rate, aim, envelope=peaks)
    return out
