"""The microphone's sound cut into utterances: Silero voice-activity detection (the
model faster-whisper ships) on every 32 ms window, so that the recogniser runs only on
speech, and only once it has ended.

An utterance starts at the first window that is speech (with a little of the sound
before it, where a word's first consonant is) and ends after ``END_SILENCE`` of
non-speech. One longer than ``LONGEST`` is a sentence, not a command, and is dropped.
Non-speech older than that little before is the room's noise (``denoise``): it is taken
out of each utterance handed on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from voiceguide.listen.denoise import Mono as Mono  # the listening modules' sound, from here
from voiceguide.listen.denoise import NoiseFloor

RATE = 16_000  # Hz: what the voice-activity model and the recogniser take
WINDOW = 512  # samples per voice-activity decision (32 ms)
SPEECH = 0.5  # probability above which a window is speech
SILENCE = 0.35  # below which a window ends speech (between the two: as before)
# Seconds of non-speech that end an utterance. Shorter was measured with commands said
# with a 0.25 s pause: 0.2 s cut "that ... hurts" in two and took the "hurts" left as
# "next"; 0.25 s cut "go ... on"; for 0.09 and 0.02 s sooner (docs/listening.md).
END_SILENCE = 0.3
BEFORE = 0.2  # seconds of sound kept before the first speech window
SHORTEST = 0.1  # seconds of speech: less is a click or a breath
LONGEST = 2.5  # seconds of speech: more is talk, not a command

Probabilities = Callable[[Mono], npt.NDArray[np.float32]]  # one per WINDOW of the input


CONTEXT = 64  # samples of the window before that the model sees with each window


def silero() -> Probabilities:
    """Silero's speech probability for each window, carried on from one call to the next
    (its model file comes with faster-whisper). The model is recurrent: its state, and
    the end of the last window, go on into the next block, as over one long recording.
    faster-whisper's own call starts afresh each time, which on 128 ms blocks misses
    most words."""
    from faster_whisper.vad import get_vad_model

    session = get_vad_model().session
    state = {
        "h": np.zeros((1, 1, 128), dtype=np.float32),
        "c": np.zeros((1, 1, 128), dtype=np.float32),
    }
    last = np.zeros((1, CONTEXT), dtype=np.float32)

    def probabilities(audio: Mono) -> npt.NDArray[np.float32]:
        nonlocal last
        windows = audio.reshape(-1, WINDOW)
        context = np.concatenate([last, windows[:-1, -CONTEXT:]])
        batch = np.ascontiguousarray(np.concatenate([context, windows], axis=1))
        out, state["h"], state["c"] = session.run(None, {"input": batch, **state})
        last = windows[-1:, -CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)

    return probabilities


class SpeechGate:
    """Feed it the microphone's sound (16 kHz mono, any block size); it gives back each
    utterance once it has ended."""

    def __init__(self, probabilities: Probabilities) -> None:
        self._probabilities = probabilities
        self._noise = NoiseFloor()
        self._pending = np.zeros(0, dtype=np.float32)
        self._before: deque[Mono] = deque(maxlen=round(BEFORE * RATE / WINDOW))
        self._speech: list[Mono] = []
        self._voiced = 0  # speech windows in the utterance
        self._quiet = 0  # non-speech windows since the last speech window
        self._too_long = False

    @property
    def in_speech(self) -> bool:
        return bool(self._speech)

    def reset(self) -> None:
        """Forget whatever was being heard (the guide began to speak over it); the room's
        noise stays learnt."""
        self._pending = np.zeros(0, dtype=np.float32)
        self._before.clear()
        self._forget()

    def _forget(self) -> None:
        self._speech = []
        self._voiced = self._quiet = 0
        self._too_long = False

    def feed(self, audio: Mono) -> Iterator[Mono]:
        """The utterances that ``audio`` completes."""
        pending = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        whole = len(pending) // WINDOW * WINDOW
        self._pending = pending[whole:]
        if whole == 0:
            return
        windows = pending[:whole].reshape(-1, WINDOW)
        probs = self._probabilities(pending[:whole])
        for window, prob in zip(windows, probs, strict=True):
            heard = self._step(window, float(prob))
            if heard is not None:
                yield heard

    def _step(self, window: Mono, prob: float) -> Mono | None:
        if not self._speech:
            if prob >= SPEECH:
                self._speech = [*self._before, window]
                self._voiced, self._quiet = 1, 0
            else:
                if len(self._before) == self._before.maxlen:
                    self._noise.learn(self._before[0])  # too long before to be a word's start
                self._before.append(window)
            return None
        self._speech.append(window)
        if prob >= SILENCE:
            self._voiced += 1
            self._quiet = 0
        else:
            self._quiet += 1
        if self._voiced * WINDOW > LONGEST * RATE:
            self._too_long = True
        if self._quiet * WINDOW < END_SILENCE * RATE:
            return None
        speech, long_one, voiced = self._speech, self._too_long, self._voiced
        self._forget()
        if long_one or voiced * WINDOW < SHORTEST * RATE:
            return None
        return self._noise.removed(np.concatenate(speech))
