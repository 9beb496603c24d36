"""The Timeline: every clip and tone placed to the sample, one rate for the whole session.

``render`` builds it from a Script; ``player`` and ``export`` both read it through
``read``, block by block, so an exported file is exactly what ``play`` plays. Only the
distinct clips are held in memory; the mix is made on demand, so memory stays flat
however long the session is.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.script.records import Script

if TYPE_CHECKING:
    from voiceguide.render.bedmix import BedMix


class Playable(Protocol):
    """What the player and its transport read: a Timeline, or one still being rendered
    (``streaming.GrowingTimeline``), whose ``script`` grows and whose frames are final
    only below ``ready``."""

    @property
    def script(self) -> Script: ...

    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    @property
    def frames(self) -> int: ...

    @property
    def ready(self) -> int: ...

    @property
    def duration(self) -> float: ...

    @property
    def outline(self) -> Script:
        """Every step of the routine from the start: ``script`` once it is whole, an
        estimate of it before (the steps' titles and number are exact; their times and
        ``duration`` are not)."""
        ...

    @property
    def complete(self) -> bool:
        """Whether ``script``, ``frames`` and ``duration`` are final."""
        ...

    def frame_at(self, seconds: float) -> int: ...

    def read(self, start: int, count: int) -> Samples: ...

    def check(self) -> None:
        """Raise the error that stopped the rendering, if one did."""


@dataclass(frozen=True)
class Placement:
    """Clip ``clip`` starts sounding at frame ``start``; ``pan`` is -1 (left) to 1 (right)."""

    start: int
    clip: str
    pan: float = 0.0
    gain: float = 1.0


@dataclass(frozen=True, eq=False)
class Timeline:
    """A session ready to be heard: ``placements`` sorted by start, ``clips`` mono float32,
    and a soundscape under them all, ducked where they sound, when ``bed`` is given."""

    script: Script
    sample_rate: int
    channels: int
    frames: int
    placements: tuple[Placement, ...]
    clips: Mapping[str, Samples]
    bed: BedMix | None = None
    _starts: list[int] = field(init=False, repr=False)
    _longest: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        starts = [p.start for p in self.placements]
        if starts != sorted(starts):
            raise ValueError("placements must be sorted by start")
        missing = {p.clip for p in self.placements} - set(self.clips)
        if missing:
            raise ValueError(f"placements name clips that are not given: {sorted(missing)}")
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_longest", max((len(c) for c in self.clips.values()), default=0))

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    @property
    def ready(self) -> int:
        """Frames that may be played: all of them (see ``Playable``)."""
        return self.frames

    @property
    def outline(self) -> Script:
        return self.script

    @property
    def complete(self) -> bool:
        return True

    def check(self) -> None:
        """A finished Timeline has no rendering left to fail."""

    def frame_at(self, seconds: float) -> int:
        """The frame at which something timed at ``seconds`` sounds."""
        return round(seconds * self.sample_rate)

    def read(self, start: int, count: int) -> Samples:
        """Frames ``start`` to ``start + count`` as a (count, channels) float32 array;
        silence past the end."""
        out = np.zeros((count, self.channels), dtype=np.float32)
        end = start + count
        first = bisect.bisect_left(self._starts, start - self._longest)
        last = bisect.bisect_left(self._starts, end)
        # Only where something sounds can the mix pass full scale: the silence (most of a
        # session, the holds and rests) needs no limiting.
        sounding_from, sounding_to = count, 0
        if self.bed is not None:
            out += self._bed_sound(self.bed, start, count)[:, None]
            sounding_from, sounding_to = 0, count
        for placement in self.placements[first:last]:
            clip = self.clips[placement.clip]
            lo = max(start, placement.start)
            hi = min(end, placement.start + len(clip))
            if lo >= hi:
                continue
            sounding_from = min(sounding_from, lo - start)
            sounding_to = max(sounding_to, hi - start)
            piece = clip[lo - placement.start : hi - placement.start] * placement.gain
            if self.channels == 1:
                out[lo - start : hi - start, 0] += piece
            else:
                left, right = _pan_gains(placement.pan)
                out[lo - start : hi - start, 0] += piece * left
                out[lo - start : hi - start, 1] += piece * right
        if sounding_from < sounding_to:
            sounding = out[sounding_from:sounding_to]
            np.clip(sounding, -1.0, 1.0, out=sounding)
        return out

    def _bed_sound(self, bed: BedMix, start: int, count: int) -> Samples:
        """The bed under frames ``start`` to ``start + count``, ducked by every placement
        whose curve reaches them."""
        lo = bisect.bisect_left(self._starts, start - bed.release - self._longest)
        hi = bisect.bisect_left(self._starts, start + count + bed.attack)
        spans = ((p.start, p.start + len(self.clips[p.clip])) for p in self.placements[lo:hi])
        return bed.sound(spans, start, count, self.frames)

    def blocks(self, size: int = 4096, start: int = 0) -> Iterator[Samples]:
        """The whole session from ``start``, ``size`` frames at a time (the last is shorter)."""
        for offset in range(start, self.frames, size):
            yield self.read(offset, min(size, self.frames - offset))


def _pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power panning, so a cue panned to one ear is as loud as a centred one."""
    angle = (min(max(pan, -1.0), 1.0) + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))
