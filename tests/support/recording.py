"""Recording what a PulseAudio sink really played, and comparing it with a Timeline.

Used by the real-playback tests and by scripts/bench_player.py. A keeper stream plays
silence into the sink for the whole recording: without it a null sink renders in large
blocks and the moment sound reaches the monitor jumps about. ``parec`` records the monitor
at the Timeline's own rate, read as it arrives, so ``frames`` says how far the recording
had got at any moment (a clock shared with what was played).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from types import TracebackType

import numpy as np
import numpy.typing as npt
import pytest

Signal = npt.NDArray[np.float32]

NEEDS_PULSE = "needs a PulseAudio server (run scripts/test)"


def private_sink() -> str | None:
    """The private test sink, when scripts/test (or a developer) started one."""
    if not os.environ.get("PULSE_SERVER"):
        return None
    return os.environ.get("VOICEGUIDE_TEST_SINK") or None


# Marks a test that plays into (or records from) the private sink.
needs_pulse = pytest.mark.skipif(private_sink() is None, reason=NEEDS_PULSE)


def wait_for_sound(recording: MonitorRecording, start: int, timeout: float = 30.0) -> int:
    """The recording frame where sound first arrives after ``start`` (a bounded wait,
    looking every 5 ms so that what follows starts close to that moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard = first_sound(recording.samples()[start:])
        if heard is not None:
            return start + heard
        recording.wait_for(round(0.005 * recording.rate), timeout=5)
    raise AssertionError("the program made no sound")


class MonitorRecording:
    """Records ``sink``'s monitor, mono float32 at ``rate``, while the block runs."""

    def __init__(self, sink: str, rate: int, server: str | None = None) -> None:
        self.sink = sink
        self.rate = rate
        self._server = [f"--server={server}"] if server else []
        self._chunks: list[bytes] = []
        self._bytes = 0
        self._lock = threading.Lock()
        self._keeper: subprocess.Popen[bytes] | None = None
        self._parec: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> MonitorRecording:
        if os.environ.get("VOICEGUIDE_TEST_AUDIO") == "none":
            # The part of scripts/test without sound runs at the lowest priority, where
            # a program playing in real time can go unheard for seconds: fail at once.
            pytest.fail("this test records what is played in real time: mark it `audio`")
        self._keeper = subprocess.Popen(
            [
                "pacat",
                *self._server,
                "--playback",
                "--latency-msec=10",
                f"--device={self.sink}",
                "/dev/zero",
            ],
            stderr=subprocess.DEVNULL,
        )
        self._parec = subprocess.Popen(
            [
                "parec",
                *self._server,
                "--raw",
                "--latency-msec=10",
                f"--device={self.sink}.monitor",
                "--format=float32le",
                "--channels=1",
                f"--rate={self.rate}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # The keeper needs about a second before the sink settles into small blocks;
        # the recording itself shows when that second has passed.
        self.wait_for(self.rate, timeout=10.0)
        return self

    def _read(self) -> None:
        assert self._parec is not None and self._parec.stdout is not None
        fd = self._parec.stdout.fileno()
        while chunk := os.read(fd, 4096):
            with self._lock:
                self._chunks.append(chunk)
                self._bytes += len(chunk)

    @property
    def frames(self) -> int:
        """Frames recorded so far."""
        with self._lock:
            return self._bytes // 4

    def wait_for(self, frames: int, timeout: float) -> None:
        """Wait until ``frames`` more frames have been recorded (bounded by ``timeout``)."""
        target = self.frames + frames
        deadline = time.monotonic() + timeout
        while self.frames < target:
            if time.monotonic() > deadline:
                raise TimeoutError("the monitor recording stopped delivering audio")
            time.sleep(0.01)

    def samples(self) -> Signal:
        with self._lock:
            data = b"".join(self._chunks)
        return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").astype(np.float32)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for process in (self._parec, self._keeper):
            if process is not None:
                process.terminate()
                process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)


# --- comparing a recording with a Timeline --------------------------------------------------


def mono(samples: npt.NDArray[np.float32]) -> Signal:
    """(frames, channels) as one channel, as a mono monitor recording hears it."""
    if samples.ndim == 1:
        return samples
    return np.asarray(samples.mean(axis=1), dtype=np.float32)


def first_sound(signal: Signal, threshold: float = 0.01) -> int | None:
    loud = np.flatnonzero(np.abs(signal) > threshold)
    return int(loud[0]) if len(loud) else None


def last_sound(signal: Signal, threshold: float = 0.01) -> int | None:
    loud = np.flatnonzero(np.abs(signal) > threshold)
    return int(loud[-1]) if len(loud) else None


def best_lag(reference: Signal, recorded: Signal, low: int, high: int) -> tuple[int, float]:
    """The shift ``lag`` in [low, high] that best lines ``reference`` up with
    ``recorded[lag:]``, and the normalised correlation there (1.0: identical)."""
    length = len(reference)
    low = max(low, 0)
    high = min(high, len(recorded) - length)
    if high < low or length == 0:
        return low, 0.0
    window = recorded[low : high + length].astype(np.float64)
    ref = reference.astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(window) + length)))
    corr = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(ref, size)), size)
    corr = corr[: high - low + 1]
    running = np.concatenate([[0.0], np.cumsum(window**2)])
    energy = (running[length:] - running[:-length])[: high - low + 1]
    score = corr / np.sqrt(np.maximum(energy * float(ref @ ref), 1e-12))
    best = int(np.argmax(score))
    return low + best, float(score[best])


