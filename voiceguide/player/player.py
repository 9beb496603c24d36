"""The player: a Timeline heard through an output, steered by keys, shown on a display.

``Player`` gives the controls their meaning in terms of the routine (a step, the last
instruction) and turns each into a change of course for the transport, made through the
output's ``interrupt`` so it is heard at once. Where we are always comes from the output
(frames heard), never from a clock of our own. ``Player.run`` is the loop: read a key,
apply it, keep the display current, until the routine ends or the listener leaves.

The Timeline may still be rendering (``streaming``): its steps are then read afresh as
they become known, and a skip to a step not known yet pauses with the "wait" tone and
goes there as soon as it is.
"""

from __future__ import annotations

import bisect
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.config import AckStyle, Settings
from voiceguide.errors import PlaybackError, VoiceguideError
from voiceguide.output.base import Output
from voiceguide.output.quiet import native_stderr_silenced
from voiceguide.player.commands import Command, Controls, KeySource, Outcome, Request, perform
from voiceguide.player.transport import Transport
from voiceguide.player.whereami import NOTHING_TO_REPEAT, answer_parts, control_words, step_parts
from voiceguide.render.timeline import Playable, Samples
from voiceguide.script.records import Cue, Script

if TYPE_CHECKING:
    from voiceguide.practice.journal import Journal
    from voiceguide.render.streaming import BackgroundRender
    from voiceguide.routine.records import Routine

TICK = 0.05  # seconds: how often the loop looks at keys, the output and the display
BACK_GRACE = 2.0  # seconds into a step within which "back" goes to the step before
MESSAGE_TIME = 3.0  # seconds a control's message stays on the display
QUIT_WAIT = 0.5  # seconds at most, past its length, to let the quit answer be heard
SENTENCE_GAP = 0.25  # seconds between the sentences of a spoken answer
INSTRUCTION_KINDS = frozenset({"say", "caution", "side"})  # what "repeat" goes back to

Say = Callable[[str], Samples]  # a text as a clip in the session's voice


@dataclass(frozen=True)
class Status:
    """What the display shows: a snapshot of the player."""

    title: str
    position: float  # seconds into the routine
    duration: float
    step: int  # index into ``steps`` (the number ``show`` gives it); -1 before the first
    last_step: int  # the index of the last step
    step_title: str | None
    next_title: str | None
    paused: bool
    message: str | None = None
    rendered: tuple[int, int] | None = None  # (clips ready, clips needed) while rendering
    waiting: bool = False  # held until the voice catches up (see streaming)

    @property
    def remaining(self) -> float:
        return max(0.0, self.duration - self.position)


@dataclass(frozen=True)
class PlayResult:
    """How playing ended: ``completed``, ``quit`` (q) or ``stopped`` (s: it hurts)."""

    outcome: Outcome
    position: float  # seconds into the routine when it ended
    step: int  # index of the step playing then; -1 before the first
    steps_skipped: int


class StatusView(Protocol):
    def update(self, status: Status) -> None: ...


def find_step(script: Script, wanted: str) -> int:
    """The index of the step ``wanted`` names: its number as ``show`` counts them (0 is
    "Before you start"), its title, or a part of the title that only one step has."""
    steps = script.steps
    if not steps:
        raise PlaybackError(f"{script.title} has no steps to start from")
    text = wanted.strip()
    if text.isdigit():
        number = int(text)
        if number < len(steps):
            return number
        raise PlaybackError(
            f"there is no step {number}: {script.title} has steps 0 to {len(steps) - 1}"
            f" (see `voiceguide show {script.routine_id}`)"
        )
    lowered = text.lower()
    exact = [s.index for s in steps if s.title.lower() == lowered]
    partial = [s.index for s in steps if lowered in s.title.lower()]
    matches = exact or partial
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise PlaybackError(
            f"no step of {script.title} is called '{text}': give its number or a part of"
            f" its title (see `voiceguide show {script.routine_id}`)"
        )
    names = ", ".join(f"{i} ({steps[i].title})" for i in matches[:6])
    raise PlaybackError(f"'{text}' matches several steps: {names}; give the step's number")


