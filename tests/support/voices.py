"""Voices for quick tests beside the real ones: fakes that say any text at once with clips
whose shape a test can predict, and a wrapper counting what reaches a real voice."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.speech import Parallelism, Voice

RATE = 44100


@dataclass
class CountingVoice:
    """A real voice, counting the syntheses that reach it."""

    inner: Voice
    calls: list[str] = field(default_factory=list)

    @property
    def engine(self) -> str:
        return self.inner.engine

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def identity(self) -> str:
        return self.inner.identity

    def synthesize(self, text: str) -> tuple[Samples, int]:
        self.calls.append(text)
        return self.inner.synthesize(text)


@dataclass
class ToneVoice:
    """A fake voice at 8 kHz: 50 ms of silence, then a buzz 800 samples per character,
    then silence. ``stamp`` adds as many samples as the pid of the process that
    synthesized it, modulo 1000, so a test can tell which process did."""

    stamp: bool = False
    engine: str = "tone"
    name: str = "tone"
    identity: str = "tone 1|tone|160 wpm"
    parallelism: Parallelism = "processes"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        frames = 800 * len(text) + (os.getpid() % 1000 if self.stamp else 0)
        body = np.where(np.arange(frames) % 2, 0.3, -0.3).astype(np.float32)
        silence = np.zeros(400, np.float32)
        return np.concatenate([silence, body, silence]), 8000


@dataclass
class SilentVoice:
    """Half a second of silence at 44.1 kHz, whatever the text."""

    engine: str = "silent"
    name: str = "silent"
    identity: str = "silent|1"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        return np.zeros(RATE // 2, np.float32), RATE
