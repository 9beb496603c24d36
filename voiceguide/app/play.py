"""``voiceguide play``, end to end, as one ``PlaySession``: the safety gate and frequency
guard, the voice rendered while playing starts, the device warmed up meanwhile, the
terminal (keys and display) and the media keys, the signals that end it
(``voiceguide.signals``), and the session in the journal.

The session is built once from the settings: it makes every stage's option record at the
top, opens one clip store (the voice) that the streaming render, the player's spoken
answers and every sentence said before or after the routine share, and puts everything
that must be undone on the way out on one ``ExitStack``. ``Player``
(``voiceguide.player.player``) only steers a Timeline in real time.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide import signals
from voiceguide.config import Settings
from voiceguide.output.quiet import native_stderr_silenced
from voiceguide.player.commands import Controls, KeySource
from voiceguide.player.player import Player
from voiceguide.player.state import Asking, PlayResult, StatusView
from voiceguide.script.lookup import find_step
from voiceguide.script.records import Script

if TYPE_CHECKING:
    from voiceguide.listen.guard import VoiceGuard
    from voiceguide.practice.journal import Journal
    from voiceguide.practice.recording import SessionRecording
    from voiceguide.render.clips import ClipStore
    from voiceguide.render.streaming import GrowingTimeline
    from voiceguide.routine.records import Routine

Ask = Callable[[str], bool]  # a y/N question put to the user; True for yes


class PlayInterrupted(KeyboardInterrupt):
    """Ctrl-C (or another signal in ``signals.ENDING``, the context it is raised in) ended
    the routine while it played: ``result`` says where, in ``script``."""

    def __init__(self, script: Script, result: PlayResult) -> None:
        super().__init__()
        self.script = script
        self.result = result


@dataclass(frozen=True)
class PlayRequest:
    """What ``play`` is asked for beyond the settings."""

    routine: str  # an id from `voiceguide list`, or a routine file
    from_step: str | None = None  # a step's number or title
    force: bool = False  # play a crack routine the frequency guard holds back
    assume_yes: bool = False  # answer the gate's question with yes
    rating: bool = True  # ask how the back is, 0 to 10 (unless the settings say not to)


def play_routine(
    request: PlayRequest, settings: Settings, cache_dir: Path, ask: Ask
) -> tuple[Script, PlayResult]:
    """Play ``request.routine`` from start to end, as a session (``PlaySession.play``)."""
    return PlaySession(settings, cache_dir, ask).play(request)


class PlaySession:
    """One ``play``: the settings cut into the stages' records once, one voice, one way out."""

    def __init__(self, settings: Settings, cache_dir: Path, ask: Ask) -> None:
        from voiceguide.output import open_output

        self.render_options = settings.render_options()
        self.limits = settings.frequency_limits()
        self.acknowledge = settings.acknowledge
        self.assume_yes = settings.assume_yes
        self.listen, self.input = settings.listen, settings.input
        self.rating = settings.rating
        self.backend, self.device = settings.backend, settings.device
        self.output = open_output(self.backend, self.device)
        self.cache_dir = cache_dir
        self.ask = ask
        self._clips: ClipStore | None = None

    def clips(self) -> ClipStore:
        """The session's voice, opened when first needed and shared from then on."""
        from voiceguide.render.assembly import clip_store

        if self._clips is None:
            self._clips = clip_store(self.render_options.voice, self.cache_dir)
        return self._clips

    def say(self, text: str) -> None:
        """Say ``text`` now, alone, in the session's voice (and wait): the safety questions
        before the routine, the way out after a stop for pain. An output plays one source
        once, so each sentence has its own."""
        from voiceguide.output import open_output
        from voiceguide.render.assembly import sentence

        timeline = sentence(text, self.clips(), self.render_options.compile_options())
        with native_stderr_silenced():
            Player(timeline, open_output(self.backend, self.device)).run()

    def play(self, request: PlayRequest) -> tuple[Script, PlayResult]:
        """The gate and guard (``ask`` puts their y/N question), then the Timeline rendered
        and played, with keys and the display when stdin and stdout are terminals, and the
        session recorded in the journal. The "stop, it hurts" key ends with the calm
        spoken way out."""
        from voiceguide.audio import loudness
        from voiceguide.practice import safety
        from voiceguide.practice.journal import Journal
        from voiceguide.render import streaming
        from voiceguide.routine.library import find_routine
        from voiceguide.script import phrasing

        with contextlib.ExitStack() as leaving:
            leaving.enter_context(signals.leave_on_signals())
            leaving.enter_context(native_stderr_silenced())
            # Loading the sound library and finding the device take a good part of the
            # time to the first sound: done in a thread while the routine is checked and
            # rendered. Never left with the library still loading in the thread: a process
            # that exits while PortAudio starts up can crash in it.
            warming = _Background(self.output.warm_up)
            leaving.callback(_held, warming.join, self.output.stop)
            if not self.clips().cached(phrasing.PAIN_EXIT):
                # Clips are to be made before the first sound (this one is the first),
                # and each is levelled: the meter's import, most of a second, is done
                # beside the checks and the voice's loading rather than after them.
                _Background(loudness.load_meter)
            routine = find_routine(request.routine)
            journal = Journal()
            interactive = sys.stdin.isatty()
            safety.before_play(
                routine,
                self.limits,
                journal,
                interactive=interactive,
                ask=self.ask,
                say=self.say,
                force=request.force,
                assume_yes=request.assume_yes or self.assume_yes,
            )
            leave_out = safety.after_pain_stop(
                routine,
                journal,
                self.limits,
                _stretch_routines,
                interactive=interactive,
                ask=self.ask,
                say=self.say,
            )
            # The words said if something hurts are made before anything plays: the way
            # out must never wait for the voice to load (a cache read when warm).
            self.clips().get(phrasing.PAIN_EXIT)
            # Playing starts as soon as the opening is rendered; the rest follows.
            rendering = streaming.start(routine, self.render_options, self.clips())
            leaving.callback(_held, rendering.stop)
            timeline = rendering.timeline
            start = find_step(timeline.estimate, request.from_step) if request.from_step else 0
            timeline.wait_until_playable(start)
            warming.result()
            rating = request.rating and self.rating
            result = self._play(timeline, start, routine, journal, leave_out, rating)
        return _heard(timeline), result

    def _play(
        self,
        timeline: GrowingTimeline,
        start: int,
        routine: Routine,
        journal: Journal,
        leave_out: str | None,
        rating: bool,
    ) -> PlayResult:
        from voiceguide.player.media_keys import published
        from voiceguide.player.rating import MOMENTS, Moment
        from voiceguide.practice.journal import SessionStart
        from voiceguide.practice.recording import record_session
        from voiceguide.render.speaker import Speaker

        clips = self.clips()
        speaker = Speaker(clips)
        guard = _guard(self._bed_level(routine)) if self.listen else None
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        # Asked only where it can be answered: on a terminal (a digit key) or by voice.
        asks = MOMENTS if rating and (interactive or self.listen) else ()
        keeping: list[SessionRecording] = []  # the session's record, once it is started
        given: dict[Moment, int] = {}

        def rated(moment: Moment, value: int) -> str | None:
            """Keep the rating at once; the advice it calls for, said once."""
            from voiceguide.practice import safety

            keeping[0].record_rating(moment, value)
            advised = safety.rating_advice(given.get("before"), given.get("after"))
            given[moment] = value
            advice = safety.rating_advice(given.get("before"), given.get("after"))
            return advice if advised is None else None

        player = Player(
            timeline,
            self.output if guard is None else guard.watch(self.output),
            start,
            say=speaker.clip,
            acknowledge=self.acknowledge,
            rendered=timeline.progress,
            leave_out=leave_out,
            rating=asks,
            rated=rated,
        )
        started = SessionStart(
            routine,
            pace=self.render_options.pace,
            engine=clips.voice.engine,
            voice=self.render_options.voice.voice,
        )
        with contextlib.ExitStack() as ending:
            # Waited for last: the speaker may be in the middle of a phrase (with Piper,
            # perhaps loading the voice), which the way out after a stop for pain, read
            # from the cache, must not wait for.
            ending.callback(_held, speaker.close)
            # The device opens before the session is recorded (a device that cannot open
            # is no session) and before the terminal changes (its error is then alone);
            # the first sound is not kept waiting for the journal. A Ctrl-C between the
            # two waits for the record, so a session that was heard is always recorded.
            with signals.deferred():
                player.start()
                recording = ending.enter_context(record_session(journal, started))
            keeping.append(recording)
            with contextlib.ExitStack() as playing:
                playing.callback(speaker.stop)
                keys, view = playing.enter_context(_terminal(interactive))
                controls = Controls(keys)
                buttons = playing.enter_context(published(player, controls))
                if guard is not None:
                    listening = self._listening(controls, guard, view, player.expecting)
                    view = playing.enter_context(listening)
                words = buttons is not None or self.acknowledge == "words" or guard is not None
                answers = player.answer_texts() if words else []
                speaker.start([*answers, *player.question_texts()], player.upcoming_answers)
                try:
                    result = player.run(controls, view)
                except KeyboardInterrupt:
                    # Said on the way out, as a quit is: where the sound stopped.
                    raise PlayInterrupted(_heard(timeline), player.result("quit")) from None
            self._record_end(recording, result, _heard(timeline))
        return result

    def _bed_level(self, routine: Routine) -> float | None:
        """The level of the soundscape under ``routine``, if one plays (the guard listens
        above it)."""
        bed = self.render_options.bed
        return bed.level if bed is not None and bed.source_for(routine) is not None else None

    @contextlib.contextmanager
    def _listening(
        self,
        controls: Controls,
        guard: VoiceGuard,
        view: StatusView | None,
        asking: Callable[[], Asking | None],
    ) -> Iterator[StatusView | None]:
        """Voice commands for ``controls`` while the block runs (``asking`` says what the
        player asks), and the view that shows them; a microphone that cannot be had is one
        line, and playing goes on."""
        from voiceguide.listen.capture import Microphone
        from voiceguide.listen.listener import Listener, ListeningView

        device = self.input
        with Listener(
            controls,
            guard,
            lambda: Microphone(device),
            unavailable=_not_listening,
            asking=asking,
        ) as listener:
            yield None if view is None else ListeningView(view, listener)

    def _record_end(self, recording: SessionRecording, result: PlayResult, script: Script) -> None:
        """How the session ended, in the journal (for a stop for pain, the step that hurt,
        so that the next play can leave it out); after a stop for pain, the way out."""
        from voiceguide.practice import safety
        from voiceguide.practice.journal import USER_QUIT, PainStop

        skipped = result.steps_skipped
        if result.outcome == "stopped":
            step = result.step
            hurt = PainStop(step, script.steps[step].title) if step >= 0 else None
            safety.stop_for_pain(recording, self.say, steps_skipped=skipped, pain_stop=hurt)
        elif result.outcome == "quit":
            recording.finish("quit", USER_QUIT, steps_skipped=skipped)
        else:
            recording.finish("completed", steps_skipped=skipped)


