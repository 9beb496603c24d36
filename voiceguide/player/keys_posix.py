"""Keys on Linux and macOS: the terminal in cbreak mode (keys arrive one by one, unechoed;
Ctrl-C still interrupts), always put back as it was, however the block is left. Imported
only there (``keys.open_keys``): termios and tty exist nowhere else."""

from __future__ import annotations

import errno
import os
import select
import sys
import termios
import time
import tty
from collections import deque
from types import TracebackType
from typing import Any

from voiceguide.player.keys import ESCAPE_WAIT, Key, parse_keys

assert sys.platform != "win32", "keys.open_keys chooses this reader on Linux and macOS only"

RESTORE_ATTEMPTS = 5  # a signal each time is all but impossible; a bound all the same


class TerminalKeys:
    """Keys from the terminal ``fd`` (stdin by default), in cbreak mode while in use."""

    def __init__(self, fd: int = 0) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._pending: deque[Key] = deque()
        self._partial = b""
        self._partial_since = 0.0
        self.closed = False  # the terminal went away: no more keys will come

    def __enter__(self) -> TerminalKeys:
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
        # Setting it waits for what was written to the terminal to go out, and a signal
        # arriving meanwhile (a Ctrl-C as `q` quits) ends the wait with EINTR, the settings
        # unchanged: try again, or the shell is left without echo. Any other error: the
        # terminal has gone away, and there is nothing left to restore.
        for _ in range(RESTORE_ATTEMPTS):
            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
            except termios.error as exc:
                if exc.args[0] == errno.EINTR:
                    continue
            return

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
