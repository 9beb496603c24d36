"""The signals that end a command's work, by what the platform has, and one way out for
all of them.

Ctrl-C (SIGINT) everywhere; SIGTERM (``kill``, a service manager) and SIGHUP (the terminal
closed) where the system sends them; Ctrl-Break (SIGBREAK) on Windows, which ends a
session as Ctrl-C does. Whichever comes first becomes ``Interrupted``, a
``KeyboardInterrupt``, so that every ``except KeyboardInterrupt`` and ``finally`` on the way
out runs for each of them alike (the terminal restored, temporaries removed, what was
finished said), and the process then exits with the status a shell expects of that signal.
The first is enough: later ones are ignored while the way out runs (after
``leave_on_signals``, the block that ends a session, until the process ends), so that an
impatient second one cannot cut the way out short.

Handlers can only be set from the main thread; elsewhere these blocks change nothing.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

# Ctrl-C, and on Windows Ctrl-Break: a person at the keyboard (exit status 130 for both).
_KEYBOARD = tuple(getattr(signal, name) for name in ("SIGINT", "SIGBREAK") if hasattr(signal, name))
# Every signal that ends a command's work on this platform. Windows has SIGTERM in name
# only (nothing sends it to a console program) and no SIGHUP.
ENDING: tuple[int, ...] = _KEYBOARD + tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
# Those a terminal sends to every process of its foreground job at once (Ctrl-C, its
# closing, Ctrl-Break): a helper process leaves them to the process that started it.
FROM_TERMINAL: tuple[int, ...] = _KEYBOARD + tuple(
    getattr(signal, name) for name in ("SIGHUP",) if hasattr(signal, name)
)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C


class Interrupted(KeyboardInterrupt):
    """A signal in ``ENDING`` ended the work; ``exit_status`` is what the process should
    exit with."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return EXIT_INTERRUPTED if self.signum in _KEYBOARD else 128 + self.signum


def interruption(exc: BaseException | None) -> Interrupted:
    """The ``Interrupted`` behind a way out (``exc`` itself, or among the exceptions it was
    raised from or during); a plain ``KeyboardInterrupt`` is Ctrl-C's."""
    while exc is not None:
        if isinstance(exc, Interrupted):
            return exc
        exc = exc.__cause__ or exc.__context__
    return Interrupted(signal.SIGINT)


def exit_status(exc: BaseException | None) -> int:
    """The exit status for a way out: the signal's (130 for Ctrl-C)."""
    return interruption(exc).exit_status


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


# The first ending signal seen inside one of these blocks, until the outermost one ends:
# while it is set, every later one is ignored, whichever block is running the way out.
_first: int | None = None
_depth = 0


def _ignore_all() -> None:
    for sig in ENDING:
        signal.signal(sig, signal.SIG_IGN)


_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers


@contextlib.contextmanager
def _installed(handler: _Handler) -> Iterator[None]:
    """``handler`` for every ending signal during the block; the ones before, after it."""
    previous = {sig: signal.signal(sig, handler) for sig in ENDING}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def _handled(handler: Callable[[int], None]) -> Iterator[None]:
    """``handler(signum)`` for the first ending signal in the block; later ones ignored."""
    global _depth, _first

    def first_only(signum: int, _frame: FrameType | None) -> None:
        global _first
        if _first is None:
            _first = signum
            handler(signum)

    _depth += 1
    try:
        with _installed(first_only):
            yield
    finally:
        _depth -= 1
        if _depth == 0:
            _first = None


@contextlib.contextmanager
def leave_on_signals() -> Iterator[None]:
    """Inside the block, the first ending signal raises ``Interrupted`` at once, wherever
    the main thread is. The block ends the process's work: once a signal has come, all of
    them stay ignored after it, until the process ends."""
    if not _in_main_thread():
        yield
        return
    received = False

    def leave(signum: int) -> None:
        nonlocal received
        received = True
        raise Interrupted(signum)

    try:
        with _handled(leave):
            yield
    finally:
        if received:
            _ignore_all()


class Notice:
    """What ``noticed`` saw: the first ending signal, if one came."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def raise_if_received(self) -> None:
        if self.signum is not None:
            raise Interrupted(self.signum)


@contextlib.contextmanager
def noticed(on_signal: Callable[[int], None]) -> Iterator[Notice]:
    """Inside the block, the first ending signal calls ``on_signal(signum)`` instead of
    raising, for work that must stop at a point of its own choosing (a writer between two
    blocks, a server once its connections close); the block then ends the way it decides,
    and ``Notice.raise_if_received`` turns the signal into ``Interrupted``. A
    ``KeyboardInterrupt`` the block raises because of the signal becomes ``Interrupted``
    too, so the exit status is that signal's."""
    notice = Notice()
    if not _in_main_thread():
        yield notice
        return

    def hold(signum: int) -> None:
        notice.signum = signum
        on_signal(signum)

    with _handled(hold):
        try:
            yield notice
        except KeyboardInterrupt as exc:
            if notice.signum is not None and not isinstance(exc, Interrupted):
                raise Interrupted(notice.signum) from None
            raise


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """The first ending signal that comes during the block takes effect when the block
    ends, as if it came then (later ones during the block are dropped, as the way out
    would drop them): for steps that must be done together or not at all, such as
    starting the sound and writing the session's first record."""
    if not _in_main_thread():
        yield
        return
    came: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        if not came:
            came.append(signum)

    try:
        with _installed(note):
            yield
    finally:
        if came:
            signal.raise_signal(came[0])


@contextlib.contextmanager
def held() -> Iterator[None]:
    """The ending signals ignored for the block: it waits for threads that a signal must
    not interrupt (a process that exits while a thread is inside the voice or the sound
    library can abort with a core dump)."""
    if not _in_main_thread():
        yield
        return
    with _installed(signal.SIG_IGN):
        yield
