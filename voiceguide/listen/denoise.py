"""Steady room noise (a fan, a heater, traffic far off) taken out of an utterance before
it is recognised.

The gate hands over the sound it heard as non-speech, once it is too old to be the start
of a word; the last second of it is the noise's spectrum. From every frame of an
utterance that much power is taken out of each frequency, a little more than that
(``OVER``), and never below ``FLOOR`` of what was there, so that the words keep their
shape (spectral subtraction). Whisper hears through noise well, but single words at
5 dB SNR less so: on the bench's sayings it recognised more and took fewer wrong commands
with the noise taken out (docs/listening.md). Noise that changes faster than a second
is not learnt, and is left as it is.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

# Samples at the gate's 16 kHz (the gate imports this module, so its RATE is not used).
FRAME = 512  # per spectrum (32 ms)
HOP = 128  # between spectra: four overlap, so the frames add back up exactly
LEARNT = 16_000  # of the latest non-speech kept as the noise's sample (1 s)
ENOUGH = 4_000  # of it needed before anything is taken out (0.25 s)
OVER = 1.5  # times the noise's power taken out
FLOOR = 0.15  # the least of each frequency's amplitude that is kept (-16.5 dB)

Mono = npt.NDArray[np.float32]

_WINDOW = np.hanning(FRAME + 1)[:-1]  # periodic: its overlapping squares sum to a constant

Spectra = npt.NDArray[np.complex128]


def _spectra(audio: Mono, padded: bool) -> Spectra:
    """One spectrum every ``HOP`` samples; ``padded``, zeros each side so that every
    sample of ``audio`` is in as many frames as any other."""
    if padded:
        audio = np.concatenate([np.zeros(FRAME - HOP), audio, np.zeros(FRAME)])
    count = max(0, (len(audio) - FRAME) // HOP + 1)
    starts = HOP * np.arange(count)[:, None]
    return np.fft.rfft(audio[starts + np.arange(FRAME)[None, :]] * _WINDOW, axis=1)


def _overlap_added(spectra: Spectra, length: int) -> Mono:
    """The sound back from padded ``spectra``: each frame windowed again, added, and
    divided by the windows' sum, which gives back the very samples unchanged spectra
    came from."""
    frames = np.fft.irfft(spectra, n=FRAME, axis=1) * _WINDOW
    total = np.zeros(HOP * (len(frames) - 1) + FRAME)
    weight = np.zeros_like(total)
    for index, frame in enumerate(frames):
        total[index * HOP : index * HOP + FRAME] += frame
        weight[index * HOP : index * HOP + FRAME] += _WINDOW**2
    sound = total / np.maximum(weight, 1e-9)
    out: Mono = sound[FRAME - HOP : FRAME - HOP + length].astype(np.float32)
    return out


class NoiseFloor:
    """What the room sounds like without speech, learnt window by window."""

    def __init__(self) -> None:
        self._heard: deque[Mono] = deque()
        self._samples = 0

    def learn(self, window: Mono) -> None:
        """``window`` was not speech: it is the room's noise."""
        self._heard.append(window)
        self._samples += len(window)
        while self._samples - len(self._heard[0]) >= LEARNT:
            self._samples -= len(self._heard.popleft())

    def removed(self, utterance: Mono) -> Mono:
        """``utterance`` with the noise learnt taken out; as it is, until enough is
        learnt."""
        if self._samples < ENOUGH or len(utterance) == 0:
            return utterance
        noise = np.mean(np.abs(_spectra(np.concatenate(self._heard), padded=False)) ** 2, axis=0)
        spectra = _spectra(utterance, padded=True)
        power = np.abs(spectra) ** 2
        gain = np.sqrt(np.maximum(1.0 - OVER * noise / np.maximum(power, 1e-20), FLOOR**2))
        return _overlap_added(spectra * gain, len(utterance))
