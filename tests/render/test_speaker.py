"""Speech made while playing, with the real default engine: made ahead in the background
as the routine goes on, so an answer is read back from the cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.voices import SilentVoice
from voiceguide.audio.samples import Samples
from voiceguide.errors import SpeechError
from voiceguide.render.assembly import SAMPLE_RATE, clip_store
from voiceguide.render.clips import ClipStore
from voiceguide.render.options import VoiceOptions
from voiceguide.render.speaker import Speaker
from voiceguide.speech import open_voice


def test_what_is_coming_is_made_ahead_and_asking_reads_it_back(tmp_path: Path) -> None:
    voice = VoiceOptions()
    speaker = Speaker(clip_store(voice, tmp_path, SAMPLE_RATE))
    coming = ["Step 2 of 4: Twist, left side.", "Next: Closing."]
    speaker.start(["Paused."], upcoming=lambda: coming)
    store = ClipStore(tmp_path, open_voice(voice.engine, voice.voice, voice.rate), SAMPLE_RATE)
    deadline = time.monotonic() + 30
    while not all(store.path(t).exists() for t in ["Paused.", *coming]):
        assert time.monotonic() < deadline, "the clips were not made ahead"
        time.sleep(0.05)
    asked = speaker.clip(coming[0])
    speaker.close()
    assert len(asked) > SAMPLE_RATE // 2  # speech, not silence
    assert (asked == store.get(coming[0])).all()
    assert store.rendered == 0  # read back, never made again


class MutedVoice(SilentVoice):
    """A voice that has gone: every text is a SpeechError."""

    def synthesize(self, text: str) -> tuple[Samples, int]:
        raise SpeechError("the voice is gone")


def test_a_voice_that_cannot_speak_leaves_the_thread_quietly(tmp_path: Path) -> None:
    speaker = Speaker(ClipStore(tmp_path, MutedVoice(), SAMPLE_RATE))
    speaker.start(["Paused."], upcoming=lambda: ["Next: Closing."])
    speaker.close()
    assert not any(tmp_path.rglob("*.clip"))
    with pytest.raises(SpeechError, match="the voice is gone"):
        speaker.clip("Paused.")  # said when asked for


class ListeningVoice(SilentVoice):
    """Silence, noting each text it is asked to say, in order."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str) -> tuple[Samples, int]:
        self.said.append(text)
        return super().synthesize(text)


def test_the_first_steps_answer_is_made_before_the_controls_words(tmp_path: Path) -> None:
    # "Where am I?" early in a first session must not wait for a dozen other phrases.
    voice = ListeningVoice()
    speaker = Speaker(ClipStore(tmp_path, voice, SAMPLE_RATE))
    coming = ["Step 0 of 4: Before you start.", "Now: Short check."]
    speaker.start(["Paused.", "Going on."], upcoming=lambda: coming)
    deadline = time.monotonic() + 30
    while len(voice.said) < 4:
        assert time.monotonic() < deadline, "the clips were not made"
        time.sleep(0.01)
    speaker.close()
    assert voice.said == [*coming, "Paused.", "Going on."]
