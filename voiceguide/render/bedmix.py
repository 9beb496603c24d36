"""The soundscape in the mix: its level, faded in and out, ducked under every sound.

The Timeline knows to the sample when each clip and tone sounds, so the bed is lowered
there, not where a detector hears something: ``DUCK_DEPTH_DB`` under each placement, the
fall over ``DUCK_ATTACK`` seconds ending as the sound begins (the first syllable is
already clear) and the rise over ``DUCK_RELEASE`` seconds starting when it ends. Where
placements are closer than that, the deeper of their curves holds. The curves are raised
cosines in dB. Nothing here moves a placement: the bed is only added under them.

A bed whose peaks could lift a word's true peak over the session's ceiling is ducked
deeper than ``DUCK_DEPTH_DB``: a clip's true peak is at most ``VOICE_CEILING_DB``, so the
bed under it may reach only the difference (less ``BED_PEAK_MARGIN_DB`` for the peaks
between its samples). That depth is known from the bed's peak and level before the
first frame, so no limiter runs over the mix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voiceguide.audio.beds import BUILT_IN, Bed, open_bed
from voiceguide.audio.loudness import SESSION_CEILING_DB, VOICE_CEILING_DB
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import db_to_gain, raised_cosine

DUCK_DEPTH_DB = 12.0  # how far the bed is lowered under a word or tone
DUCK_ATTACK = 0.25  # seconds: the bed is fully down when the sound begins
DUCK_RELEASE = 0.5  # seconds: back at its level this long after the sound ends
FADE_IN = 3.0  # seconds from silence at the session's start
FADE_OUT = 4.0  # seconds to silence at its end, after the last sound
BED_PEAK_MARGIN_DB = 1.0  # a bed's peaks between samples, over its largest sample


@dataclass(frozen=True, eq=False)
class BedMix:
    """``bed`` at ``level`` dB (RMS, between words) in a Timeline at ``sample_rate``,
    ``depth`` dB lower under every sound. ``identity`` tells this bed from any other that
    sounds different (what files made with it are kept under)."""

    bed: Bed
    level: float
    sample_rate: int
    identity: str = ""
    attack: int = field(init=False)
    release: int = field(init=False)
    fade_out: int = field(init=False)
    depth: float = field(init=False)
    _curves: _Curves = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rate = self.sample_rate
        object.__setattr__(self, "attack", round(DUCK_ATTACK * rate))
        object.__setattr__(self, "release", round(DUCK_RELEASE * rate))
        object.__setattr__(self, "fade_out", round(FADE_OUT * rate))
        object.__setattr__(self, "depth", _depth(self.bed.peak, self.level))
        object.__setattr__(self, "_curves", _Curves.make(self))

    @classmethod
    def open(cls, source: str, level: float, sample_rate: int) -> BedMix:
        """The bed ``source`` names (``beds.open_bed``) at ``level``."""
        bed = open_bed(source, sample_rate)
        return cls(bed, level, sample_rate, _identity(source))

    def sound(self, spans: Iterable[tuple[int, int]], start: int, count: int, end: int) -> Samples:
        """Frames ``start`` to ``start + count`` of the bed in a Timeline of ``end`` frames
        whose sounds include every (first, one past last) frame in ``spans`` that is within
        ``attack`` or ``release`` of them."""
        curves = self._curves
        gain = np.full(count, curves.level, dtype=np.float32)
        # Each sound's curve, the lowest of them where they meet (their gains are all at
        # or under the level, so the minimum is the deepest duck).
        for first, last in spans:
            _lower(gain, curves.fall, first - self.attack - start)
            lo, hi = max(first - start, 0), min(max(last - start, 0), count)
            np.minimum(gain[lo:hi], curves.ducked, out=gain[lo:hi])
            _lower(gain, curves.rise, last - start)
        _scale(gain, curves.fade_in, -start)
        _scale(gain, curves.fade_out, end - self.fade_out - start)
        gain[max(end - start, 0) :] = 0.0
        return self.bed.read(start, count) * gain


@dataclass(frozen=True)
class _Curves:
    """The gains the mix is made of, computed once: at the level, fully ducked, the fall
    and rise between them, and the fades (raised cosines; the ducking's in dB)."""

    level: np.float32
    ducked: np.float32
    fall: npt.NDArray[np.float32]
    rise: npt.NDArray[np.float32]
    fade_in: npt.NDArray[np.float32]
    fade_out: npt.NDArray[np.float32]

    @classmethod
    def make(cls, mix: BedMix) -> _Curves:
        level = db_to_gain(mix.level)

        def ducking(frames: int) -> npt.NDArray[np.float32]:
            lowered = raised_cosine(frames, midpoints=True) * mix.depth
            return (level * 10.0 ** (-lowered / 20.0)).astype(np.float32)

        fade_in = raised_cosine(round(FADE_IN * mix.sample_rate), midpoints=True)
        return cls(
            level=np.float32(level),
            ducked=np.float32(level * db_to_gain(-mix.depth)),
            fall=ducking(mix.attack),
            rise=ducking(mix.release)[::-1].copy(),
            fade_in=fade_in.astype(np.float32),
            fade_out=raised_cosine(mix.fade_out, midpoints=True)[::-1].astype(np.float32),
        )


def _identity(source: str) -> str:
    """A built-in bed's name; a file's path with its size and time of change, so a file
    changed in place is a different bed."""
    if source in BUILT_IN:
        return source
    path = Path(source).expanduser()
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def _depth(peak: float, level: float) -> float:
    """``DUCK_DEPTH_DB``, or more where a bed of ``peak`` (at unit RMS) at ``level`` dB
    would otherwise pass the room a word leaves under the session's ceiling."""
    room = db_to_gain(SESSION_CEILING_DB) - db_to_gain(VOICE_CEILING_DB)
    loudest = 20.0 * math.log10(peak) + level + BED_PEAK_MARGIN_DB if peak > 0.0 else -math.inf
    return max(DUCK_DEPTH_DB, loudest - 20.0 * math.log10(room))


def _lower(gain: npt.NDArray[np.float32], curve: npt.NDArray[np.float32], at: int) -> None:
    """``gain`` at most ``curve`` from its frame ``at`` on (where they overlap)."""
    lo, hi = max(at, 0), min(at + len(curve), len(gain))
    if lo < hi:
        np.minimum(gain[lo:hi], curve[lo - at : hi - at], out=gain[lo:hi])


def _scale(gain: npt.NDArray[np.float32], curve: npt.NDArray[np.float32], at: int) -> None:
    """``gain`` times ``curve`` from its frame ``at`` on (where they overlap)."""
    lo, hi = max(at, 0), min(at + len(curve), len(gain))
    if lo < hi:
        gain[lo:hi] *= curve[lo - at : hi - at]
