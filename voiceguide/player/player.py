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
import time
from collections.abc import Callable, Sequence

import numpy as np

from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.audio.samples import Samples
from voiceguide.errors import VoiceguideError
from voiceguide.output.base import Output
from voiceguide.player.commands import (
    AGAIN,
    AckStyle,
    Answer,
    Command,
    Controls,
    Request,
    perform,
)
from voiceguide.player.questions import Asked
from voiceguide.player.rating import LEAD, Moment, Ratings, RatingWindow, rating_sound
from voiceguide.player.state import Asking, Outcome, PlayResult, Status, StatusView
from voiceguide.player.transport import Transport
from voiceguide.player.whereami import answer_parts, control_answers, control_words, step_parts
from voiceguide.render.timeline import Playable
from voiceguide.script import phrasing
from voiceguide.script.records import Script

TICK = 0.05  # seconds: how often the loop looks at keys, the output and the display
BACK_GRACE = 2.0  # seconds into a step within which "back" goes to the step before
MESSAGE_TIME = 3.0  # seconds a control's message stays on the display
QUIT_WAIT = 0.5  # seconds at most, past its length, to let the quit answer be heard
SENTENCE_GAP = 0.25  # seconds between the sentences of a spoken answer
INSTRUCTION_KINDS = frozenset({"say", "caution", "side"})  # what "repeat" goes back to
# How far into a question's round playing may be when the answer is settled and still go
# on past it: a skip to the round (next, during the question) is a "go on"; a seek deep
# into it is not.
SETTLE_MARGIN = 1.0

