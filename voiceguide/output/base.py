"""The output interface: what every backend (sounddevice, simpleaudio, the tests' fake) offers.

A backend pulls frames from a ``Source`` (the transport) and makes them heard. It keeps
the clock: ``heard()`` is how many of the frames it pulled have reached the listener, so
the player's idea of "where we are" comes from the device, never from sleeping. Pulling
is the backend's business: a callback stream pulls a few milliseconds ahead, a backend
that plays whole buffers pulls a whole stretch of sound ahead and gives back what was not
heard when the listener changes course (``interrupt``).
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol

from voiceguide.audio.samples import Samples
from voiceguide.errors import PlaybackError

# What every playback fault tells the user to try next.
FIX_HINT = "run `voiceguide doctor`, or `voiceguide export` the routine to play it elsewhere"
# What a backend says when its device goes away mid-routine.
GONE = (
    "the audio output stopped in the middle of the routine (was the sound server stopped or"
    " the device unplugged?)"
)


# A stream that has not asked for audio in this long, while this process was running, has
# lost its device.
STALL = 2.0
# A longer gap between two looks at the stream means this process itself was held up (a busy
# machine, not a lost device): the stream is given the time it missed again.
HELD_UP = 0.5


class Watchdog:
    """Whether a stream that should be asking for sound has stopped: no request for
    ``STALL`` seconds of this process running. Under a heavy load the whole process waits
    for a while, the stream's thread with it; that silence is the machine's, and quitting
    the routine for it would be wrong."""

    def __init__(self) -> None:
        self._fed = 0.0
        self._watched_since = 0.0  # looked at the stream regularly since then
        self._last_look = 0.0

    def fed(self) -> None:
        """The stream asked for sound just now."""
        self._fed = time.monotonic()

    def starved(self) -> bool:
        """Asked at every look at the stream (the player's loop)."""
        now = time.monotonic()
        if now - self._last_look > HELD_UP:
            self._watched_since = now
        self._last_look = now
        return now - max(self._fed, self._watched_since) > STALL


class BackendUnavailable(PlaybackError):
    """A backend whose library is missing: ``reason`` says what, ``fix`` how to get it."""

    def __init__(self, reason: str, fix: str) -> None:
        self.reason = reason
        self.fix = fix
        super().__init__(f"{reason}: {fix}; {FIX_HINT}")


class Source(Protocol):
    """Frames to play, ``channels`` wide at ``sample_rate``; the transport implements it."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    def pull(self, count: int) -> Samples | None:
        """The next ``count`` frames as (count, channels) float32, or None when finished."""

    def undo(self, count: int) -> None:
        """Take back the last ``count`` frames pulled: they were never heard."""

    def cut(self) -> None:
        """The output silenced at once what it was playing (after ``undo``): what plays
        next starts from silence, with nothing of the old sound to fade out."""

    def remaining(self) -> int | None:
        """Frames still to come if nothing changes; None while paused (no end in sight)."""


class Output(abc.ABC):
    """One playback backend. Use as a context manager so the device is always released."""

    name: str = ""

    @abc.abstractmethod
    def warm_up(self) -> None:
        """Load the sound library and find the device ahead of ``start``, so that ``start``
        is quick (``start`` does this itself when it was not done); may run in a thread."""

    @abc.abstractmethod
    def start(self, source: Source) -> None:
        """Open the device and begin playing ``source``; raises PlaybackError when the
        device cannot be used."""

    @abc.abstractmethod
    def heard(self) -> int:
        """How many frames pulled from the source have been heard so far."""

    @abc.abstractmethod
    def interrupt(self, change: Callable[[], object]) -> None:
        """Apply ``change`` (a pause, a skip) to the source where the listener is now.

        A backend that pulled ahead silences what was not yet heard and ``undo``es it on
        the source first, so the change is heard at once and nothing is lost or repeated.
        """

    @abc.abstractmethod
    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True once the source has finished and every
        frame has been played. Raises PlaybackError if the device failed meanwhile."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Silence at once and release the device; safe to call more than once."""

    def __enter__(self) -> Output:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
