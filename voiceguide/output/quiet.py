"""Keep the sound libraries' own diagnostics off the terminal.

ALSA and PortAudio write to the process's stderr directly, from C: a failing device gives
a dozen lines such as "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default"
before voiceguide can say, in one line, what is wrong and what to do. While a sound
library works, file descriptor 2 points at /dev/null and Python's ``sys.stderr`` at the
real stderr, so voiceguide's own messages (and the display) still get through.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Silence C-level writes to stderr for the ``with`` block (nesting is fine)."""
    global _depth
    with _lock:
        _depth += 1
        outermost = _depth == 1
    if not outermost:
        try:
            yield
        finally:
            with _lock:
                _depth -= 1
        return
    saved: int | None = None
    python_stderr = sys.stderr
    replacement = None
    try:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no stderr at all: nothing to guard
            saved = None
        if saved is not None:
            if _writes_to_fd2(python_stderr):
                replacement = open(  # noqa: SIM115 (it must outlive this frame: closed in finally)
                    saved,
                    "w",
                    encoding=getattr(python_stderr, "encoding", None) or "utf-8",
                    errors="backslashreplace",
                    buffering=1,
                    closefd=False,
                )
                sys.stderr = replacement
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        yield
    finally:
        if saved is not None:
            if replacement is not None:
                replacement.flush()
                sys.stderr = python_stderr
                replacement.close()
            os.dup2(saved, 2)
            os.close(saved)
        with _lock:
            _depth -= 1


def _writes_to_fd2(stream: object) -> bool:
    try:
        return stream.fileno() == 2  # type: ignore[attr-defined,no-any-return]
    except (AttributeError, OSError, ValueError):  # a test's capture buffer, for one
        return False
