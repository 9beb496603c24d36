"""One way in for every control: a key on the terminal and a button on a headset (or a
media key, or a desktop widget) become the same ``Request``, and ``perform`` gives each
command its one meaning.

Requests from the terminal are read by the player's loop; requests from other threads
(the D-Bus service, or anything else that hears an answer, such as spoken words) are
``push``ed, wait for the loop to carry them out, and so are applied in the same order and
by the same code as keys. An answer to a question is ``Request(Command.ANSWER,
origin, answer=AGAIN)`` (or ``GO_ON``) from any of them.
"""

from __future__ import annotations

import enum
import queue
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from voiceguide.player.keys import Key
from voiceguide.player.state import Outcome

Origin = Literal["key", "headset", "voice", "page"]
# The answers to a question: take the round it offers, or go on (what silence means too);
# or a number, to "how is your back, 0 to 10?" (a key gives one digit at a time).
Answer = Literal["again", "go on"] | int
AGAIN: Answer = "again"
GO_ON: Answer = "go on"
# How controls are answered, for keys and buttons alike (the setting ``acknowledge``).
AckStyle = Literal["tones", "words"]
ACK_STYLES: tuple[AckStyle, ...] = get_args(AckStyle)

# How often the loop looks at the terminal while buttons can also arrive: a button waits
# at most this long behind a terminal that has nothing to say.
BUTTON_POLL = 0.01


class Command(enum.Enum):
    TOGGLE = "toggle"  # pause, or go on when paused
    PLAY = "play"  # go on when paused; nothing while playing
    PAUSE = "pause"  # pause; nothing while paused
    NEXT = "next"
    BACK = "back"  # start of this step; again soon after: the step before
    SEEK = "seek"  # to ``Request.frame``
    REPEAT = "repeat"
    WHERE = "where"  # "where am I?"
    QUIT = "quit"
    HURT = "hurt"  # stop at once, something hurts
    ANSWER = "answer"  # ``Request.answer`` to the question whose window is open


KEY_COMMANDS: dict[Key, Command] = {
    Key.PAUSE: Command.TOGGLE,
    Key.NEXT: Command.NEXT,
    Key.BACK: Command.BACK,
    Key.REPEAT: Command.REPEAT,
    Key.WHERE: Command.WHERE,
    Key.QUIT: Command.QUIT,
    Key.STOP: Command.HURT,
}
KEY_ANSWERS: dict[Key, Answer] = {Key.AGAIN: AGAIN, **{Key(str(n)): n for n in range(10)}}


@dataclass(frozen=True)
class Request:
    """A command, where it came from, for ``SEEK`` the Timeline frame to go to, and for
    ``ANSWER`` the answer."""

    command: Command
    origin: Origin = "key"
    frame: int | None = None
    answer: Answer | None = None
    done: threading.Event = field(default_factory=threading.Event, compare=False)


def speaks_words(origin: Origin, style: AckStyle | None) -> bool:
    """Whether a control from ``origin`` is answered in words (else with a tone).

    ``style`` is the config's ``acknowledge``; unset, a headset gets words (a button has
    no feel to it, and a word says which one was pressed), and so does the voice (a word
    says what was understood); a key gets its tone.
    """
    if style is not None:
        return style == "words"
    return origin in ("headset", "voice")


class KeySource(Protocol):
    closed: bool

    def read(self, timeout: float) -> Key | None: ...


