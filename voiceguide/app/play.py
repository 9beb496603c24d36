"""``voiceguide play``, end to end: the safety gate and frequency guard, the voice
rendered while playing starts, the device warmed up meanwhile, the terminal (keys and
display) and the media keys, SIGTERM and SIGHUP, and the session in the journal.

``Player`` (``voiceguide.player.player``) only steers a Timeline in real time; everything a
session needs around it is here.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.config import Settings
from voiceguide.output.base import Output
from voiceguide.output.quiet import native_stderr_silenced
from voiceguide.player.commands import Controls, KeySource
from voiceguide.player.player import Player, find_step
from voiceguide.player.state import PlayResult, StatusView
from voiceguide.script.records import Script

if TYPE_CHECKING:
    from voiceguide.practice.journal import Journal
    from voiceguide.render.streaming import BackgroundRender
    from voiceguide.routine.records import Routine


def speak(text: str, settings: Settings, cache_dir: Path) -> None:
    """Say ``text`` now, in the session's voice, through the chosen output (and wait)."""
    from voiceguide.output import open_output
    from voiceguide.render.assembly import sentence

    timeline = sentence(text, settings.render_options(), cache_dir)
    with native_stderr_silenced():
        Player(timeline, open_output(settings.backend, settings.device)).run()


# The signals that end a session: Ctrl-C, and the terminal or the system closing it.
_LEAVING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _leave_on_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP end the session the normal way, so the terminal is
    restored, the sound stopped and the session kept in the journal on the way out
    (KeyboardInterrupt for Ctrl-C; SystemExit for the others, whose default is to die on
    the spot). The first is enough: from then on all three are ignored until the process
    ends, so that an impatient second Ctrl-C cannot cut the way out short."""
    received = False

    def leave(signum: int, _frame: object) -> None:
        nonlocal received
        received = True
        for sig in _LEAVING:
            signal.signal(sig, signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in _LEAVING}
    try:
        yield
    finally:
        if not received:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """The signals that end a session ignored for the block: it waits for the session's
    threads, which a signal must not interrupt. A process that exits while a thread is
    still inside the voice (onnxruntime) or the sound library aborts, with a core dump
    instead of exit status 130. (Used inside ``_leave_on_signals``, so in the main thread.)"""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in _LEAVING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _terminal(interactive: bool) -> Iterator[tuple[KeySource | None, StatusView | None]]:
    """Keys and the display when on a terminal; neither otherwise."""
    if not interactive:
        yield None, None
        return
    from voiceguide.player.display import Display
    from voiceguide.player.keys import KeyReader

    with KeyReader(sys.stdin.fileno()) as keys, Display() as display:
        yield keys, display


def play_routine(
    name: str,
    settings: Settings,
    cache_dir: Path,
    *,
    from_step: str | None = None,
    ask: Callable[[str], bool],
    force: bool = False,
    assume_yes: bool = False,
) -> tuple[Script, PlayResult]:
    """Play the routine ``name`` (an id or a file) from start to end, as a session.

    The safety gate and frequency guard come first (``ask`` puts their y/N question),
    then the Timeline is rendered and played, with keys and the display when stdin and
    stdout are terminals, and the session is recorded in the journal. The "stop, it
    hurts" key ends with the calm spoken way out.
    """
    from voiceguide.output import open_output

    output = open_output(settings.backend, settings.device)
    with _leave_on_signals(), native_stderr_silenced():
        # Loading the sound library and finding the device take a good part of the time
        # to the first sound: done in a thread while the routine is checked and rendered.
        warming = _Background(output.warm_up)
        try:
            return _session(
                output, warming, name, settings, cache_dir, from_step, ask, force, assume_yes
            )
        finally:
            # Never leave with the library still loading in the thread: a process that
            # exits while PortAudio starts up can crash in it.
            with _signals_held():
                warming.join()
                output.stop()


def _session(
    output: Output,
    warming: _Background,
    name: str,
    settings: Settings,
    cache_dir: Path,
    from_step: str | None,
    ask: Callable[[str], bool],
    force: bool,
    assume_yes: bool,
) -> tuple[Script, PlayResult]:
    from voiceguide.practice import safety
    from voiceguide.practice.journal import Journal
    from voiceguide.render import streaming
    from voiceguide.routine.library import find_routine

    routine = find_routine(name)
    journal = Journal()

    def say(text: str) -> None:
        speak(text, settings, cache_dir)

    safety.before_play(
        routine,
        settings.frequency_limits(),
        journal,
        interactive=sys.stdin.isatty(),
        ask=ask,
        say=say,
        force=force,
        assume_yes=assume_yes or settings.assume_yes,
    )
    # Playing starts as soon as the opening is rendered; the rest follows in the background.
    rendering = streaming.start(routine, settings.render_options(), cache_dir)
    try:
        return _play_rendering(
            output, warming, rendering, journal, routine, settings, cache_dir, from_step, say
        )
    finally:
        with _signals_held():
            rendering.stop()


def _play_rendering(
    output: Output,
    warming: _Background,
    rendering: BackgroundRender,
    journal: Journal,
    routine: Routine,
    settings: Settings,
    cache_dir: Path,
    from_step: str | None,
    say: Callable[[str], None],
) -> tuple[Script, PlayResult]:
    from voiceguide.player.mpris import published
    from voiceguide.practice import safety
    from voiceguide.practice.journal import SIGNALLED, USER_QUIT, record_session
    from voiceguide.render.speaker import Speaker
    from voiceguide.speech import choose_engine

    timeline = rendering.timeline
    start = find_step(timeline.estimate, from_step) if from_step else 0
    timeline.wait_until_playable(start)
    warming.result()
    speaker = Speaker(settings.voice_options(), cache_dir, timeline.sample_rate)
    player = Player(
        timeline,
        output,
        start,
        say=speaker.clip,
        acknowledge=settings.acknowledge,
        rendered=timeline.progress,
    )
    # The device opens before the terminal changes: if it cannot, the error is alone.
    player.start()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    engine = choose_engine(settings.engine).engine
    with record_session(
        journal, routine, pace=settings.pace, engine=engine, voice=settings.voice
    ) as recording:
        try:
            with _terminal(interactive) as (keys, view):
                controls = Controls(keys)
                with published(player, controls) as buttons:
                    words = buttons is not None or settings.acknowledge == "words"
                    speaker.start(player.answer_texts() if words else (), player.upcoming_answers)
                    result = player.run(controls, view)
        except SystemExit:  # SIGTERM or SIGHUP (see _leave_on_signals): like Ctrl-C
            recording.finish("quit", SIGNALLED)
            raise
        finally:
            with _signals_held():
                speaker.close()
        skipped = result.steps_skipped
        if result.outcome == "stopped":
            safety.stop_for_pain(recording, say, steps_skipped=skipped)
        elif result.outcome == "quit":
            recording.finish("quit", USER_QUIT, steps_skipped=skipped)
        else:
            recording.finish("completed", steps_skipped=skipped)
    return (timeline.script if timeline.complete else timeline.estimate), result


class _Background:
    """``work`` running in a thread; ``result`` waits for it and raises its error."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._failure: BaseException | None = None
        self._work = work
        self._thread = threading.Thread(target=self._run, name="warm-up")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # handed to whoever waits for the result
            self._failure = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> None:
        self.join()
        if self._failure is not None:
            raise self._failure
