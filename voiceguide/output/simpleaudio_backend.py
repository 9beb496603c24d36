"""The simpleaudio backend: one long buffer per stretch of listening, filled as it plays.

simpleaudio can only play a buffer (``play_buffer``) and has no way to ask where playback
has got to. Starting a new buffer for every phrase would put the cues on the computer's
clock, which drifts from the sound card's (by 0.03 % on the machine this was measured
on: 18 ms a minute), and every seam would be a chance of a gap. So the whole rest of the
session goes into one buffer that the sound card plays from start to end: its clock
times every cue. simpleaudio reads the buffer as it plays rather than copying it first,
so the buffer starts as untouched (unallocated) zero pages and this backend fills it from
the transport a little ahead of playback, handing back the pages already played, so
memory stays flat. A pause or a skip stops the buffer and starts a new one from there.

simpleaudio plays on the system's default output, and it keeps up to 0.2 s queued
(it drains that when stopped), so a pause is heard a little later than with sounddevice.
"""

from __future__ import annotations

import mmap
import sys
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from voiceguide.audio.signal import to_pcm16
from voiceguide.errors import PlaybackError
from voiceguide.output.base import FIX_HINT, GONE, BackendUnavailable, Output, Source

RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000)
TICK = 0.05  # seconds between fills
LOOKAHEAD = 1.0  # seconds filled ahead of playback; simpleaudio itself reads 0.2 s ahead
DRIFT = 0.001  # the sound card may run this much faster than the computer's clock
END_MARGIN = 0.25  # seconds of silence after the last sound, so nothing is cut short
PAUSED_BUFFER = 10.0  # seconds per buffer while paused (a pause has no end in sight)
RELEASE_BEHIND = 5.0  # seconds: pages further behind playback than this are handed back
CUT_SHORT = 0.3  # seconds: a buffer that stops this early was stopped by the device
# Seconds of sound simpleaudio has already handed to the sound system, and so still
# plays, when it is stopped (it writes 0.1 s at a time): 70 to 100 ms through PulseAudio.
# The stream is cut this far on, so a resume may repeat up to 30 ms but never skips; a
# larger value would make every pause later.
STOP_TAIL = 0.07
DRAIN_WAIT = 0.5  # seconds at most to let a stopped buffer's thread finish

Pcm = npt.NDArray[np.int16]


def import_simpleaudio() -> ModuleType:
    try:
        import simpleaudio as module
    except ImportError as exc:
        raise BackendUnavailable(
            "the simpleaudio backend is not installed",
            "`pip install 'voiceguide[simpleaudio]'` (it builds from source: it needs a C"
            " compiler and the ALSA headers, libasound2-dev), or use --backend sounddevice",
        ) from exc
    return cast(ModuleType, module)


class _Buffer:
    """One play_buffer: output frames [start, start + len) of the stream."""

    def __init__(self, start: int, frames: int, channels: int) -> None:
        self.start = start
        self.frames = frames
        self.memory = mmap.mmap(-1, max(1, frames) * channels * 2)
        self.pcm: Pcm = np.frombuffer(self.memory, dtype=np.int16).reshape(-1, channels)
        self.filled = 0  # frames written so far
        self.released = 0  # bytes handed back to the system
        self.play: Any = None
        self.began = 0.0  # monotonic time of play_buffer

    def elapsed(self, rate: int) -> int:
        """Frames played so far, by the computer's clock (the card's is not visible)."""
        return min(round((time.monotonic() - self.began) * rate), self.frames)

    def release(self, before: int) -> None:
        """Hand back whole pages holding only frames before ``before``."""
        if sys.platform == "win32":  # no madvise: the pages go with the buffer
            return
        frame_bytes = self.pcm.shape[1] * 2
        end = before * frame_bytes // mmap.PAGESIZE * mmap.PAGESIZE
        if end > self.released:
            self.memory.madvise(mmap.MADV_DONTNEED, self.released, end - self.released)
            self.released = end


