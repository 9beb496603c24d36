"""The real recogniser (Whisper tiny.en, in memory) on a saying it once got dangerously
wrong: espeak-ng's "that hurts" over room noise at 20 dB, cut by the real gate as the
bench cuts it, heard as "Next." and acted on as a skip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scripts.bench_listen import utterances
from tests.support.microphone import spoken, with_noise
from voiceguide.listen.recogniser import Recogniser
from voiceguide.listen.vocabulary import decide
from voiceguide.player.commands import Command

pytestmark = pytest.mark.slow

SEED = 18  # the bench's noise for this saying: the 19th it makes


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


def test_that_hurts_heard_as_next_stops_instead(recogniser: Recogniser, tmp_path: Path) -> None:
    said = with_noise(spoken("that hurts", "espeak-ng", tmp_path), 20.0, seed=SEED, pad=0.6)
    cut = utterances(said)
    assert len(cut) == 1
    transcript = recogniser.transcribe(cut[0][0])
    heard = decide(transcript)
    assert heard is not None and heard.command is Command.HURT, transcript


def test_a_clear_next_is_still_next(recogniser: Recogniser, tmp_path: Path) -> None:
    said = with_noise(spoken("next", "piper", tmp_path), 20.0, seed=SEED, pad=0.6)
    transcript = recogniser.transcribe(np.concatenate([u for u, _, _ in utterances(said)]))
    heard = decide(transcript)
    assert heard is not None and heard.command is Command.NEXT, transcript