class Player:
    """Plays ``timeline`` through ``output`` from step ``start_step``.

    ``say`` makes the spoken answers ("where am I?", and the controls' words when
    ``acknowledge`` or a headset asks for words); without it controls answer in tones.
    ``rendered`` says how far a Timeline still being rendered has come (for the display).
    """

    def __init__(
        self,
        timeline: Playable,
        output: Output,
        start_step: int = 0,
        *,
        say: Say | None = None,
        acknowledge: AckStyle | None = None,
        rendered: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        self.timeline = timeline
        self.output = output
        self.say = say
        self.acknowledge = acknowledge
        self._rendered = rendered
        self._known: Script | None = None
        self._step_starts: list[int] = []
        self._instructions: list[int] = []
        self._learn_script()
        start = self._step_starts[start_step] if self._step_starts else 0
        self.transport = Transport(timeline, start)
        self.steps_skipped = 0
        self._message: tuple[str, float] | None = None
        self._started = False
        # A skip waiting for its step to be rendered: (the step, whether words answer).
        self._pending_step: tuple[int, bool] | None = None

    def _learn_script(self) -> None:
        """Take in the steps and instructions of the script as far as it is known."""
        script = self.timeline.script
        if script is self._known:
            return
        self._known = script
        self._step_starts = [self.timeline.frame_at(s.start) for s in script.steps]
        self._instructions = sorted(
            self.timeline.frame_at(c.start) for c in script.cues if c.kind in INSTRUCTION_KINDS
        )

    # --- where we are -------------------------------------------------------------------

    def position(self) -> int:
        """The Timeline frame being heard now."""
        return self.transport.position_at(self.output.heard())

    def step_at(self, frame: int) -> int:
        """The index of the step playing at ``frame`` (-1 before the first)."""
        self._learn_script()
        return bisect.bisect_right(self._step_starts, frame) - 1

    def status(self) -> Status:
        position = self.position()
        steps = self.timeline.script.steps
        index = self.step_at(position)
        message = None
        if self._message and time.monotonic() - self._message[1] < MESSAGE_TIME:
            message = self._message[0]
        return Status(
            title=self.timeline.script.title,
            position=position / self.timeline.sample_rate,
            duration=self.timeline.duration,
            step=index,
            last_step=len(steps) - 1,
            step_title=steps[index].title if index >= 0 else None,
            next_title=steps[index + 1].title if index + 1 < len(steps) else None,
            paused=not self.transport.playing,
            message=message,
            rendered=self._rendered() if self._rendered else None,
            waiting=self.transport.waiting or self._pending_step is not None,
        )

    # --- controls (each command's one meaning: see voiceguide.player.commands) ---------------

    @property
    def playing(self) -> bool:
        return self.transport.playing

    def handle(self, request: Request) -> Outcome | None:
        """Carry out ``request``; the outcome when it ends playing."""
        return perform(self, request, self.acknowledge)

    def _change(self, change: Callable[[], object], message: str) -> None:
        self.output.interrupt(change)
        self._message = (message, time.monotonic())

    def _answer(self, tone: Ack, words: bool, text: str) -> Ack | Samples:
        """The tone for a control, or ``text`` spoken when words are wanted (the tone
        still, if the voice cannot say it: the listener must know the press worked)."""
        if words and self.say is not None:
            try:
                return self.say(text)
            except VoiceguideError:
                pass
        return tone

    def _title_at(self, frame: int) -> str | None:
        index = self.step_at(frame)
        return self.timeline.script.steps[index].title if index >= 0 else None

    def pause(self, words: bool = False) -> None:
        self._pending_step = None
        ack = self._answer("pause", words, control_words(Command.PAUSE))
        self._change(lambda: self.transport.pause(ack), "Paused: space to go on")

    def resume(self, words: bool = False) -> None:
        self._pending_step = None
        ack = self._answer("resume", words, control_words(Command.PLAY))
        if isinstance(ack, str):
            self._change(lambda: self.transport.resume(ack), "Playing")
        else:  # words: said over the silence of the pause, then on from where it stopped
            self._change(lambda: self.transport.seek(self.transport.cursor, ack), "Playing")

    def next_step(self, words: bool = False) -> None:
        index = self.step_at(self.position()) + 1
        self.steps_skipped += 1
        if index < len(self._step_starts):
            self._jump(self._step_starts[index], "next", Command.NEXT, words, "Next")
        elif self.timeline.ready < self.timeline.frames:
            # Not rendered yet: wait, saying so, and go there once it is (``_follow``).
            self._pending_step = (index, words)
            self._change(lambda: self.transport.pause("wait"), "Next: waiting for the voice")
        else:
            self._jump(self.timeline.frames, "next", Command.NEXT, words, "Skipped to the end")

    def _follow(self) -> None:
        """Make a skip that was waiting for its step once the step is known."""
        self._learn_script()
        if self._pending_step is not None and self._pending_step[0] < len(self._step_starts):
            index, words = self._pending_step
            self._pending_step = None
            self._jump(self._step_starts[index], "next", Command.NEXT, words, "Next")

    def back(self, words: bool = False) -> None:
        position = self.position()
        if not self._step_starts:
            self._jump(0, "back", Command.BACK, words, "From the start")
            return
        index = max(0, self.step_at(position))
        grace = BACK_GRACE * self.timeline.sample_rate
        if position - self._step_starts[index] < grace and index > 0:
            index -= 1
        self._jump(self._step_starts[index], "back", Command.BACK, words, "Back to")

    def seek(self, frame: int, words: bool = False) -> None:
        frame = min(max(frame, 0), self.timeline.frames)
        tone: Ack = "next" if frame >= self.position() else "back"
        self._jump(frame, tone, Command.SEEK, words, "Moved to")

    def _jump(self, target: int, tone: Ack, command: Command, words: bool, label: str) -> None:
        landing = self._title_at(target) if target < self.timeline.frames else None
        ack = self._answer(tone, words, control_words(command, landing))
        message = f"{label}: {landing}" if landing else label
        self._change(lambda: self.transport.seek(target, ack), message)

    def repeat(self, words: bool = False) -> None:
        position = self.position()
        self._learn_script()
        i = bisect.bisect_right(self._instructions, position) - 1
        if i < 0:
            ack = self._answer("nothing", words, NOTHING_TO_REPEAT)
            self._change(lambda: self.transport.acknowledge(ack), "Nothing to repeat yet")
            return
        target = self._instructions[i]
        ack = self._answer("repeat", words, control_words(Command.REPEAT))
        self._change(lambda: self.transport.seek(target, ack), "Repeating")

    def where_am_i(self) -> None:
        """Say where the session is, over nothing else, and play on from that very frame."""
        seconds = self.position() / self.timeline.sample_rate
        parts = answer_parts(self.timeline.script, seconds)
        text = " ".join(parts)
        try:
            clip = self._sentences(parts) if self.say is not None else None
        except VoiceguideError as exc:
            clip, text = None, f"Cannot say it: {exc}"
        if clip is None:  # the display still shows it; the buzz says it was not spoken
            self._change(lambda: self.transport.acknowledge("nothing"), text)
            return
        self._change(lambda: self.transport.interlude(clip), text)

    def _sentences(self, parts: Sequence[str]) -> Samples:
        """``parts`` said one after another, a short breath between them (each is its own
        clip, so each can be made ahead: see ``upcoming_answers``)."""
        assert self.say is not None
        gap = np.zeros(round(SENTENCE_GAP * self.timeline.sample_rate), dtype=np.float32)
        pieces: list[Samples] = []
        for part in parts:
            pieces += [gap, self.say(part)] if pieces else [self.say(part)]
        return np.concatenate(pieces) if pieces else gap

    def upcoming_answers(self) -> list[str]:
        """The sentences "where am I?" may need in this step and the next."""
        index = self.step_at(self.position())
        script = self.timeline.script
        return step_parts(script, index) + step_parts(script, index + 1)

    def quit(self, words: bool = False) -> None:
        self._finish_with(self._answer("quit", words, control_words(Command.QUIT)))

    def hurt(self) -> None:
        self.output.interrupt(lambda: self.transport.pause(ack=None))

    def answer_texts(self) -> list[str]:
        """Every answer to a control that can be known ahead (to make them early)."""
        titles = [s.title for s in self.timeline.script.steps]
        return [
            control_words(Command.PAUSE),
            control_words(Command.PLAY),
            *(control_words(Command.NEXT, t) for t in titles),
            *(control_words(Command.BACK, t) for t in titles),
            control_words(Command.NEXT, None),
            control_words(Command.QUIT),
        ]

    def _finish_with(self, ack: Ack | Samples) -> None:
        """Fade out with the quit tone (or words), and give it a moment to be heard."""
        begins: list[int] = []
        sound = ack_sound(ack, self.timeline.sample_rate) if isinstance(ack, str) else ack

        def change() -> None:
            self.transport.pause(ack=sound)
            begins.append(self.transport.pulled)  # the tone's first output frame

        self.output.interrupt(change)
        target = begins[0] + len(sound)
        deadline = time.monotonic() + len(sound) / self.timeline.sample_rate + QUIT_WAIT
        while self.output.heard() < target and time.monotonic() < deadline:
            self.output.wait(0.02)

    # --- the loop -----------------------------------------------------------------------

    def start(self) -> None:
        """Open the output and start the sound (``run`` does this if it was not done)."""
        if self._started:
            return
        try:
            self.output.start(self.transport)
        except BaseException:
            self.output.stop()
            raise
        self._started = True

    def run(self, controls: Controls | None = None, view: StatusView | None = None) -> PlayResult:
        """Play to the end, or until a control ends it. The output is always stopped after."""
        outcome: Outcome = "completed"
        try:
            self.start()
            while True:
                listening = controls is not None and controls.listening
                request = controls.read(TICK) if controls is not None and listening else None
                if request is not None:
                    try:
                        ended = self.handle(request)
                    finally:
                        request.done.set()
                    if ended is not None:
                        outcome = ended
                        break
                if self.output.wait(0.0 if listening else TICK):
                    break
                self.timeline.check()
                self._follow()
                if view is not None:
                    view.update(self.status())
            position = self.position()
        finally:
            if controls is not None:
                controls.drain()
            self.output.stop()
        if outcome == "completed":
            position = self.timeline.frames
        return PlayResult(
            outcome=outcome,
            position=position / self.timeline.sample_rate,
            step=self.step_at(position),
            steps_skipped=self.steps_skipped,
        )


# --- a whole session: the routine, the safety questions, the journal, the terminal -------


def speak(text: str, settings: Settings, cache_dir: Path) -> None:
    """Say ``text`` now, in the session's voice, through the chosen output (and wait)."""
    from voiceguide.output import open_output
    from voiceguide.render import render
    from voiceguide.render.clips import ClipStore
    from voiceguide.speech import open_voice

    voice = open_voice(settings.engine, settings.voice, settings.rate)
    clip = ClipStore(cache_dir, voice, render.SAMPLE_RATE).get(text)
    seconds = len(clip) / render.SAMPLE_RATE
    cue = Cue(0.0, seconds, "say", text, 0)
    script = Script("", text, seconds, (cue,), (), (), settings.compile_options())
    timeline = render.place(script, {text: clip}, render.SAMPLE_RATE)
    with native_stderr_silenced():
        Player(timeline, open_output(settings.backend, settings.device)).run()


@contextlib.contextmanager
def _exit_on_hangup() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into a normal exit, so the terminal is restored and the
    sound stopped on the way out (their default is to die on the spot)."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
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
    with _exit_on_hangup(), native_stderr_silenced():
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
        settings,
        journal,
        interactive=sys.stdin.isatty(),
        ask=ask,
        say=say,
        force=force,
        assume_yes=assume_yes,
    )
    # Playing starts as soon as the opening is rendered; the rest follows in the background.
    rendering = streaming.start(routine, settings, cache_dir)
    try:
        return _play_rendering(
            output, warming, rendering, journal, routine, settings, cache_dir, from_step, say
        )
    finally:
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
    from voiceguide.practice.journal import INTERRUPTED, USER_QUIT, record_session
    from voiceguide.render.speaker import Speaker
    from voiceguide.speech import choose_engine

    timeline = rendering.timeline
    start = find_step(timeline.estimate, from_step) if from_step else 0
    timeline.wait_until_playable(start)
    warming.result()
    speaker = Speaker(settings, cache_dir, timeline.sample_rate)
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
        except SystemExit:  # SIGTERM or SIGHUP (see _exit_on_hangup): like Ctrl-C
            recording.finish("quit", INTERRUPTED)
            raise
        finally:
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
