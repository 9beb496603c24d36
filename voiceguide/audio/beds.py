"""Soundscapes (beds) to lie under the voice: built-in ones made in code, or a user's file.

A bed is read like the Timeline, ``read(start, count)``, any frames in any order, and
gives the same samples however it is read, so that ``play`` (which jumps) and ``export``
(which reads straight through) hear the same bed. Its level is about one (RMS) between
fades; the mix (``render/bedmix.py``) sets how loud it is and ducks it under the words.

The built-in beds keep no buffer of the session's length, so memory is the same for an
hour as for a minute: noise is a few seconds' table made periodic (seeded random
spectrum bins, so its end runs into its start like any two neighbouring frames), two
tables of different lengths are layered so the sum repeats only after hours, and the
slow movements (the swell of the waves, the drone's beating) are functions of the
frame's time, made a block at a time. docs/soundscapes.md says how each one is made.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from voiceguide.audio.samples import Samples
from voiceguide.errors import BedError

BUILT_IN = ("brown", "waves", "drone")
SEED = 21_0611  # every built-in bed's noise: the same samples on every run
TABLE = 2**19  # frames of a noise table: 24 s at 22050 Hz, 2 MB
OTHER_TABLE = 2**19 - 2**13  # another table's: the two align again only after hours
BLOCK = 65536  # frames of a slow movement made at a time: 3 s, as export reads them
SLOW_STEP = 64  # frames between the points at which a slow movement is computed
LOOP_CROSSFADE = 2.0  # seconds over which a user's file runs into its own start again
MIN_FILE_SECONDS = 1.0  # a shorter file cannot loop without being heard as a pulse
MAX_FILE_BYTES = 256 * 1024 * 1024  # about 25 minutes of WAV at 44.1 kHz stereo


class Bed(Protocol):
    """A soundscape at one sample rate: mono, about unit RMS, endless; ``peak`` is a
    magnitude no sample of it ever passes (a bound, known without reading it all)."""

    @property
    def peak(self) -> float: ...

    def read(self, start: int, count: int) -> Samples: ...


def open_bed(source: str, sample_rate: int) -> Bed:
    """The built-in bed named ``source``, or the audio file at that path, at
    ``sample_rate``; ``BedError`` naming it when it is neither, or cannot be used."""
    if source in BUILT_IN:
        return _BUILDERS[source](sample_rate)
    path = Path(source).expanduser()
    if not path.exists() and path.suffix == "":
        from voiceguide.text import did_you_mean

        hint = did_you_mean(source, list(BUILT_IN))
        raise BedError(
            f"no soundscape named '{source}' and no such file"
            + (hint or f"; give one of {', '.join(BUILT_IN)}, or an audio file's path")
        )
    return file_bed(path, sample_rate)


# --- made in code -------------------------------------------------------------------------


Shape = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


class _Periodic:
    """``table`` over and over: its end runs into its start with no seam (each table
    here is made periodic, or crossfaded into its start)."""

    def __init__(self, table: Samples) -> None:
        self.table = table
        self.peak = float(np.max(np.abs(table), initial=0.0))

    def read(self, start: int, count: int) -> Samples:
        out = np.empty(count, dtype=np.float32)
        done, length = 0, len(self.table)
        while done < count:
            offset = (start + done) % length
            take = min(count - done, length - offset)
            out[done : done + take] = self.table[offset : offset + take]
            done += take
        return out

    def window(self, start: int, count: int) -> Samples:
        """``read``, but the table itself (not to be written) where the frames lie
        within one pass of it: most of a bed's reads copy nothing."""
        offset = start % len(self.table)
        if offset + count <= len(self.table):
            return self.table[offset : offset + count]
        return self.read(start, count)


def _noise(shape: Shape, length: int, sample_rate: int, seed: int) -> _Periodic:
    """Noise with the magnitude response ``shape(frequencies in Hz)``, at unit RMS,
    repeating every ``length`` frames: made as a spectrum of seeded random bins, so the
    table is exactly periodic and its end joins its start as smoothly as any two frames."""
    rng = np.random.default_rng(seed)
    bins = length // 2 + 1
    spectrum = rng.standard_normal(bins, dtype=np.float32) + 1j * rng.standard_normal(
        bins, dtype=np.float32
    )
    frequencies = np.fft.rfftfreq(length, 1.0 / sample_rate).astype(np.float64)
    spectrum *= shape(frequencies).astype(np.float32)
    table = np.fft.irfft(spectrum.astype(np.complex64), length).astype(np.float32)
    table /= np.float32(np.sqrt(np.mean(table.astype(np.float64) ** 2)))
    return _Periodic(table)


def _high_pass(corner: float) -> Shape:
    """A gentle second-order high pass: nothing a small speaker cannot play."""
    return lambda f: f**2 / (f**2 + corner**2)


def _low_pass(corner: float, order: float) -> Shape:
    return lambda f: 1.0 / np.sqrt(1.0 + (f / corner) ** (2 * order))