def _guard(bed_level: float | None) -> VoiceGuard:
    from voiceguide.listen.guard import VoiceGuard, threshold_for

    return VoiceGuard(threshold_for(bed_level))


def _not_listening(reason: str) -> None:
    """Why listening is off, said once (playing goes on)."""
    print(f"Not listening: {reason}. Playing goes on; the keys still work.", file=sys.stderr)


def rating_advice(result: PlayResult) -> str | None:
    """The advice the ratings given in ``result`` call for, if any."""
    from voiceguide.practice import safety

    given = dict(result.ratings)
    return safety.rating_advice(given.get("before"), given.get("after"))


def _heard(timeline: GrowingTimeline) -> Script:
    """The routine as played: the whole script once rendered, else its estimate (every
    step named, times estimated)."""
    return timeline.script if timeline.complete else timeline.estimate


def _held(*steps: Callable[[], object]) -> None:
    """Run ``steps`` with the signals that end a session ignored: they wait for the
    session's threads, which a signal must not interrupt. A process that exits while a
    thread is still inside the voice (onnxruntime) or the sound library aborts, with a
    core dump instead of exit status 130."""
    with signals.held():
        for step in steps:
            step()


@contextlib.contextmanager
def _terminal(interactive: bool) -> Iterator[tuple[KeySource | None, StatusView | None]]:
    """Keys and the display when on a terminal; neither otherwise."""
    if not interactive:
        yield None, None
        return
    from voiceguide.player.display import Display
    from voiceguide.player.keyboard import open_keys

    with open_keys(sys.stdin.fileno()) as keys, Display() as display:
        yield keys, display


def _stretch_routines() -> list[Routine]:
    """Every stretch routine, built-in and the user's (read only after a stop for pain)."""
    from voiceguide.routine.library import all_routines

    return [routine for routine in all_routines() if routine.kind == "stretch"]


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
