"""Tones synthesized in code: no asset files, and nothing a listener could take for speech.

- ``chime``: a short, soft bell (a few inharmonic partials with a smooth attack and a
  decay to silence). One strike marks a step change; two strikes, lower, come before a
  caution, so the two are told apart with eyes closed. A question's answer window opens
  with two quick strikes rising and closes with the same two falling.
- ``breath_tone``: a quiet glide under a breath phase, rising while breathing in and
  falling while breathing out, faded in and out so it never clicks and sits under speech.

Every tone fills exactly the number of frames it is given and ends at zero, so placing it
in its cue's span can never spill into the speech that follows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import raised_cosine
from voiceguide.script.records import ToneKind

BreathKind = Literal["inhale", "exhale"]

CHIME_LEVEL = 0.6  # peak: clearly heard, softer than levelled speech (render/clips.py)
BREATH_LEVEL = 0.12  # peak: a bed under speech, not a second voice
STEP_PITCH = 880.0  # Hz, one strike
CAUTION_PITCH = 587.33  # Hz (D5), two strikes: lower and doubled, unlike the step chime
CAUTION_GAP = 0.45  # the second strike starts this far into the caution tone
# An answer window: a rising fifth opens it (a question's lift), the falling fifth closes it.
WINDOW_PITCHES = (659.25, 987.77)  # Hz (E5, B5)
WINDOW_GAP = 0.25  # the second strike starts this far into a window's tone
# A bell's overtones are not whole multiples of its pitch; that is what makes it a bell.
PARTIALS = ((1.0, 1.0), (2.76, 0.35), (5.40, 0.12))
ATTACK = 0.008  # seconds: fast enough to sound struck, slow enough not to click
TAIL = 0.02  # seconds of fade that bring every tone to exactly zero at its end
BREATH_LOW = 196.0  # Hz (G3)
BREATH_HIGH = 294.0  # Hz (D4)
BREATH_FADE = 0.5  # seconds at most of swell in and out


def chime(kind: ToneKind, frames: int, sample_rate: int) -> Samples:
    """The tone for ``kind`` (a step, a caution, an answer window's opening or closing),
    ``frames`` long (read-only)."""
    return _chime(kind, frames, sample_rate)


def breath_tone(kind: BreathKind, frames: int, sample_rate: int) -> Samples:
    """A glide from low to high (``inhale``) or high to low (``exhale``), ``frames`` long
    (read-only)."""
    return _breath_tone(kind, frames, sample_rate)


# A tone depends only on its kind, length and rate, and a session uses a few of each many
# times: each is made once per process and shared, read-only, by every Timeline.
@lru_cache(maxsize=256)
def _chime(kind: ToneKind, frames: int, sample_rate: int) -> Samples:
    out = np.zeros(frames, dtype=np.float64)
    if kind == "step":
        _strike(out, 0, STEP_PITCH, sample_rate)
    elif kind in ("window-open", "window-close"):
        low, high = WINDOW_PITCHES
        first, second = (low, high) if kind == "window-open" else (high, low)
        _strike(out, 0, first, sample_rate)
        _strike(out, round(frames * WINDOW_GAP), second, sample_rate)
    else:
        _strike(out, 0, CAUTION_PITCH, sample_rate)
        _strike(out, round(frames * CAUTION_GAP), CAUTION_PITCH, sample_rate)
    _fade_out(out, sample_rate)
    peak = float(np.max(np.abs(out))) if frames else 0.0
    if peak > 0:
        out *= CHIME_LEVEL / peak
    return _read_only(out.astype(np.float32))


@lru_cache(maxsize=256)
def _breath_tone(kind: BreathKind, frames: int, sample_rate: int) -> Samples:
    if frames == 0:
        return _read_only(np.zeros(0, dtype=np.float32))
    low, high = (BREATH_LOW, BREATH_HIGH) if kind == "inhale" else (BREATH_HIGH, BREATH_LOW)
    # An exponential glide sounds even to the ear; integrating the frequency keeps the
    # phase continuous, so the glide has no steps.
    progress = np.arange(frames, dtype=np.float64) / frames
    frequency = low * (high / low) ** progress
    phase = 2.0 * np.pi * (np.cumsum(frequency) - frequency[0]) / sample_rate
    wave = np.sin(phase) + 0.25 * np.sin(2.0 * phase)
    fade = min(round(BREATH_FADE * sample_rate), frames // 2)
    envelope = np.ones(frames)
    if fade:
        ramp = raised_cosine(fade)
        envelope[:fade] = ramp
        envelope[frames - fade :] = ramp[::-1]
    out: npt.NDArray[np.float64] = wave * envelope
    peak = float(np.max(np.abs(out)))
    if peak > 0:
        out *= BREATH_LEVEL / peak
    return _read_only(out.astype(np.float32))


def _read_only(samples: Samples) -> Samples:
    samples.flags.writeable = False
    return samples


def _strike(out: npt.NDArray[np.float64], at: int, pitch: float, sample_rate: int) -> None:
    """Add one bell strike at frame ``at`` that decays over the rest of ``out``."""
    length = len(out) - at
    if length <= 0:
        return
    t = np.arange(length, dtype=np.float64) / sample_rate
    decay = max(length / sample_rate, 1e-3) / 4.0
    strike = np.zeros(length)
    for ratio, amplitude in PARTIALS:
        if pitch * ratio < sample_rate / 2:
            # Higher partials die away sooner, as they do on a real bell.
            strike += (
                amplitude * np.sin(2.0 * np.pi * pitch * ratio * t) * np.exp(-t * ratio / decay)
            )
    attack = min(round(ATTACK * sample_rate), length)
    strike[:attack] *= raised_cosine(attack)
    out[at:] += strike


def _fade_out(out: npt.NDArray[np.float64], sample_rate: int) -> None:
    tail = min(round(TAIL * sample_rate), len(out))
    if tail:
        out[len(out) - tail :] *= raised_cosine(tail)[::-1]
