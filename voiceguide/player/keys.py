"""Single keys from the terminal, without Enter: the player's controls.

``KeyReader`` puts the terminal in cbreak mode (keys arrive one by one, unechoed; Ctrl-C
still interrupts) and always puts it back as it was, however the block is left.
``parse_keys`` turns the bytes a terminal sends into controls; it is pure, so the key map
is tested without a terminal.
"""

from __future__ import annotations

import contextlib
import enum
import os
import select
import termios
import time
import tty
from collections import deque
from types import TracebackType
from typing import Any


class Key(enum.Enum):
    PAUSE = "pause"  # space: pause or resume
    NEXT = "next"  # n or right arrow
    BACK = "back"  # p or left arrow: start of this step; again: the one before
    REPEAT = "repeat"  # r: the last instruction again
    WHERE = "where"  # w: "where am I?"
    QUIT = "quit"  # q
    STOP = "stop"  # s: "stop, it hurts"


KEYMAP: dict[bytes, Key] = {
    b" ": Key.PAUSE,
    b"n": Key.NEXT,
    b"\x1b[C": Key.NEXT,
    b"\x1bOC": Key.NEXT,  # the right arrow in "application" cursor mode
    b"p": Key.BACK,
    b"\x1b[D": Key.BACK,
    b"\x1bOD": Key.BACK,
    b"r": Key.REPEAT,
    b"w": Key.WHERE,
    b"q": Key.QUIT,
    b"s": Key.STOP,
}

ESCAPE = b"\x1b"
# How long the rest of an escape sequence may take to arrive after its ESC.
ESCAPE_WAIT = 0.05


def parse_keys(data: bytes) -> tuple[list[Key], bytes]:
    """The controls in ``data`` and any unfinished escape sequence left at its end.

    Letters count in either case; other keys and escape sequences (F-keys, the up and
    down arrows) are ignored.
    """
    keys: list[Key] = []
    i = 0
    while i < len(data):
        if data[i : i + 1] == ESCAPE:
            end = _escape_end(data, i)
            if end is None:
                return keys, data[i:]
            key = KEYMAP.get(data[i:end])
            i = end
        else:
            key = KEYMAP.get(data[i : i + 1].lower())
            i += 1
        if key is not None:
            keys.append(key)
    return keys, b""


def _escape_end(data: bytes, start: int) -> int | None:
    """Where the escape sequence at ``start`` ends, or None if it is not complete yet."""
    if start + 1 >= len(data):
        return None
    kind = data[start + 1 : start + 2]
    if kind not in (b"[", b"O"):
        return start + 1  # a lone ESC (or Alt+key): drop the ESC, read on
    for j in range(start + 2, len(data)):
        if 0x40 <= data[j] <= 0x7E:  # a CSI sequence ends at its first "final" byte
            return j + 1
    return None


class KeyReader:
    """Keys from the terminal ``fd`` (stdin by default), in cbreak mode while in use."""

    def __init__(self, fd: int = 0) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._pending: deque[Key] = deque()
        self._partial = b""
        self._partial_since = 0.0
        self.closed = False  # the terminal went away: no more keys will come

    def __enter__(self) -> KeyReader:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.restore()

    def restore(self) -> None:
        """Put the terminal back as it was (idempotent)."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        # If the terminal has gone away there is nothing left to restore.
        with contextlib.suppress(termios.error):
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    def read(self, timeout: float) -> Key | None:
        """The next key, waiting at most ``timeout`` seconds; None if none came (at once
        when the terminal has gone away: see ``closed``)."""
        if self._pending:
            return self._pending.popleft()
        if self.closed:
            return None
        deadline = time.monotonic() + timeout
        while True:
            wait = max(0.0, deadline - time.monotonic())
            if self._partial:
                wait = min(wait, max(0.0, self._partial_since + ESCAPE_WAIT - time.monotonic()))
            ready, _, _ = select.select([self.fd], [], [], wait)
            if ready:
                try:
                    data = os.read(self.fd, 64)
                except OSError:  # EIO: the terminal hung up
                    data = b""
                if not data:
                    self.closed = True
                    return None
                if not self._partial:
                    self._partial_since = time.monotonic()
                keys, self._partial = parse_keys(self._partial + data)
                self._pending.extend(keys)
            elif self._partial and time.monotonic() >= self._partial_since + ESCAPE_WAIT:
                # A lone ESC press, or a sequence cut short: drop it.
                keys, _ = parse_keys(self._partial[1:])
                self._pending.extend(keys)
                self._partial = b""
            if self._pending:
                return self._pending.popleft()
            if time.monotonic() >= deadline:
                return None
