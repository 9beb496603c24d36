"""Its own voice never commands it: the microphone is listened to only while the guide
has been quiet for a moment.

The reference is what the output really plays (every block the backend pulls, measured
as it goes by), not the Timeline alone: the spoken answers to controls, "where am I?" and
the tones are the guide's voice too, and they are mixed by the transport, not placed in
the Timeline. A block is "sounding" when its level is above ``threshold``; the microphone
is deaf from the output frame where the guide starts sounding until ``margin`` seconds
after it stops, long enough for the room's echo and the two devices' latencies. A
command said while the guide speaks is not heard (say it again in the pause after): the
safe side, as a false command never comes from the guide's own words.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.output.base import Output, Source

MARGIN = 0.45  # seconds deaf after the guide's last sound: echo tail and device latency
THRESHOLD_DB = -45.0  # dBFS RMS of a pulled block above which the guide is sounding
OVER_BED_DB = 8.0  # with a soundscape: this far above its level counts as the voice
KEPT = 256  # sounding stretches remembered (only the latest ever matter)


def threshold_for(bed_level: float | None) -> float:
    """The level (dBFS RMS) above which the output counts as the guide's voice: under a
    soundscape, some way above the soundscape itself, so that its sound alone never
    makes the microphone deaf."""
    if bed_level is None:
        return THRESHOLD_DB
    return max(THRESHOLD_DB, bed_level + OVER_BED_DB)


class VoiceGuard:
    """Where the output has sounded (in output frames), and whether the guide is quiet
    enough now to listen."""

    def __init__(self, threshold_db: float = THRESHOLD_DB, margin: float = MARGIN) -> None:
        self._level = 10.0 ** (threshold_db / 20.0)
        self._margin = margin
        self._sounding: deque[list[int]] = deque(maxlen=KEPT)  # [first frame, end frame]
        self._lock = threading.Lock()
        self._heard: Callable[[], int] | None = None
        self._rate = 0

    def watch(self, output: Output) -> Output:
        """``output``, with every block it plays measured here."""
        return _WatchedOutput(output, self)

    def note(self, first: int, samples: Samples) -> None:
        """Output frames ``first`` onwards were pulled as ``samples``."""
        if len(samples) == 0:
            return
        rms = math.sqrt(float(np.mean(np.square(samples, dtype=np.float32))))
        if rms <= self._level:
            return
        end = first + len(samples)
        with self._lock:
            last = self._sounding[-1] if self._sounding else None
            if last is not None and last[0] <= first <= last[1]:
                last[1] = max(last[1], end)
            else:
                self._sounding.append([first, end])

    def started(self, rate: int, heard: Callable[[], int]) -> None:
        """The output plays at ``rate`` and says how far it has been heard with ``heard``."""
        self._rate = rate
        self._heard = heard

    def quiet(self) -> bool:
        """Whether the guide has been silent for the margin up to what is heard now (deaf
        before playing starts: nothing is known yet)."""
        if self._heard is None:
            return False
        now = self._heard()
        since = now - round(self._margin * self._rate)
        with self._lock:
            return not any(s <= now and e >= since for s, e in reversed(self._sounding))


class _Watched:
    """A ``Source`` whose blocks the guard sees on their way to the device."""

    def __init__(self, source: Source, guard: VoiceGuard) -> None:
        self._source = source
        self._guard = guard
        self._pulled = 0

    @property
    def sample_rate(self) -> int:
        return self._source.sample_rate

    @property
    def channels(self) -> int:
        return self._source.channels

    def pull(self, count: int) -> Samples | None:
        samples = self._source.pull(count)
        if samples is not None:
            self._guard.note(self._pulled, samples)
            self._pulled += len(samples)
        return samples

    def undo(self, count: int) -> None:
        # The stretches noted for undone frames stay: deaf a little longer, never less.
        self._source.undo(count)
        self._pulled -= count

    def cut(self) -> None:
        self._source.cut()

    def remaining(self) -> int | None:
        return self._source.remaining()


class _WatchedOutput(Output):
    """``output`` playing a watched source; everything else as it is."""

    def __init__(self, output: Output, guard: VoiceGuard) -> None:
        self._output = output
        self._guard = guard
        self.name = output.name

    def warm_up(self) -> None:
        self._output.warm_up()

    def start(self, source: Source) -> None:
        self._guard.started(source.sample_rate, self._output.heard)
        self._output.start(_Watched(source, self._guard))

    def heard(self) -> int:
        return self._output.heard()

    def interrupt(self, change: Callable[[], object]) -> None:
        self._output.interrupt(change)

    def wait(self, timeout: float) -> bool:
        return self._output.wait(timeout)

    def stop(self) -> None:
        self._output.stop()
