"""Keys on Windows: the console's keyboard through msvcrt, imported only there
(``keys.open_keys``).

``msvcrt.getwch`` takes a key without Enter and without echoing it, and leaves the
console's mode as it is, so there is nothing to change on the way in; on the way out, keys
pressed but not read are taken, so that they do not spill into the shell's next line.
Ctrl-C and Ctrl-Break stay with the console, which turns them into signals
(``voiceguide.signals``). The console has no call that waits for a key with a timeout:
``read`` looks every ``POLL`` seconds.
"""

from __future__ import annotations

import msvcrt
import sys
import time
from collections import deque
from types import TracebackType

from voiceguide.player.keys import Key, parse_console_keys

assert sys.platform == "win32", "keys.open_keys chooses this reader on Windows only"

POLL = 0.02  # seconds between looks at the keyboard: well under a key's perceived delay


class ConsoleKeys:
    """Keys from the Windows console."""

    def __init__(self) -> None:
        self._pending: deque[Key] = deque()
        self._partial = ""
        self._open = False
        self.closed = False  # the console does not go away while the process runs

    def __enter__(self) -> ConsoleKeys:
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.restore()

    def restore(self) -> None:
        """Take the keys left unread (idempotent): the console's mode was never changed."""
        if not self._open:
            return
        self._open = False
        while msvcrt.kbhit():
            msvcrt.getwch()

    def read(self, timeout: float) -> Key | None:
        """The next key, waiting at most ``timeout`` seconds; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            if self._pending:
                return self._pending.popleft()
            chars = self._partial
            while msvcrt.kbhit():
                chars += msvcrt.getwch()
            keys, self._partial = parse_console_keys(chars)
            self._pending.extend(keys)
            if self._pending:
                return self._pending.popleft()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(POLL, left))