Say = Callable[[str], Samples]  # a text as a clip in the session's voice


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
        leave_out: str | None = None,
        rating: Sequence[Moment] = (),
        rated: Callable[[Moment, int], str | None] | None = None,
    ) -> None:
        self.timeline = timeline
        self.output = output
        # The title of a step to skip when playing reaches it (it hurt last time).
        self.leave_out = leave_out
        self._left_out: set[int] = set()
        self.say = say
        self.acknowledge = acknowledge
        self._rendered = rendered
        self._known: Script | None = None
        self._step_starts: list[int] = []
        self._instructions: list[int] = []
        self._questions: list[Asked] = []
        self._learn_script()
        start = self._step_starts[start_step] if self._step_starts else 0
        self.transport = Transport(timeline, start)
        self.steps_skipped = 0
        self._message: tuple[str, float] | None = None
        self._started = False
        self._stopped_at = start
        # A skip waiting for its step to be rendered: (the step, whether words answer).
        self._pending_step: tuple[int, bool] | None = None
        # The moments to ask how the back is, 0 to 10, and the answers.
        self.ratings = Ratings(tuple(rating))
        # Given each rating as it comes (to keep it); the advice it calls for, if any.
        self.rated = rated
        # A control ended the rating question: hush it with the control's change.
        self._hush_first = False
        # The output frame from which the last change of course is heard: until then,
        # where playing is heard is where it was before the change.
        self._changed_at = 0

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
        frame_at = self.timeline.frame_at
        known = {asked.round_step: asked for asked in self._questions}
        self._questions = [
            known.get(q.round_step)
            or Asked(
                self._step_starts[q.round_step - 1],
                frame_at(q.opens),
                frame_at(q.closes),
                frame_at(q.decided),
                q.round_step,
            )
            for q in script.questions()
        ]

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
        # Every step from the first frame, even while the voice is still being rendered:
        # their titles and number do not depend on the clips' lengths.
        steps = self.timeline.outline.steps
        index = self.step_at(position)
        message = None
        if self._message and time.monotonic() - self._message[1] < MESSAGE_TIME:
            message = self._message[0]
        return Status(
            title=self.timeline.outline.title,
            position=position / self.timeline.sample_rate,
            duration=self.timeline.duration,
            step=index,
            step_label=self.timeline.outline.step_label(index) if index >= 0 else None,
            step_title=steps[index].title if index >= 0 else None,
            next_title=steps[index + 1].title if index + 1 < len(steps) else None,
            paused=not self.transport.playing,
            message=message,
            rendered=self._rendered() if self._rendered else None,
            waiting=self.transport.waiting or self._pending_step is not None,
            estimated=not self.timeline.complete,
        )

    # --- controls (each command's one meaning: see voiceguide.player.commands) ---------------

    @property
    def playing(self) -> bool:
        return self.transport.playing

    def handle(self, request: Request) -> Outcome | None:
        """Carry out ``request``; the outcome when it ends playing."""
        if self.ratings.hears(self.output.heard()) and request.command not in (
            Command.ANSWER,
            Command.WHERE,
        ):
            # Any other control ends the rating question unanswered, and does what it says:
            # the question is hushed with the control's own change of course.
            self.ratings.drop()
            self._hush_first = True
        outcome = perform(self, request, self.acknowledge)
        if self._hush_first:  # the control changed nothing (a pause while paused)
            self._interrupt(lambda: None)
        return outcome

    def _interrupt(self, change: Callable[[], object]) -> None:
        """Make ``change`` through the output, hushing first what a control ended."""
        hush, self._hush_first = self._hush_first, False

        def apply() -> None:
            if hush:
                self.transport.hush()
            change()

        self.output.interrupt(apply)

    def _change(self, change: Callable[[], object], message: str) -> None:
        self._interrupt(change)
        self._changed_at = self.transport.pulled
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
        self.steps_skipped += 1
        self._skip_past(self.step_at(self.position()), words)

    def _skip_past(self, current: int, words: bool) -> None:
        """Go to the start of the step after step ``current`` (or the end)."""
        index = current + 1
        if index < len(self._step_starts):
            self._jump(self._step_starts[index], "next", Command.NEXT, words, "Next")
        elif self.timeline.ready < self.timeline.frames:
            # Not rendered yet: wait, saying so, and go there once it is (``_follow``).
            self._pending_step = (index, words)
            self._change(lambda: self.transport.pause("wait"), "Next: waiting for the voice")
        else:
            self._jump(self.timeline.frames, "next", Command.NEXT, words, "Skipped to the end")

    def _follow(self) -> None:
        """Make a skip that was waiting for its step once the step is known, and leave
        out the step to leave out when playing reaches it."""
        self._learn_script()
        if self.leave_out is not None and self._pending_step is None:
            index = self.step_at(self.position())
            if self._to_leave_out(index):
                self._left_out.add(index)
                self._skip_past(index, words=False)
        if self._pending_step is not None and self._pending_step[0] < len(self._step_starts):
            index, words = self._pending_step
            self._pending_step = None
            self._jump(self._step_starts[index], "next", Command.NEXT, words, "Next")

    def _to_leave_out(self, index: int) -> bool:
        """Whether step ``index`` is the step to leave out, not left out yet."""
        steps = self.timeline.script.steps
        return (
            0 <= index < len(steps)
            and index not in self._left_out
            and steps[index].title == self.leave_out
        )

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
            ack = self._answer("nothing", words, phrasing.NOTHING_TO_REPEAT)
            self._change(lambda: self.transport.acknowledge(ack), "Nothing to repeat yet")
            return
        target = self._instructions[i]
        ack = self._answer("repeat", words, control_words(Command.REPEAT))
        self._change(lambda: self.transport.seek(target, ack), "Repeating")

    def where_am_i(self) -> None:
        """Say where the session is, over nothing else, and play on from that very frame."""
        seconds = self.position() / self.timeline.sample_rate
        parts = answer_parts(self.timeline.script, seconds, self.timeline.outline)
        text = " ".join(parts)
        try:
            clip = self._sentences(parts) if self.say is not None else None
        except VoiceguideError as exc:
            clip, text = None, f"Cannot say it: {exc}"
        if clip is None:  # the display still shows it; the buzz says it was not spoken
            self._change(lambda: self.transport.acknowledge("nothing"), text)
            return
        window = self.ratings.window
        if window is not None and self.ratings.hears(self.output.heard()):
            self._ask(window.moment, window.frame, before=clip)  # then the rating again
            self._message = (text, time.monotonic())
            return
        self._change(lambda: self.transport.interlude(clip), text)

    def _sentences(self, parts: Sequence[str]) -> Samples:
        """``parts`` said one after another, a short breath between them (each is its own
        clip, so each can be made ahead: see ``upcoming_answers``)."""
        assert self.say is not None
        return self._one_after_another([self.say(part) for part in parts])

    def _one_after_another(self, clips: Sequence[Samples]) -> Samples:
        """``clips`` as one sound, ``SENTENCE_GAP`` between each two (the gap alone for
        none)."""
        gap = np.zeros(round(SENTENCE_GAP * self.timeline.sample_rate), dtype=np.float32)
        pieces: list[Samples] = []
        for clip in clips:
            pieces += [gap, clip] if pieces else [clip]
        return np.concatenate(pieces) if pieces else gap

    def upcoming_answers(self) -> list[str]:
        """The sentences "where am I?" may need in this step and the next."""
        index = self.step_at(self.position())
        script, outline = self.timeline.script, self.timeline.outline
        return step_parts(script, index, outline) + step_parts(script, index + 1, outline)

    # --- questions ----------------------------------------------------------------------

    def _asked_now(self) -> Asked | None:
        """The question being asked, from its first word until its closing tone ends."""
        position = self.position()
        return next(
            (q for q in self._questions if q.asked <= position < q.decided and not q.settled),
            None,
        )

    @property
    def asking(self) -> bool:
        return self._asked_now() is not None

    def expecting(self) -> Asking | None:
        """What is asked now (its answers may be said), if anything."""
        if self.ratings.hears(self.output.heard()):
            return "rating"
        return "question" if self.asking else None

    def answer(self, answer: Answer, words: bool = False) -> None:
        """Take ``answer`` to the question being asked: the window closes at once (its
        closing tone is heard), and the way it went is said once the tone has ended.
        With no question being asked, the "nothing" buzz."""
        if isinstance(answer, int):
            self._rate(answer)
            return
        asked = self._asked_now()
        if asked is None:
            ack = self._answer("nothing", words, phrasing.NO_QUESTION)
            self._change(lambda: self.transport.acknowledge(ack), "No question to answer")
            return
        asked.answer = answer
        closes = asked.closes
        message = "Answer: one more" if answer == AGAIN else "Answer: go on"
        if self.position() < closes:
            self._change(lambda: self.transport.seek(closes), message)
        else:
            self._message = (message, time.monotonic())

    def _settle(self) -> None:
        """Once a question's closing tone has been heard: its round plays on a deliberate
        "again", else playing goes on after it, saying so. Going back before a question
        asks it again."""
        position = self.position()
        for asked in self._questions:
            if position < asked.opens:
                asked.settled, asked.answer = False, None
                continue
            if asked.settled or position < asked.decided:
                continue
            asked.settled = True
            round_start = self._step_starts[asked.round_step]
            if asked.answer == AGAIN or position > round_start + self._decision_margin():
                # Taken, or playing is already well inside the round (a skip or a seek
                # landed there): the round plays.
                self._message = ("One more round", time.monotonic())
                continue
            self._go_on_past(asked.round_step)
            return  # one change at a time: the next tick sees where it went

    def _go_on_past(self, round_step: int) -> None:
        """Past a question's round, saying "Going on." (or once it is rendered)."""
        after = round_step + 1
        if after < len(self._step_starts):
            target = self._step_starts[after]
            ack = self._answer("next", True, phrasing.GOING_ON)
            self._change(lambda: self.transport.seek(target, ack), "Going on")
        else:
            self._skip_past(round_step, words=True)

    def _decision_margin(self) -> int:
        return round(SETTLE_MARGIN * self.timeline.sample_rate)

    def question_texts(self) -> list[str]:
        """What the player may say at a question or a rating, to make ahead (before the
        script is known to the end, so whatever the routine)."""
        texts = [phrasing.GOING_ON, phrasing.NO_QUESTION]
        if self.ratings.moments:
            texts += [phrasing.RATING_QUESTION, *(phrasing.rating_noted(n) for n in range(11))]
        return texts

    # --- the rating ("how is your back, 0 to 10?") --------------------------------------

    def _rating_frame(self, moment: Moment) -> int | None:
        """Where playing stops to ask at ``moment``: the first step's start, or the
        closing's (once the script is known that far)."""
        self._learn_script()  # the steps of ``_step_starts``: the render adds steps any time
        assert self._known is not None
        steps = self._known.steps
        if moment == "before":
            return self._step_starts[1] if len(steps) > 2 else None
        if steps and steps[-1].title == phrasing.CLOSING_TITLE and len(steps) > 2:
            return self._step_starts[-1]
        return None

    def _ask_rating(self) -> None:
        """Ask at each moment once, when playing first reaches it or passes it (once what
        is being said has been heard); close the window when its time is up (without an
        answer nothing is recorded)."""
        if self.ratings.window is not None:
            due = self.ratings.tick(self.output.heard(), time.monotonic())
            if due is not None:
                self._take_rating(due)
            return
        heard = self.output.heard()
        if self.say is None or heard < max(self._changed_at, self.transport.sounding_until()):
            return
        position = self.position()
        lead = round(LEAD * self.timeline.sample_rate)
        closing = self._rating_frame("after")
        for moment in self.ratings.moments:
            frame = self._rating_frame(moment)
            if moment in self.ratings.asked or frame is None or position < frame - lead:
                continue
            if self._to_leave_out(self.step_at(frame)):
                continue  # asked where the skip past it lands, once it is heard
            if moment == "before" and closing is not None and position >= closing - lead:
                continue  # started at the closing: only "after" is asked
            # Where playing reaches the moment; past it (a skip, a step left out, --from),
            # where playing is.
            self._ask(moment, frame if position < frame + lead else position)
            return

    def _ask(self, moment: Moment, frame: int, before: Samples | None = None) -> None:
        """Ask the rating for ``moment`` over nothing else (after ``before``, said first),
        then play on at ``frame``."""
        assert self.say is not None
        try:
            words = self.say(phrasing.RATING_QUESTION)
        except VoiceguideError:
            self.ratings.asked.add(moment)
            return  # not asked: the routine goes on
        pace = self.timeline.script.options.pace
        asked = rating_sound(words, self.timeline.sample_rate, pace)
        sound = asked.sound if before is None else self._one_after_another([before, asked.sound])
        offset = len(sound) - len(asked.sound)
        begins: list[int] = []

        def change() -> None:
            self.transport.hush()  # the question asked before, if any, is asked anew
            self.transport.seek(frame, sound)
            begins.append(self.transport.pulled + offset)  # the question's first frame

        self._change(change, "How is your back, 0 to 10? Press a number")
        self.ratings.open(RatingWindow(moment, begins[0], begins[0] + asked.closes, frame))

    def _rate(self, digit: int) -> None:
        """A number while the rating is asked (a 1 may wait for a 0); else the buzz."""
        if not self.ratings.hears(self.output.heard()):
            message = "No question to answer"
            self._change(lambda: self.transport.acknowledge("nothing"), message)
            return
        value = self.ratings.push(digit, time.monotonic())
        if value is not None:
            self._take_rating(value)

    def _take_rating(self, value: int) -> None:
        """Record ``value``, say it back, and go on at once from where playing stopped."""
        window = self.ratings.take(value)
        advice = self.rated(window.moment, value) if self.rated is not None else None
        said = [phrasing.rating_noted(value), *([advice] if advice else [])]
        try:
            ack: Ack | Samples = self._sentences(said)
        except VoiceguideError:
            ack = "next"
        frame = window.frame

        def change() -> None:
            self.transport.hush()  # the rest of the window and its closing tone
            self.transport.seek(frame, ack)

        self._change(change, f"Rated {value} of 10")

    def quit(self, words: bool = False) -> None:
        self._finish_with(self._answer("quit", words, control_words(Command.QUIT)))

    def hurt(self) -> None:
        self._interrupt(lambda: self.transport.pause(ack=None))

    def answer_texts(self) -> list[str]:
        """Every answer to a control that can be known ahead (to make them early)."""
        return control_answers(self.timeline.outline)

    def _finish_with(self, ack: Ack | Samples) -> None:
        """Fade out with the quit tone (or words), and give it a moment to be heard."""
        begins: list[int] = []
        sound = ack_sound(ack, self.timeline.sample_rate) if isinstance(ack, str) else ack

        def change() -> None:
            self.transport.pause(ack=sound)
            begins.append(self.transport.pulled)  # the tone's first output frame

        self._interrupt(change)
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
                self._settle()
                self._ask_rating()
                if view is not None:
                    view.update(self.status())
        finally:
            # Where the sound stopped, also when Ctrl-C ends it (see ``result``).
            self._stopped_at = self.position()
            if controls is not None:
                controls.drain()
            self.output.stop()
        return self.result(outcome)

    def result(self, outcome: Outcome) -> PlayResult:
        """After ``run``: how playing ended, as ``outcome``; where the sound stopped (the
        end, when completed)."""
        position = self.timeline.frames if outcome == "completed" else self._stopped_at
        return PlayResult(
            outcome=outcome,
            position=position / self.timeline.sample_rate,
            step=self.step_at(position),
            steps_skipped=self.steps_skipped,
            ratings=tuple(self.ratings.given),
        )