def _times(*shapes: Shape) -> Shape:
    return lambda f: functools.reduce(np.multiply, (s(f) for s in shapes), np.ones_like(f))


class _Blocks:
    """A bed whose slow movements are made in blocks of ``BLOCK`` frames, each a function
    of its number alone: a read gives the same samples whatever frames it starts at."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._block = functools.lru_cache(maxsize=4)(self._made)
        self._steps = (np.arange(SLOW_STEP) / SLOW_STEP).astype(np.float32)

    def _made(self, index: int) -> npt.NDArray[np.float32]:
        block = self.make_block(index).astype(np.float32, copy=False)
        block.flags.writeable = False
        return block

    def make_block(self, index: int) -> npt.NDArray[np.float32]:
        raise NotImplementedError

    def read(self, start: int, count: int) -> Samples:
        out = np.empty(count, dtype=np.float32)
        done = 0
        while done < count:
            index, offset = divmod(start + done, BLOCK)
            take = min(count - done, BLOCK - offset)
            out[done : done + take] = self._block(index)[offset : offset + take]
            done += take
        return out

    def seconds(self, index: int) -> npt.NDArray[np.float64]:
        """The times, in seconds, of block ``index``'s points: every ``SLOW_STEP``
        frames from its first to the next block's first."""
        points = index * BLOCK + np.arange(0, BLOCK + SLOW_STEP, SLOW_STEP, dtype=np.float64)
        return points / self.sample_rate

    def slow(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
        """A slow movement's ``values`` at a block's points (``seconds``; one row per
        movement), joined by straight lines over the block's frames (it changes over
        seconds, not samples): one row of ``BLOCK`` frames per movement."""
        points = values.astype(np.float32)
        rise = np.diff(points)
        lines = rise[..., None] * self._steps
        lines += points[..., :-1, None]
        return lines.reshape(*values.shape[:-1], BLOCK)


class _Brown:
    """Soft brown noise: falling 6 dB an octave from 60 Hz (the sound of a distant
    waterfall), with the rumble under 30 Hz and the hiss over 5 kHz taken out. Two
    tables of different lengths, added: together they repeat only after hours."""

    def __init__(self, sample_rate: int) -> None:
        shape = _times(_high_pass(30.0), _low_pass(60.0, 1.0), _low_pass(5000.0, 2.0))
        self._one = _noise(shape, TABLE, sample_rate, SEED)
        self._other = _noise(shape, OTHER_TABLE, sample_rate, SEED + 1)
        self.peak = (self._one.peak + self._other.peak) * math.sqrt(0.5)

    def read(self, start: int, count: int) -> Samples:
        mix = self._one.read(start, count) + self._other.read(start, count)
        return mix * np.float32(math.sqrt(0.5))


# The swell of the waves: three slow cycles whose periods share no small multiple, so the
# pattern of crests does not repeat within hours.
SWELL = ((10.3, 0.30, 0.0), (6.1, 0.15, 1.3), (23.7, 0.10, 0.4))  # (period s, depth, phase)


def _swell(seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    swell = np.full_like(seconds, 0.5)
    for period, depth, phase in SWELL:
        swell += depth * np.sin(2.0 * np.pi * seconds / period + phase)
    return np.clip(swell, 0.0, 1.0)


def _body_gain(swell: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 0.25 + 0.75 * swell


def _surf_gain(swell: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 0.6 * swell**3


class _Waves(_Blocks):
    """A slow swell: a deep wash of low noise rising and falling, with a brighter surf
    noise that comes up only near each crest."""

    def __init__(self, sample_rate: int) -> None:
        super().__init__(sample_rate)
        body = _times(_high_pass(40.0), _low_pass(250.0, 1.0))
        surf = _times(_high_pass(600.0), _low_pass(3000.0, 1.0))
        self._body = _noise(body, TABLE, sample_rate, SEED + 2)
        self._surf = _noise(surf, OTHER_TABLE, sample_rate, SEED + 3)
        # The independent unit noises add in power: the gains' mean power over an hour.
        swell = _swell(np.arange(0.0, 3600.0, 0.05))
        power = np.mean(_body_gain(swell) ** 2 + _surf_gain(swell) ** 2)
        self._scale = 1.0 / math.sqrt(float(power))
        # The body's gain is at most 1 and the surf's 0.6.
        self.peak = self._scale * (self._body.peak + 0.6 * self._surf.peak)

    def make_block(self, index: int) -> npt.NDArray[np.float32]:
        first = index * BLOCK
        swell = _swell(self.seconds(index))
        gains = self.slow(np.stack([_body_gain(swell), _surf_gain(swell)]))
        body: npt.NDArray[np.float32] = self._body.window(first, BLOCK) * gains[0]
        body += self._surf.window(first, BLOCK) * gains[1]
        body *= np.float32(self._scale)
        return body


# The drone: an open fifth on A, harmonics of about 55 Hz, each partial slowly beating
# (as two strings a fraction of a hertz apart do) and fading in and out on its own cycle.
DRONE_ROOT = 55.0
DRONE = (  # (harmonic, beat Hz, level, swell period s)
    (1, 0.11, 1.0, 29.0),
    (2, 0.17, 0.8, 19.0),
    (3, 0.23, 0.45, 23.0),
    (4, 0.07, 0.25, 31.0),
)


class _Drone(_Blocks):
    """A quiet low drone: a few sine partials of an open fifth, slowly beating."""

    def __init__(self, sample_rate: int) -> None:
        super().__init__(sample_rate)
        # A whole number of frames per cycle of the root (55.1 Hz at 22050 Hz), so each
        # partial is a short table read with no rounding drift at any hour.
        self._period = round(sample_rate / DRONE_ROOT)
        cycle = 2.0 * np.pi * np.arange(self._period, dtype=np.float64) / self._period
        # Each partial at its level, repeated over a block and one cycle more: a block
        # that starts at any phase of the cycle is a slice of it, nothing copied.
        self._carriers = np.stack(
            [
                np.float32(level)
                * np.resize(np.sin(harmonic * cycle).astype(np.float32), BLOCK + self._period)
                for harmonic, _, level, _ in DRONE
            ]
        )
        self._beats = np.array([[beat] for _, beat, _, _ in DRONE])
        self._periods = np.array([[period] for _, _, _, period in DRONE])
        # A partial is level times a sine (mean square 1/2), its beat (a cosine: 1/2)
        # and its swell (0.6 + 0.4 sin: 0.6² + 0.4²/2); the partials add in power.
        power = sum(level**2 / 4 * (0.6**2 + 0.4**2 / 2) for _, _, level, _ in DRONE)
        self._scale = 1.0 / math.sqrt(power)
        self.peak = self._scale * sum(level for _, _, level, _ in DRONE)  # beat, swell ≤ 1

    def make_block(self, index: int) -> npt.NDArray[np.float32]:
        phase = (index * BLOCK) % self._period
        seconds = self.seconds(index)
        # Each partial's beat and swell (a row each), at the block's points.
        swell = 0.6 + 0.4 * np.sin(2.0 * np.pi * seconds / self._periods + self._periods)
        partials = self.slow(np.cos(np.pi * self._beats * seconds) * swell)
        partials *= self._carriers[:, phase : phase + BLOCK]
        mix = np.zeros(BLOCK, dtype=np.float32)
        for partial in partials:
            mix += partial
        mix *= np.float32(self._scale)
        return mix


_BUILDERS: dict[str, Callable[[int], Bed]] = {"brown": _Brown, "waves": _Waves, "drone": _Drone}


# --- a user's file ------------------------------------------------------------------------


def file_bed(path: Path, sample_rate: int) -> Bed:
    """The audio file at ``path`` as a bed: decoded (soundfile: WAV, FLAC, Ogg, MP3),
    mixed to mono, resampled, at unit loudness, its end crossfaded into its start over
    ``LOOP_CROSSFADE`` seconds so it loops with no seam."""
    from voiceguide.audio.signal import decode, loudness_db, raised_cosine, resample
    from voiceguide.errors import UnreadableFileError
    from voiceguide.reading import read_file

    try:
        data = read_file(path, max_bytes=MAX_FILE_BYTES)
    except UnreadableFileError as exc:
        raise BedError(f"cannot use {path} as a soundscape: {exc}") from None
    try:
        samples, rate = decode(data)
    except Exception as exc:  # libsndfile's errors name no type of their own
        raise BedError(
            f"cannot use {path} as a soundscape: it is not an audio file soundfile can read "
            f"({_first_line(exc)}); give a WAV, FLAC, Ogg or MP3 file"
        ) from None
    if len(samples) < MIN_FILE_SECONDS * rate:
        raise BedError(
            f"cannot use {path} as a soundscape: it is shorter than {MIN_FILE_SECONDS:g} s; "
            "give a longer file"
        )
    samples = resample(samples, rate, sample_rate)
    level = loudness_db(samples, sample_rate)
    if not math.isfinite(level):
        raise BedError(f"cannot use {path} as a soundscape: it is silent; give another file")
    samples = samples * np.float32(10.0 ** (-level / 20.0))
    overlap = min(round(LOOP_CROSSFADE * sample_rate), len(samples) // 4)
    rising = raised_cosine(overlap, midpoints=True).astype(np.float32)
    loop = samples[: len(samples) - overlap].copy()
    loop[:overlap] = samples[:overlap] * rising + samples[len(samples) - overlap :] * rising[::-1]
    return _Periodic(loop)


def _first_line(exc: Exception) -> str:
    """libsndfile's own reason ("Format not recognised"), without the Python object it
    was reading from."""
    reason = getattr(exc, "error_string", None) or str(exc)
    lines = reason.strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__