class Controls:
    """Requests from the terminal's ``keys`` and, when ``buttons`` is set, from other
    threads (``push``), in the order they come."""

    def __init__(self, keys: KeySource | None = None, *, buttons: bool = False) -> None:
        self.keys = keys
        self.buttons = buttons
        # A SimpleQueue, not a Queue: Ctrl-C raises KeyboardInterrupt in the loop at any
        # moment, and one raised just after a Queue took its lock left the lock held, so
        # ``drain`` on the way out waited for it forever. SimpleQueue has no such lock.
        self._inbox: queue.SimpleQueue[Request] = queue.SimpleQueue()

    @property
    def listening(self) -> bool:
        """Whether any request can still come."""
        return self.buttons or (self.keys is not None and not self.keys.closed)

    def push(self, request: Request) -> None:
        """Hand ``request`` to the loop (from any thread); ``request.done`` is set once
        it has been carried out, or the player has ended."""
        self._inbox.put(request)

    def read(self, timeout: float) -> Request | None:
        """The next request, waiting at most ``timeout`` seconds."""
        try:
            return self._inbox.get_nowait()
        except queue.Empty:
            pass
        keys_open = self.keys is not None and not self.keys.closed
        if keys_open and self.keys is not None:
            key = self.keys.read(min(timeout, BUTTON_POLL) if self.buttons else timeout)
            if key in KEY_ANSWERS:
                return Request(Command.ANSWER, "key", answer=KEY_ANSWERS[key])
            if key is not None:
                return Request(KEY_COMMANDS[key], "key")
            timeout = 0.0
        if not self.buttons:
            return None
        try:
            return self._inbox.get(timeout=timeout) if timeout > 0 else self._inbox.get_nowait()
        except queue.Empty:
            return None

    def drain(self) -> None:
        """Release everyone still waiting on a request: the player has ended."""
        while True:
            try:
                self._inbox.get_nowait().done.set()
            except queue.Empty:
                return


class Actions(Protocol):
    """What the player can do; ``words`` says whether to answer in words or a tone."""

    @property
    def playing(self) -> bool: ...

    @property
    def asking(self) -> bool: ...  # a question's answer window is open

    def pause(self, words: bool) -> None: ...
    def resume(self, words: bool) -> None: ...
    def next_step(self, words: bool) -> None: ...
    def back(self, words: bool) -> None: ...
    def seek(self, frame: int, words: bool) -> None: ...
    def repeat(self, words: bool) -> None: ...
    def where_am_i(self) -> None: ...
    def quit(self, words: bool) -> None: ...
    def hurt(self) -> None: ...
    def answer(self, answer: Answer, words: bool) -> None: ...


def perform(actions: Actions, request: Request, style: AckStyle | None) -> Outcome | None:
    """Carry out ``request``; the outcome when it ends playing."""
    words = speaks_words(request.origin, style)
    command = request.command
    # A headset has no key for an answer: while a question waits for one, its play/pause
    # button answers "again" and its next button "go on". Spoken, "again" (heard as
    # repeat) and "go on" (heard as play) answer it too.
    if request.origin == "headset" and actions.asking:
        if command in (Command.TOGGLE, Command.PLAY, Command.PAUSE):
            request = Request(Command.ANSWER, "headset", answer=AGAIN)
        elif command is Command.NEXT:
            request = Request(Command.ANSWER, "headset", answer=GO_ON)
        command = request.command
    elif request.origin == "voice" and actions.asking:
        if command is Command.REPEAT:
            request = Request(Command.ANSWER, "voice", answer=AGAIN)
        elif command in (Command.PLAY, Command.NEXT):
            request = Request(Command.ANSWER, "voice", answer=GO_ON)
        command = request.command
    if command is Command.TOGGLE:
        command = Command.PAUSE if actions.playing else Command.PLAY
    if command is Command.PAUSE:
        if actions.playing:
            actions.pause(words)
    elif command is Command.PLAY:
        if not actions.playing:
            actions.resume(words)
    elif command is Command.NEXT:
        actions.next_step(words)
    elif command is Command.BACK:
        actions.back(words)
    elif command is Command.SEEK:
        assert request.frame is not None, "a seek names its frame"
        actions.seek(request.frame, words)
    elif command is Command.REPEAT:
        actions.repeat(words)
    elif command is Command.WHERE:
        actions.where_am_i()
    elif command is Command.QUIT:
        actions.quit(words)
        return "quit"
    elif command is Command.HURT:
        actions.hurt()
        return "stopped"
    elif command is Command.ANSWER:
        assert request.answer is not None, "an answer says which"
        actions.answer(request.answer, words)
    return None
