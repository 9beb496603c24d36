"""Standard output that fails with one clear line: closed (``>&-``), full (``>/dev/full``);
standard error that never stops a command.

Python leaves ``sys.stdout`` as None when descriptor 1 is closed, and click then drops
everything without a word; a full disk raises OSError from deep inside click or rich.
``guard_stdout`` puts a thin proxy in front of ``sys.stdout`` so that either becomes an
``OutputError``, which the CLI prints as ``Error: ...`` like any other.

Standard error only carries messages beside a command's result (progress, warnings, the
QR code of ``serve``): when it is closed or full, ``guard_stderr`` drops what cannot be
written, so that the result on standard output still arrives.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, NoReturn, TextIO

from voiceguide.errors import VoiceguideError


class OutputError(VoiceguideError):
    """Standard output cannot be written."""


class _Proxy:
    """A text stream in front of ``stream`` (None when its descriptor was closed)."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return getattr(self._stream, "errors", None) or "strict"

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


class _GuardedStdout(_Proxy):
    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._failed = False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            # click probes streams with write(b""): a text stream refuses bytes.
            raise TypeError("write() argument must be str")
        if self._failed or not text:
            return len(text)  # after a failure (already reported) the rest goes nowhere
        if self._stream is None:
            return self._fail("standard output is closed; give the command somewhere to write")
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise  # `| head`: the reader left; handled quietly by the CLI
        except OSError as exc:
            self._fail(f"cannot write to standard output: {exc.strerror or exc}")

    def flush(self) -> None:
        if self._failed or self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._fail(f"cannot write to standard output: {exc.strerror or exc}")

    def _fail(self, message: str) -> NoReturn:
        self._failed = True
        # Whatever is still buffered would fail again when Python exits: send it nowhere.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        raise OutputError(message)


def guard_stdout() -> None:
    """Put the guard in front of ``sys.stdout`` (once)."""
    if not isinstance(sys.stdout, _GuardedStdout):
        sys.stdout = _GuardedStdout(sys.stdout)


class _QuietStderr(_Proxy):
    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")  # as click's probe expects
        with contextlib.suppress(OSError):
            if self._stream is not None:
                self._stream.write(text)
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError):
            if self._stream is not None:
                self._stream.flush()


def guard_stderr() -> None:
    """Put the quiet proxy in front of ``sys.stderr`` (once). With descriptor 2 closed,
    the next file or socket opened would take its number, and any library's message
    would be written into it: /dev/null holds the place."""
    try:
        os.fstat(2)
    except OSError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            if devnull > 2:
                os.dup2(devnull, 2)
                os.close(devnull)
    if not isinstance(sys.stderr, _QuietStderr):
        sys.stderr = _QuietStderr(sys.stderr)
