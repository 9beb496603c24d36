"""The listener's thread with a scripted microphone and recogniser (fast; the real
microphone path is in test_listen_real.py): what is pushed to the player, and what is
not: anything heard while the guide sounds, and anything not a command."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from voiceguide.listen.gate import RATE, WINDOW, Mono, Utterance
from voiceguide.listen.listener import Ahead, Listener
from voiceguide.listen.recogniser import ListenUnavailable
from voiceguide.listen.transcript import Transcript
from voiceguide.listen.vocabulary import STOPPING_PHRASES
from voiceguide.player.commands import AGAIN, Command, Controls, Request
from voiceguide.player.state import Asking

BLOCK = 4 * WINDOW


class Guard:
    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet

    def quiet(self) -> bool:
        return self._quiet


class Microphone:
    """Half a second of "speech" (loud), then silence, then nothing more."""

    def __init__(self) -> None:
        sound = np.zeros(2 * RATE, np.float32)
        sound[RATE // 4 : RATE // 4 + RATE // 2] = 0.5
        self.blocks = [sound[i : i + BLOCK] for i in range(0, len(sound), BLOCK)]

    def read(self, timeout: float) -> Mono | None:
        # Nothing is waiting when the model is ready: the blocks come as if live.
        if self.blocks and timeout > 0:
            return self.blocks.pop(0)
        time.sleep(timeout)
        return None


def loud_is_speech(audio: Mono) -> npt.NDArray[np.float32]:
    windows = audio.reshape(-1, WINDOW)
    speech: npt.NDArray[np.float32] = (np.abs(windows).max(axis=1) > 0.1).astype(np.float32)
    return speech


class Saying:
    def __init__(self, text: str) -> None:
        self.text = text
        self.asked: list[Asking | None] = []  # what the player was asking at each saying

    def transcribe(self, audio: Mono, asking: Asking | None = None) -> Transcript:
        self.asked.append(asking)
        return Transcript(self.text, -0.1, 0.0, -0.1, dict.fromkeys(STOPPING_PHRASES, -20.0))


@contextlib.contextmanager
def opened(microphone: Microphone) -> Iterator[Microphone]:
    yield microphone


def pushed(text: str | Saying, quiet: bool, asking: Asking | None = None) -> list[Request]:
    controls = Controls()
    microphone = Microphone()
    saying = text if isinstance(text, Saying) else Saying(text)
    with Listener(
        controls,
        Guard(quiet),  # type: ignore[arg-type]
        lambda: opened(microphone),
        recogniser=lambda: saying,
        probabilities=lambda: loud_is_speech,
        asking=lambda: asking,
    ) as listener:
        deadline = time.monotonic() + 10
        while (microphone.blocks or listener.status.state == "soon") and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
        time.sleep(0.2)
    got: list[Request] = []
    while (request := controls.read(0.0)) is not None:
        got.append(request)
    return got


def test_a_command_heard_in_the_silence_is_pushed_from_the_voice() -> None:
    [request] = pushed("It hurts.", quiet=True)
    assert (request.command, request.origin) == (Command.HURT, "voice")


def test_the_recogniser_is_told_what_the_player_asks_as_the_words_are_heard() -> None:
    # Its prompt then holds the answers to that question alone (recogniser.PROMPTS).
    saying = Saying("Yes.")
    [request] = pushed(saying, quiet=True, asking="question")
    assert saying.asked == ["question"]
    assert (request.command, request.answer) == (Command.ANSWER, AGAIN)
    nothing_asked = Saying("Next.")
    pushed(nothing_asked, quiet=True)
    assert nothing_asked.asked == [None]


def test_nothing_is_heard_while_the_guide_sounds() -> None:
    assert pushed("It hurts.", quiet=False) == []


def test_words_that_are_no_command_push_nothing() -> None:
    assert pushed("Thank you for watching.", quiet=True) == []


def test_a_listener_that_cannot_start_says_why_once() -> None:
    said: list[str] = []

    def no_microphone() -> contextlib.AbstractContextManager[Microphone]:
        raise ListenUnavailable("no microphone to listen with")

    with Listener(Controls(), Guard(True), no_microphone, unavailable=said.append) as listener:  # type: ignore[arg-type]
        time.sleep(0.2)
    assert said == ["no microphone to listen with"]
    assert listener.status.state == "off"


def offer(audio: Mono, number: int) -> tuple[Utterance, Utterance]:
    offered = Utterance(audio, number, ended=False)
    return offered, dataclasses.replace(offered, ended=True)


def test_an_utterance_recognised_ahead_is_not_recognised_again_once_it_has_ended() -> None:
    saying = Saying("Next.")
    ahead = Ahead(saying)
    offered, ended = offer(np.zeros(RATE, np.float32), 1)
    ahead.begin(offered, None)
    assert ahead.result(ended, None).text == "Next."
    ahead.close()
    assert saying.asked == [None]


def test_a_question_asked_meanwhile_has_the_words_recognised_again_with_its_answers() -> None:
    saying = Saying("Yes.")
    ahead = Ahead(saying)
    offered, ended = offer(np.zeros(RATE, np.float32), 1)
    ahead.begin(offered, None)
    ahead.result(ended, "question")
    ahead.close()
    assert saying.asked == [None, "question"]


def test_an_offer_the_speaker_went_on_from_is_not_what_is_acted_on() -> None:
    saying = Saying("Go on.")
    ahead = Ahead(saying)
    first, _ = offer(np.zeros(RATE, np.float32), 1)
    _, longer = offer(np.zeros(2 * RATE, np.float32), 2)
    ahead.begin(first, None)
    ahead.result(longer, None)  # the second was never offered here: recognised now
    ahead.close()
    assert saying.asked == [None, None]


class Held(Saying):
    """A recogniser that holds its first recognition until let go."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.started = threading.Event()
        self.go = threading.Event()
        self.heard: list[int] = []  # each recognised utterance's length

    def transcribe(self, audio: Mono, asking: Asking | None = None) -> Transcript:
        self.started.set()
        self.go.wait(10)
        self.heard.append(len(audio))
        return super().transcribe(audio, asking)


def test_offers_made_while_one_is_recognised_do_not_queue_up() -> None:
    saying = Held("Next.")
    ahead = Ahead(saying)
    offers = [offer(np.zeros(n, np.float32), n) for n in (1, 2, 3)]
    ahead.begin(offers[0][0], None)
    assert saying.started.wait(10)
    ahead.begin(offers[1][0], None)
    ahead.begin(offers[2][0], None)
    saying.go.set()
    assert ahead.result(offers[2][1], None).text == "Next."
    ahead.close()
    # The first was being recognised; the second, not begun, gave way to the third.
    assert saying.heard == [1, 3]