def find_clip(clip: Signal, recorded: Signal, pieces: int = 4) -> tuple[int, float]:
    """Where ``clip`` is heard in ``recorded`` and how well (1.0: exactly), allowing one
    short gap: on a busy machine the output can drop a few milliseconds (an underrun),
    which shifts the rest of the clip and halves a whole-clip match although every word
    was played. So each of ``pieces`` parts is found on its own, and the match is the
    second worst part's; the place is the clip's start as its best part puts it."""
    size = len(clip) // pieces
    if size == 0 or len(recorded) < len(clip):
        return 0, 0.0
    found = [
        best_lag(clip[i * size : (i + 1) * size], recorded, 0, len(recorded)) for i in range(pieces)
    ]
    scores = sorted(score for _, score in found)
    best = max(range(pieces), key=lambda i: found[i][1])
    return found[best][0] - best * size, scores[1]


@dataclass(frozen=True)
class CueCheck:
    text: str
    expected: int  # frame of the cue's onset in the expected signal
    error: float  # seconds: where it was heard minus where it was expected
    match: float  # normalised correlation of the heard cue with the expected one


def check_cues(
    expected: Signal,
    cues: list[tuple[str, int]],
    recorded: Signal,
    offset: int,
    rate: int,
    *,
    window: float = 0.25,
    search: float = 0.1,
) -> list[CueCheck]:
    """Each cue (text, onset frame in ``expected``) found in ``recorded`` near
    ``offset + frame`` (``offset``: where ``expected`` starts in the recording)."""
    length = round(window * rate)
    reach = round(search * rate)
    found: list[CueCheck] = []
    for text, frame in cues:
        reference = expected[frame : frame + length]
        at = offset + frame
        lag, score = best_lag(reference, recorded, at - reach, at + reach)
        found.append(CueCheck(text, frame, (lag - at) / rate, score))
    return found


def align(expected: Signal, recorded: Signal, rate: int, span: float = 2.0) -> int:
    """Where ``expected`` starts in ``recorded``, from its first ``span`` seconds of sound."""
    first = first_sound(expected)
    assert first is not None, "the expected signal is silent"
    reference = expected[first : first + round(span * rate)]
    lag, score = best_lag(reference, recorded, 0, len(recorded))
    assert score > 0.5, f"the recording does not contain the expected sound (match {score:.2f})"
    return lag - first


def dropouts(
    expected: Signal, recorded: Signal, offset: int, rate: int, block: float = 0.01
) -> list[float]:
    """Times (seconds into ``expected``) of blocks where the Timeline sounds and the
    recording, lined up at ``offset``, is (nearly) silent: a stutter or a gap."""
    size = round(block * rate)
    count = min(len(expected), len(recorded) - offset) // size
    if count <= 0:
        return []
    want = expected[: count * size].reshape(count, size)
    got = recorded[offset : offset + count * size].reshape(count, size)
    want_rms = np.sqrt((want.astype(np.float64) ** 2).mean(axis=1))
    got_rms = np.sqrt((got.astype(np.float64) ** 2).mean(axis=1))
    # Compare only blocks well inside a sound: edges shift by a sample or two.
    loud = want_rms > 0.05
    inside = loud & np.roll(loud, 1) & np.roll(loud, -1)
    missing = inside & (got_rms < 0.2 * want_rms)
    return [float(i * size / rate) for i in np.flatnonzero(missing)]