class SimpleaudioOutput(Output):
    name = "simpleaudio"

    def __init__(self, device: str | None = None) -> None:
        if device is not None:
            raise PlaybackError(
                "the simpleaudio backend always plays on the system's default output; to"
                " choose a device use --backend sounddevice --device NAME"
                " (see `voiceguide devices`)"
            )
        self._sa: ModuleType | None = None
        self._source: Source | None = None
        self._rate = 0
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._buffer: _Buffer | None = None
        self._pulled = 0  # output frames pulled from the source
        self._ended = False
        self._stopping = False
        self._failure: BaseException | None = None
        self._done = threading.Event()
        self._wake = threading.Event()

    def warm_up(self) -> None:
        if self._sa is not None:
            return
        self._sa = import_simpleaudio()
        # A moment of silence: a missing device fails here, and the sound system's
        # configuration is loaded before the first cue is due.
        try:
            self._sa.play_buffer(bytes(4 * 441), 2, 2, 44100)
        except Exception as exc:  # SimpleaudioError: the device could not be opened
            raise PlaybackError(f"cannot play through simpleaudio ({exc}); {FIX_HINT}") from exc

    def start(self, source: Source) -> None:
        if source.sample_rate not in RATES:
            raise PlaybackError(
                f"simpleaudio cannot play at {source.sample_rate} Hz; use --backend sounddevice"
            )
        self.warm_up()
        self._source, self._rate = source, source.sample_rate
        with self._lock:
            self._begin()
        self._thread = threading.Thread(target=self._run, name="simpleaudio", daemon=True)
        self._thread.start()

    def _play(self, pcm: object) -> Any:
        assert self._sa is not None and self._source is not None
        try:
            return self._sa.play_buffer(pcm, self._source.channels, 2, self._rate)
        except Exception as exc:  # SimpleaudioError: the device could not be opened
            if self._thread is not None:  # it could be opened before: it has gone away
                raise PlaybackError(f"{GONE} ({exc}); {FIX_HINT}") from exc
            raise PlaybackError(f"cannot play through simpleaudio ({exc}); {FIX_HINT}") from exc

    def _begin(self) -> None:
        """Start a new buffer at the current output frame, sized to what is left."""
        assert self._source is not None
        remaining = self._source.remaining()
        seconds = PAUSED_BUFFER if remaining is None else remaining / self._rate + END_MARGIN
        buffer = _Buffer(self._pulled, round(seconds * self._rate), self._source.channels)
        self._fill(buffer, round(LOOKAHEAD * self._rate))
        buffer.play = self._play(buffer.memory)
        buffer.began = time.monotonic()
        self._buffer = buffer

    def _fill(self, buffer: _Buffer, until: int) -> None:
        """Pull from the source into ``buffer`` up to its frame ``until``."""
        assert self._source is not None
        until = min(until, buffer.frames)
        while buffer.filled < until and not self._ended:
            chunk = self._source.pull(until - buffer.filled)
            if chunk is None:
                self._ended = True
                break
            pcm = to_pcm16(chunk)  # rounded, as export writes it
            buffer.pcm[buffer.filled : buffer.filled + len(pcm)] = pcm
            buffer.filled += len(pcm)
            self._pulled += len(pcm)

    def _run(self) -> None:
        try:
            while not self._stopping:
                with self._lock:
                    if self._step():
                        self._done.set()
                        return
                self._wake.wait(TICK)
                self._wake.clear()
        except BaseException as exc:
            self._failure = exc
            self._done.set()

    def _step(self) -> bool:
        """Keep the buffer filled ahead of playback; True once everything has played."""
        buffer = self._buffer
        if buffer is None or self._stopping:
            return False
        played = buffer.elapsed(self._rate)
        ahead = LOOKAHEAD + DRIFT * played / self._rate
        self._fill(buffer, played + round(ahead * self._rate))
        buffer.release(played - round(RELEASE_BEHIND * self._rate))
        if buffer.play.is_playing():
            return False
        if played < buffer.frames - CUT_SHORT * self._rate:
            raise PlaybackError(f"{GONE}; {FIX_HINT}")
        if self._ended:
            return True
        # The source outlasted the buffer (a long pause): carry on in a new one.
        self._begin()
        return False

    # --- the interface ------------------------------------------------------------------

    def heard(self) -> int:
        with self._lock:
            buffer = self._buffer
            if buffer is None:
                return 0
            return buffer.start + min(buffer.elapsed(self._rate), buffer.filled)

    def interrupt(self, change: Callable[[], object]) -> None:
        with self._lock:
            assert self._source is not None
            # What simpleaudio has already handed on is heard even after it stops: the
            # stream is cut there, and goes on from there.
            heard = min(self._pulled, self.heard() + round(STOP_TAIL * self._rate))
            self._silence(heard)
            if self._pulled > heard:
                self._source.undo(self._pulled - heard)
                self._pulled = heard
            self._source.cut()
            self._ended = False
            change()
            if not self._stopping:
                self._begin()
        self._wake.set()

    def _silence(self, after: int | None = None) -> None:
        """Stop the current buffer, zeroing it from output frame ``after`` (default: what
        has been played), so that what simpleaudio reads from then on is silence."""
        buffer, self._buffer = self._buffer, None
        if buffer is None:
            return
        buffer.play.stop()
        cut = buffer.elapsed(self._rate) if after is None else after - buffer.start
        buffer.pcm[max(0, min(cut, buffer.filled)) : buffer.filled] = 0

    def wait(self, timeout: float) -> bool:
        finished = self._done.wait(timeout)
        if self._failure is not None:
            raise self._failure
        return finished

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            play = self._buffer.play if self._buffer is not None else None
            self._silence()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        # simpleaudio's own thread drains what it queued, then touches Python objects:
        # let it finish before the program may exit (it takes 0.2 s at most).
        deadline = time.monotonic() + DRAIN_WAIT
        while play is not None and play.is_playing() and time.monotonic() < deadline:
            time.sleep(0.01)
