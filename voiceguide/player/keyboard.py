"""The keyboard while playing: the key reader of this platform, behind one interface.

``keys_posix`` (a terminal in cbreak mode, through termios) on Linux and macOS,
``keys_windows`` (the console, through msvcrt) on Windows. Each is a context manager that
leaves the terminal exactly as it found it, however the block is left, and gives the same
keys (``keys.Key``); only the chosen one is imported, with its platform's modules.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Protocol

from voiceguide.player.keys import Key


class KeyReader(Protocol):
    """A platform's key reader: a context manager that changes the terminal for the block
    (if it needs to) and always puts it back."""

    closed: bool  # the terminal went away: no more keys will come

    def __enter__(self) -> KeyReader: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def read(self, timeout: float) -> Key | None:
        """The next key, waiting at most ``timeout`` seconds; None if none came."""
        ...

    def restore(self) -> None:
        """Put the terminal back as it was (idempotent)."""
        ...


def open_keys(fd: int = 0) -> KeyReader:
    """The key reader of this platform, on the terminal ``fd`` (stdin by default; the
    Windows console reads its own keyboard)."""
    if sys.platform == "win32":
        from voiceguide.player.keys_windows import ConsoleKeys

        return ConsoleKeys()
    else:
        from voiceguide.player.keys_posix import TerminalKeys

        return TerminalKeys(fd)
