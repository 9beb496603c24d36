"""The microphone's sound cut into utterances: Silero voice-activity detection (the
model faster-whisper ships) on every 32 ms window, so that the recogniser runs only on
speech, and only once it has ended.

An utterance starts at the first window that is speech (with a little of the sound
before it, where a word's first consonant is) and ends after ``END_SILENCE`` of
non-speech. One longer than ``LONGEST`` is a sentence, not a command, and is dropped.
Non-speech older than that little before is the room's noise (``denoise``): it is taken
out of each utterance handed on.

Each utterance is handed on twice, the same sound both times: first once ``EARLY_SILENCE``
of non-speech has followed it (the speaker may still go on: the listener recognises it
ahead, while the gate waits), then once ``END_SILENCE`` has (the speaker did not go on:
the listener acts on what it recognised). So the words are recognised while the gate
waits out what might have been a pause between two words, and a decision comes about
``END_SILENCE - EARLY_SILENCE`` sooner than if recognising began at the end.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

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
# Seconds of non-speech after which the utterance so far is handed on to be recognised
# ahead, and where its sound is cut (the rest of the wait is the room's noise). Over five
# draws of the bench's noise, cut at 0.09 s 6 sayings in 510 fewer were recognised than
# at the end (a word's soft last sound cut off); at 0.15 s, 2 fewer and 4 fewer wrong
# (docs/listening.md).
EARLY_SILENCE = 0.15
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


@dataclass(frozen=True)
class Utterance:
    """Speech followed by ``EARLY_SILENCE`` of non-speech (``audio``, the room's steady
    noise taken out). ``ended`` is False when it is first handed on (more words may
    follow: a new utterance, with a larger ``number``, then takes its place), True when
    ``END_SILENCE`` has passed without any: the same utterance, to act on."""

    audio: Mono
    number: int
    ended: bool


class SpeechGate:
    """Feed it the microphone's sound (16 kHz mono, any block size); it gives back each
    utterance twice: when it may have ended, and when it has."""

    def __init__(self, probabilities: Probabilities) -> None:
        self._probabilities = probabilities
        self._noise = NoiseFloor()
        self._pending = np.zeros(0, dtype=np.float32)
        self._before: deque[Mono] = deque(maxlen=round(BEFORE * RATE / WINDOW))
        self._speech: list[Mono] = []
        self._voiced = 0  # speech windows in the utterance
        self._quiet = 0  # non-speech windows since the last speech window
        self._too_long = False
        self._offered: Utterance | None = None  # handed on early, with no speech since
        self._count = 0  # utterances handed on early so far

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
        self._offered = None

    def feed(self, audio: Mono) -> Iterator[Utterance]:
        """The utterances that ``audio`` may have ended, and those it has ended."""
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

    def _step(self, window: Mono, prob: float) -> Utterance | None:
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
            self._offered = None  # the speaker went on: what was offered is not all
        else:
            self._quiet += 1
        if self._voiced * WINDOW > LONGEST * RATE:
            self._too_long = True
        command_sized = not self._too_long and self._voiced * WINDOW >= SHORTEST * RATE
        if command_sized and self._offered is None and self._quiet * WINDOW >= EARLY_SILENCE * RATE:
            self._count += 1
            audio = self._noise.removed(np.concatenate(self._speech))
            self._offered = Utterance(audio, self._count, ended=False)
            return self._offered
        if self._quiet * WINDOW < END_SILENCE * RATE:
            return None
        offered = self._offered
        self._forget()
        return None if offered is None else replace(offered, ended=True)
