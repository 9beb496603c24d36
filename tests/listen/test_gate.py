"""The voice-activity gate with the real Silero model, fed as the microphone feeds it
(128 ms blocks): a spoken word is one utterance, whole; noise alone is none."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.support.microphone import RATE, room_noise, spoken, with_noise
from voiceguide.listen.gate import WINDOW, SpeechGate, silero

BLOCK = 4 * WINDOW


def fed_in_blocks(audio: np.ndarray) -> list[np.ndarray]:
    gate = SpeechGate(silero())
    padded = np.concatenate([audio, np.zeros(RATE, np.float32)])
    return [u for i in range(0, len(padded), BLOCK) for u in gate.feed(padded[i : i + BLOCK])]


def test_a_word_said_over_noise_is_one_whole_utterance(tmp_path: Path) -> None:
    for speaker in ("espeak-ng", "piper"):
        said = spoken("go on", speaker, tmp_path)
        [utterance] = fed_in_blocks(with_noise(said, 10.0, pad=0.6))
        # All of the word is in it (the gate keeps a little before and after).
        assert len(utterance) >= 0.9 * len(said), speaker


def test_room_noise_alone_is_no_utterance() -> None:
    assert fed_in_blocks((room_noise(5.0) * 0.01).astype(np.float32)) == []
