"""A fake output for tests: it "plays" by collecting frames, and time moves only when told.

``advance(frames)`` plays that many frames; ``wait`` plays one block per call, so a player
loop driven by the fake is deterministic. With ``lookahead`` it pulls that many frames
ahead of what it has played, like a backend that queues whole buffers, and gives them back
on ``interrupt``, so the transport's undo is exercised the way such a backend uses it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.errors import PlaybackError
from voiceguide.output.base import Output, Source


class FakeOutput(Output):
    name = "fake"

    def __init__(self, block: int = 256, lookahead: int = 0, fail_after: int | None = None):
        self.block = block
        self.lookahead = lookahead
        self.fail_after = fail_after  # played frames after which the "device" fails
        self.source: Source | None = None
        self.warmed = False
        self.stopped = False
        self.finished = False
        self.interrupts = 0  # changes of course made (each one an abort on a real device)
        self._played: list[Samples] = []
        self._played_count = 0
        self._queued = np.zeros((0, 1), dtype=np.float32)
        self._ended = False

    @property
    def frames(self) -> Samples:
        """Everything played so far, (frames, channels)."""
        channels = self.source.channels if self.source else 1
        if not self._played:
            return np.zeros((0, channels), dtype=np.float32)
        return np.concatenate(self._played)

    def warm_up(self) -> None:
        self.warmed = True

    def start(self, source: Source) -> None:
        self.source = source
        self._queued = np.zeros((0, source.channels), dtype=np.float32)

    def heard(self) -> int:
        return self._played_count

    def advance(self, frames: int) -> int:
        """Play up to ``frames`` frames; returns how many were played."""
        assert self.source is not None, "start() first"
        played = 0
        while played < frames and not self.finished:
            self._fill(self.lookahead + min(self.block, frames - played))
            n = min(frames - played, len(self._queued))
            if n == 0:
                self.finished = self._ended
                if not self._ended:
                    continue
                break
            self._played.append(self._queued[:n].copy())
            self._queued = self._queued[n:]
            self._played_count += n
            played += n
            if self.fail_after is not None and self._played_count >= self.fail_after:
                raise PlaybackError("the fake device failed")
        if self._ended and len(self._queued) == 0:
            self.finished = True
        return played

    def _fill(self, wanted: int) -> None:
        assert self.source is not None
        while len(self._queued) < wanted and not self._ended:
            chunk = self.source.pull(self.block)
            if chunk is None:
                self._ended = True
            else:
                self._queued = np.concatenate([self._queued, chunk])

    def interrupt(self, change: Callable[[], object]) -> None:
        assert self.source is not None
        self.interrupts += 1
        if len(self._queued):
            self.source.undo(len(self._queued))
            self._queued = self._queued[:0]
        self._ended = False
        change()

    def wait(self, timeout: float) -> bool:
        if not self.finished and not self.stopped:
            self.advance(self.block)
        return self.finished

    def stop(self) -> None:
        self.stopped = True
