"""The voice-activity gate with the real Silero model, fed as the microphone feeds it
(128 ms blocks): a spoken word is one utterance, whole, and so is a command said with a
pause between its words; noise alone is none."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from tests.support.microphone import RATE, room_noise, spoken, with_noise
from voiceguide.listen.gate import (
    BEFORE,
    EARLY_SILENCE,
    LONGEST,
    WINDOW,
    SpeechGate,
    Utterance,
    silero,
)

BLOCK = 4 * WINDOW
NATURAL_GAP = 0.25  # seconds between two words of a command said with a pause


def fed_in_blocks(audio: np.ndarray) -> list[np.ndarray]:
    gate = SpeechGate(silero())
    padded = np.concatenate([audio, np.zeros(RATE, np.float32)])
    fed = [u for i in range(0, len(padded), BLOCK) for u in gate.feed(padded[i : i + BLOCK])]
    # Each utterance is offered, then said to have ended, the same sound both times (an
    # offer the speaker went on from is followed by a longer one, not by its end).
    for before, utterance in itertools.pairwise(fed):
        if utterance.ended:
            assert not before.ended and before.number == utterance.number
            assert before.audio is utterance.audio
    return [u.audio for u in fed if u.ended]


def test_a_word_said_over_noise_is_one_whole_utterance(tmp_path: Path) -> None:
    for speaker in ("espeak-ng", "piper"):
        said = spoken("go on", speaker, tmp_path)
        [utterance] = fed_in_blocks(with_noise(said, 10.0, pad=0.6))
        # All of the word is in it (the gate keeps a little before and after).
        assert len(utterance) >= 0.9 * len(said), speaker


def test_room_noise_alone_is_no_utterance() -> None:
    assert fed_in_blocks((room_noise(5.0) * 0.01).astype(np.float32)) == []


def trimmed(said: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(said) > 0.01)
    return said[loud[0] : loud[-1] + 1]


@pytest.mark.parametrize("speaker", ["espeak-ng", "piper"])
def test_a_command_said_in_two_with_a_natural_gap_is_one_utterance(
    speaker: str, tmp_path: Path
) -> None:
    # Cut in two, "that ... hurts" left "hurts", which was taken as "next", and "it ...
    # hurts" left "it", taken as a rating of 8: the end of an utterance waits out the gap.
    gap = np.zeros(round(NATURAL_GAP * RATE), np.float32)
    for first, second in [
        ("where", "am I"),
        ("go", "on"),
        ("go", "back"),
        ("it", "hurts"),
        ("that", "hurts"),
    ]:
        said = np.concatenate(
            [
                trimmed(spoken(first, speaker, tmp_path)),
                gap,
                trimmed(spoken(second, speaker, tmp_path)),
            ]
        )
        for snr in (20.0, 5.0):
            heard = fed_in_blocks(
                with_noise(said, snr, seed=round(NATURAL_GAP * 100 + snr), pad=0.6)
            )
            assert len(heard) == 1, (first, second, snr)


def scripted(speech: list[int]) -> list[Utterance]:
    """What the gate gives for windows of which the voice-activity model calls ``speech``
    (1) or not (0), fed in the microphone's blocks; each window's sound is its index."""
    windows = np.repeat(np.arange(len(speech), dtype=np.float32), WINDOW)
    said = iter(np.array(speech, np.float32))
    gate = SpeechGate(lambda audio: np.array([next(said) for _ in range(len(audio) // WINDOW)]))
    return [u for i in range(0, len(windows), BLOCK) for u in gate.feed(windows[i : i + BLOCK])]


def windows_of(seconds: float) -> int:
    return round(seconds * RATE / WINDOW)


def test_after_a_click_or_talk_the_next_word_is_still_heard() -> None:
    quiet = [0] * windows_of(1.0)
    word = [1] * windows_of(0.5)
    for before in ([1], [1] * windows_of(LONGEST + 0.5)):  # too short, too long
        fed = scripted(quiet + before + quiet + word + quiet)
        assert [u.ended for u in fed] == [False, True]
        # The word, with what the gate keeps before it and the non-speech it was cut at.
        cut_at = math.ceil(EARLY_SILENCE * RATE / WINDOW)
        assert len(fed[1].audio) == (windows_of(BEFORE) + len(word) + cut_at) * WINDOW
