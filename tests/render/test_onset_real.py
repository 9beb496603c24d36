"""A clip's onset on real voices: a breath before a Piper word is left out of the clip,
and no word of the built-in routines loses its first sound (a soft "h", "f", "s" or
"th"), with Piper or with espeak-ng."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.audio.signal import audible_span, db_to_gain, peak, speech_onset
from voiceguide.render import assembly
from voiceguide.render.clips import process
from voiceguide.routine.library import all_routines
from voiceguide.script.compiler import spoken_texts
from voiceguide.script.records import DEFAULT_RATE, CompileOptions
from voiceguide.speech import open_voice
from voiceguide.speech.base import Voice


@pytest.fixture(scope="module")
def piper() -> Voice:
    return open_voice("piper", None, DEFAULT_RATE)


def routine_texts() -> list[str]:
    options = CompileOptions()
    return sorted(frozenset[str]().union(*(spoken_texts(r, options) for r in all_routines())))


def test_a_breath_before_a_piper_word_is_left_out_of_its_clip(piper: Voice) -> None:
    word, rate = piper.synthesize("Relax.")
    onset = audible_span(word)[0]
    # The breath: the voice's own breathy "h" (before its vowel), 36 dB under the word,
    # put in the silence before the word so that it starts 50 ms before it.
    hold, _ = piper.synthesize("Hold.")
    h_start = audible_span(hold)[0]
    h = hold[h_start : h_start + round(0.025 * rate)]
    breath = h * np.float32(peak(word) * db_to_gain(-36.0) / peak(h))
    breath_start = onset - round(0.05 * rate)
    assert breath_start >= 0
    breathing = word.copy()
    breathing[breath_start : breath_start + len(breath)] += breath
    assert onset - audible_span(breathing)[0] >= round(0.03 * rate)  # heard 30 ms early

    assert speech_onset(breathing, rate) == onset
    # The clip is the word's clip, sample for sample: it starts at the word.
    expected = process(word, rate, assembly.SAMPLE_RATE)
    np.testing.assert_array_equal(process(breathing, rate, assembly.SAMPLE_RATE), expected)


def test_no_piper_word_of_the_routines_loses_its_soft_first_sound(piper: Voice) -> None:
    # The shortest text for each way of starting with "h", "f", "s" or "th" (the "s" of
    # "stretch" is set apart from its vowel by the "t"), to keep the synthesis short.
    shortest: dict[str, str] = {}
    for text in routine_texts():
        start = text[:2].casefold()
        if start[0] in "hfs" or start == "th":
            shortest[start] = min(shortest.get(start, text), text, key=len)
    assert {"st", "sl", "ho", "fi", "th"} <= shortest.keys()
    for text in shortest.values():
        raw, rate = piper.synthesize(text)
        assert speech_onset(raw, rate) == audible_span(raw)[0], text


def test_no_espeak_ng_clip_of_the_routines_starts_later() -> None:
    voice = open_voice("pyttsx3", None, DEFAULT_RATE)
    texts = routine_texts()
    assert len(texts) > 200
    for text in texts:
        raw, rate = voice.synthesize(text)
        assert speech_onset(raw, rate) == audible_span(raw)[0], text
