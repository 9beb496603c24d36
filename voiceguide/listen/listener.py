"""The listening thread: the microphone, read in memory, heard only while the guide is
quiet (``guard``), cut into utterances (``gate``), put into words (``recogniser``),
matched against the commands (``vocabulary``), and pushed to the player as a ``Request``
from the voice, exactly as a headset button's.

Recognising begins as soon as the gate offers an utterance that may have ended, in a
thread of its own, while the gate waits to know whether it has; the command is taken
once it has ended (``gate``).

Everything slow happens in the thread: opening the microphone and loading the model (a
second or two) never delay the first sound; until the model is ready the display says
"listening soon". If listening cannot start, one line says why and playing goes on.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from voiceguide.listen.gate import Mono, Probabilities, SpeechGate, Utterance, silero
from voiceguide.listen.guard import VoiceGuard
from voiceguide.listen.recogniser import ListenUnavailable, Recogniser
from voiceguide.listen.transcript import Transcript
from voiceguide.listen.vocabulary import Heard, decide
from voiceguide.player.commands import Controls, Request
from voiceguide.player.state import Asking, Status, StatusView

READ_WAIT = 0.1  # seconds: how often the thread looks whether it should stop

ListenState = Literal["soon", "on", "off"]


class Transcribe(Protocol):
    def transcribe(self, audio: Mono, asking: Asking | None = None) -> Transcript: ...


class Input(Protocol):
    def read(self, timeout: float) -> Mono | None: ...


@dataclass(frozen=True)
class Listening:
    """What the display shows of listening: its state, why it is off, the last words
    acted on."""

    state: ListenState
    reason: str | None = None
    last: str | None = None


class Listener:
    """Listens for commands for ``controls`` while the block runs."""

    def __init__(
        self,
        controls: Controls,
        guard: VoiceGuard,
        microphone: Callable[[], AbstractContextManager[Input]],
        *,
        recogniser: Callable[[], Transcribe] = Recogniser,
        probabilities: Callable[[], Probabilities] = silero,
        unavailable: Callable[[str], None] | None = None,
        asking: Callable[[], Asking | None] = lambda: None,
    ) -> None:
        self._controls = controls
        self._asking = asking  # what the player asks now: its answers may be said
        self._guard = guard
        self._microphone = microphone
        self._recogniser = recogniser
        self._probabilities = probabilities
        self._unavailable = unavailable
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self.status = Listening("soon")
        self.acted: list[Heard] = []

    def __enter__(self) -> Listener:
        self._controls.buttons = True  # the player's loop then reads pushed requests
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            with self._microphone() as microphone:
                recogniser = self._recogniser()
                gate = SpeechGate(self._probabilities())
                while microphone.read(0.0) is not None:  # said while loading: too late now
                    pass
                self.status = Listening("on")
                self._listen(microphone, gate, recogniser)
        except ListenUnavailable as exc:
            self._off(str(exc))
        except Exception as exc:  # whatever fails here, playing goes on without it
            self._off(f"listening stopped ({type(exc).__name__}: {exc})")

    def _off(self, reason: str) -> None:
        self.status = Listening("off", reason, self.status.last)
        if self._unavailable is not None:
            self._unavailable(reason)

    def _listen(self, microphone: Input, gate: SpeechGate, recogniser: Transcribe) -> None:
        ahead = Ahead(recogniser)
        try:
            while not self._stopping.is_set():
                block = microphone.read(READ_WAIT)
                if block is None:
                    continue
                if not self._guard.quiet():
                    gate.reset()
                    continue
                for utterance in gate.feed(block):
                    if not utterance.ended:
                        ahead.begin(utterance, self._asking())
                        continue
                    transcript = ahead.result(utterance, self._asking())
                    # The guide may have begun while the words were recognised: its voice
                    # could be in them.
                    heard = decide(transcript)
                    if heard is None or not self._guard.quiet():
                        continue
                    self.acted.append(heard)
                    self.status = Listening("on", last=heard.text)
                    self._controls.push(Request(heard.command, "voice", answer=heard.answer))
        finally:
            ahead.close()


class Ahead:
    """Recognises the utterance the gate offered, in a thread of its own, while the gate
    waits to know whether it has ended; one at a time. A newer offer waits for an older
    one already being recognised (whose words are then not used) and takes the place of
    one not yet begun, so talk with many pauses never queues up work."""

    def __init__(self, recogniser: Transcribe) -> None:
        self._recogniser = recogniser
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recogniser")
        self._begun: tuple[int, Asking | None, Future[Transcript]] | None = None

    def begin(self, utterance: Utterance, asking: Asking | None) -> None:
        self._drop()
        task = self._worker.submit(self._recogniser.transcribe, utterance.audio, asking)
        self._begun = (utterance.number, asking, task)

    def _drop(self) -> None:
        """Forget what was begun; if it has not started, it never will."""
        if self._begun is not None:
            self._begun[2].cancel()
            self._begun = None

    def result(self, utterance: Utterance, asking: Asking | None) -> Transcript:
        """The words of ``utterance``, which has ended: as recognised ahead, unless what
        is asked changed meanwhile (its answers are then in the prompt, or no longer)."""
        begun = self._begun
        if begun is not None and begun[:2] == (utterance.number, asking):
            self._begun = None
            return begun[2].result()
        self._drop()
        return self._worker.submit(self._recogniser.transcribe, utterance.audio, asking).result()

    def close(self) -> None:
        """Stop taking work; one being recognised finishes in its thread, unwaited."""
        self._worker.shutdown(wait=False, cancel_futures=True)


class ListeningView:
    """A ``StatusView`` with what the listener is doing added to every status shown."""

    def __init__(self, view: StatusView, listener: Listener) -> None:
        self._view = view
        self._listener = listener

    def update(self, status: Status) -> None:
        listening = self._listener.status
        shown = {
            "soon": "listening soon (loading)…",
            "on": "listening",
            "off": f"not listening ({listening.reason})",
        }[listening.state]
        self._view.update(dataclasses.replace(status, listening=shown, heard=listening.last))
