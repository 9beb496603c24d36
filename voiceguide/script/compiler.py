"""The compiler: a Routine becomes a Script, the timed list of what is said and when.

A pure function of the routine, the options and the length of each spoken clip: no audio,
no files. The timing rules (docs/timing.md explains them for users):

- A cue that is heard occupies ``[start, start + duration_of(text)]`` (a tone,
  ``TONE_SECONDS``). Cues never overlap. Spoken lines follow each other after ``GAP``;
  speech after a tone waits ``TONE_GAP``; a count keeps ``COUNT_GAP`` clear on both sides.
- A hold of N seconds lasts exactly N × pace, from the moment its instruction has finished
  speaking; its counts sit on whole seconds of the hold and the release is said exactly at
  its end. Pauses and rests work the same way. A breath phase starts with its prompt and
  lasts exactly its seconds × pace; its counts sit on the following whole seconds.
- After an instruction that changes position (``movement.is_position_change``: said by
  a ``say``, a hold's release, a rest or the words before breathing), nothing is said
  for at least ``MOVE_SECONDS``, whatever the pace.
- A count that cannot fit is dropped; a breath prompt longer than its phase pushes the
  next phase later. Either way the Script carries a notice.
- Every routine opens with its title and advice, its safety lines and its equipment
  (``Before you start``) and ends with one closing line; a crack routine also says once,
  before the step that loads the position (else right before its first attempt), that
  one release is enough, and closes with its two reminders.
- A ``down`` hold shorter than ``counting.COUNTDOWN_FROM_SECONDS`` gets at most one count cue.
- A step tone marks a new exercise (the first step, an included routine) or side; a
  caution tone marks a safety line; nothing else gets a tone.
- A question is a step of its own: the question, the answer window between two tones
  (``ANSWER_SECONDS`` × pace), and its round a step after it that starts "One more,
  then." (the player skips that step unless the answer asks for it).
- A session reads as one: one opening with every routine's contraindications and
  cautions said once, the included routines' ``alone`` steps (their own setup and closing
  rest) left out, one closing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from voiceguide.errors import CompileError
from voiceguide.routine.movement import FETCH_SECONDS, MOVE_SECONDS, is_position_change
from voiceguide.routine.records import (
    Breathe,
    Caution,
    CountStyle,
    Include,
    Question,
    Repeat,
    Rest,
    Routine,
    Say,
    Sides,
    Step,
    is_session,
    walk,
    with_included,
)
from voiceguide.script import phrasing
from voiceguide.script.counting import hold_counts, whole_seconds
from voiceguide.script.estimate import DurationOf, estimated_duration
from voiceguide.script.records import (
    PACE_RANGE,
    CompileOptions,
    Cue,
    CueKind,
    Phase,
    PhaseKind,
    Script,
    StepSpan,
    ToneKind,
)
from voiceguide.text import clock_tenths

TONE_SECONDS = 0.4  # length of the step and caution tones
GAP = 0.6  # silence between one spoken line (or tone) and the next
TONE_GAP = 0.3  # silence between a tone and the speech it introduces
COUNT_GAP = 0.15  # silence kept clear on each side of a count or breath prompt
ANSWER_SECONDS = 6.0  # a question's answer window, times the pace
# After the window's closing tone, before its round: the player decides there whether to
# play the round or skip it, and nothing of the round may be heard before it does.
DECISION_GAP = 0.6
_BREATHE_IN = re.compile(r"\bbreathe in\b", re.IGNORECASE)


def compile_script(routine: Routine, options: CompileOptions, duration_of: DurationOf) -> Script:
    """The timed Script for ``routine``; ``duration_of(text)`` is how long a clip lasts."""
    _check_options(options)
    builder = _Builder(options, duration_of)
    builder.build(routine)
    return builder.script(routine)


class _NotKnownYet(Exception):
    """A clip length that is not known yet (``compile_known``)."""


def compile_known(
    routine: Routine, options: CompileOptions, durations: Mapping[str, float]
) -> tuple[Script, float | None]:
    """The Script as far as the clip lengths in ``durations`` fix it, and the time up to
    which it is final (None: complete, the same as ``compile_script``).

    The compiler lays cues out in the order they are heard and each cue depends only on
    what comes before it, so compiling stops at the first length it needs and does not
    have: every cue placed by then is final, and nothing later can sound before the end
    of the last of them. That time is the second value."""
    _check_options(options)

    def duration_of(text: str) -> float:
        if text not in durations:
            raise _NotKnownYet
        return durations[text]

    builder = _Builder(options, duration_of)
    try:
        builder.build(routine)
    except _NotKnownYet:
        return builder.script(routine), builder.cue_end or 0.0
    return builder.script(routine), None


def spoken_texts(routine: Routine, options: CompileOptions) -> frozenset[str]:
    """Every text ``compile_script`` may speak for ``routine`` under ``options``, with any
    clip lengths, so that a renderer can synthesize them all before compiling.

    With silent clips nothing is ever dropped (every count sits at least a second from
    the next fixed cue), so compiling with zero durations says every text there is."""
    script = compile_script(routine, options, lambda _text: 0.0)
    return frozenset(cue.text for cue in script.cues if cue.kind != "tone")


def _check_options(options: CompileOptions) -> None:
    low, high = PACE_RANGE
    if not low <= options.pace <= high:  # also refuses NaN
        raise CompileError(f"the pace must be from {low:g} to {high:g}, not {options.pace:g}")


@dataclass(frozen=True)
class _Context:
    """Where a step stands: the routine it came from and the side being done, if any."""

    routine: Routine
    side: str | None = None
    other: str | None = None
    included: bool = False  # inside a session: the routine's ``alone`` steps are left out

    def text(self, text: str) -> str:
        return phrasing.fill_sides(text, self.side, self.other)

    def where(self, line: int) -> str:
        return f"{self.routine.path.name}:{line}"


@dataclass(frozen=True)
class _Unit:
    """One round of a repeat or one side of a sides block: a span of its own at top level."""

    title: str
    phrase: str | None
    phrase_kind: CueKind
    context: _Context


@dataclass
class _Builder:
    """Lays cues and phases end to end; ``cue_end`` and ``phase_end`` are where the last
    of each finished, so the next thing starts after both."""

    options: CompileOptions
    duration_of: DurationOf
    cues: list[Cue] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    span_starts: list[tuple[float, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    cue_end: float | None = None
    last_was_tone: bool = False
    phase_end: float = 0.0
    said: set[str] = field(default_factory=set)  # cautions said so far
    sides_started: bool = False  # a side cue was said: "Right side first." only once
    span_is_empty: bool = False  # the last span has no cue or phase yet
    new_exercise: bool = False  # the next span starts an exercise, so it gets a step tone
    once_is_enough_said: bool = False

    def build(self, routine: Routine) -> None:
        self.opening(routine)
        self.top_level(routine.steps, _Context(routine))
        self.closing(routine)

    # -- the frame around the routine ------------------------------------------------

    def opening(self, routine: Routine) -> None:
        """What must be heard before starting: when it works best (``advice``), who must
        not do this, the therapist's advice before cracking, the cautions of the routine
        and those it includes (each once), stop if it hurts, and what to fetch.
        Exercise-specific cautions are ``caution:`` steps, said where they apply."""
        self.span_starts.append((0.0, phrasing.OPENING_TITLE))
        self.say(phrasing.title_line(routine.title))
        for advice in _merged(routine, lambda r: (r.advice,) if r.advice else ()):
            self.say(advice)
        contraindications = _merged(routine, lambda r: r.contraindications)
        if contraindications:
            who = phrasing.contraindications_line(contraindications, session=is_session(routine))
            self.caution(who)
        if _cracks(routine):
            self.caution(phrasing.CHECK_WITH_A_THERAPIST)
        for text in (*_merged(routine, lambda r: r.cautions), phrasing.STOP_IF_IT_HURTS):
            self.caution(text)
        if _cracks(routine) and not _has_attempt(routine):
            self.once_is_enough()  # no step says where the attempt is: say it before any
        # A session's own list says what the whole session needs; without one, the
        # included routines' lists are put together.
        equipment = routine.equipment or _merged(routine, lambda r: r.equipment)
        if equipment:
            line = self.say(phrasing.equipment_line(equipment))
            self.add_phase(line.end, line.end + self.floor(FETCH_SECONDS, 0.0), "pause")
        self.new_exercise = True

    def closing(self, routine: Routine) -> None:
        self.begin_span(phrasing.CLOSING_TITLE)
        if _cracks(routine):
            self.caution(phrasing.KEEP_IT_OCCASIONAL)
        self.caution(phrasing.SEE_A_DOCTOR)
        self.say(phrasing.CLOSING_SESSION if is_session(routine) else phrasing.CLOSING)

    def once_is_enough(self) -> None:
        if not self.once_is_enough_said:
            self.once_is_enough_said = True
            self.caution(phrasing.ONCE_IS_ENOUGH)

    def floor(self, least: float, seconds: float) -> float:
        """``seconds`` × pace, but never less than ``least`` (a floor pace does not lower)."""
        return max(seconds * self.options.pace, least)

    def script(self, routine: Routine) -> Script:
        # (Nothing yet only when compile_known stops before the first cue.)
        duration = max([c.end for c in self.cues] + [p.end for p in self.phases], default=0.0)
        ends = [start for start, _ in self.span_starts[1:]] + [duration]
        steps = tuple(
            StepSpan(index, start, end, title)
            for index, ((start, title), end) in enumerate(zip(self.span_starts, ends, strict=True))
        )
        return Script(
            routine_id=routine.id,
            title=routine.title,
            duration=duration,
            cues=tuple(self.cues),
            phases=tuple(self.phases),
            steps=steps,
            options=self.options,
            notices=tuple(self.notices),
        )

    # -- spans: what the user can skip between -----------------------------------------

    def top_level(self, steps: Sequence[Step], context: _Context) -> None:
        for step in steps:
            if _left_out(step, context):
                continue
            if isinstance(step, Include):
                self.new_exercise = True
                inner = replace(context, routine=step.routine, included=True)
                self.top_level(step.routine.steps, inner)
            elif isinstance(step, Repeat | Sides):
                self.block_spans(step, _block_title(step, context), context, ())
            elif isinstance(step, Question):
                self.question(step, context.routine.title, context)
            else:
                self.begin_span(_label(step, context))
                self.step(step, context)

    def block_spans(
        self,
        block: Repeat | Sides,
        title: str,
        context: _Context,
        pending: tuple[tuple[str, CueKind], ...],
    ) -> None:
        """A span per round or side; a block made of one inner block splits further
        ("Lower back rotation, round 2 of 3 (left)")."""
        for index, unit in enumerate(_units(block, title, context, self.sides_started)):
            # What the enclosing block had to say belongs before its first unit only.
            phrases = pending if index == 0 else ()
            if unit.phrase:
                phrases = (*phrases, (unit.phrase, unit.phrase_kind))
            inner = block.steps[0] if len(block.steps) == 1 else None
            if isinstance(inner, Repeat | Sides):
                self.block_spans(inner, unit.title, unit.context, phrases)
            else:
                self.begin_span(unit.title, tone=any(kind == "side" for _, kind in phrases))
                for phrase, kind in phrases:
                    self.unit_phrase(phrase, kind)
                self.steps(block.steps, unit.context)

    def begin_span(self, title: str, *, tone: bool = False) -> None:
        """A new span to skip to; a step tone only when it starts an exercise or a side."""
        if self.span_is_empty:  # nothing was said in the last one: it gives way
            self.span_starts.pop()
        self.span_starts.append((self.next_start(), title))
        self.span_is_empty = True
        if tone or self.new_exercise:
            self.tone("step")
        self.new_exercise = False

    def unit_phrase(self, phrase: str, kind: CueKind) -> None:
        """A round or side cue; after the first side cue, "... side first." is not said
        again (``_units`` asks ``sides_started``)."""
        self.sides_started = self.sides_started or kind == "side"
        self.say(phrase, kind)

    # -- steps ------------------------------------------------------------------------

    def steps(self, steps: Sequence[Step], context: _Context) -> None:
        for step in steps:
            if not _left_out(step, context):
                self.step(step, context)

    def step(self, step: Step, context: _Context) -> None:
        # Said before the position is loaded (``loads``), else right before the attempt.
        if (
            isinstance(step, Say | Breathe)
            and (step.attempt or step.loads)
            and context.routine.kind == "crack"
        ):
            self.once_is_enough()
        if isinstance(step, Say):
            self.say_step(step, context)
        elif isinstance(step, Breathe):
            self.breathe(step, context)
        elif isinstance(step, Rest):
            prompt = self.say(context.text(step.say) if step.say else phrasing.REST, "rest")
            least = MOVE_SECONDS if is_position_change(prompt.text) else 0.0
            self.add_phase(prompt.end, prompt.end + self.floor(least, step.seconds), "rest")
        elif isinstance(step, Caution):
            self.caution(context.text(step.text))
        elif isinstance(step, Include):
            self.steps(step.routine.steps, replace(context, routine=step.routine, included=True))
        elif isinstance(step, Question):
            current = self.span_starts[-1][1]
            self.question(step, current, context)
            self.begin_span(f"{current} (continued)")
        else:
            for unit in _units(step, "", context, self.sides_started):
                if unit.phrase:
                    self.unit_phrase(unit.phrase, unit.phrase_kind)
                self.steps(step.steps, unit.context)

    def question(self, block: Question, title: str, context: _Context) -> None:
        """The question and its answer window, a step of its own; then its round, another
        (inside a step, what follows is a third, so that the round is skipped alone)."""
        self.begin_span(f"{title} (question)")
        self.say(phrasing.question_line(context.text(block.text)))
        self.tone("window-open")
        start = self.cue_end or 0.0
        self.add_phase(start, start + ANSWER_SECONDS * self.options.pace, "answer")
        closing = self.tone("window-close")
        self.add_phase(closing.end, closing.end + DECISION_GAP, "pause")
        self.begin_span(f"{title} (one more)")
        self.say(phrasing.ONE_MORE)
        self.steps(block.steps, context)

    def say_step(self, step: Say, context: _Context) -> None:
        text = context.text(step.text)
        instruction = self.say(text)
        moved = is_position_change(text)  # the last words said move: time to move after them
        if step.hold is not None:
            style = self.options.count or step.count
            release = context.text(step.then) if step.then else phrasing.DEFAULT_RELEASE
            where = context.where(step.line)
            self.hold(instruction.end, step.hold, style, release, where, moving=moved)
            moved = is_position_change(release)
        if step.pause is not None or moved:
            start = self.cue_end or 0.0
            least = MOVE_SECONDS if moved else 0.0
            self.add_phase(start, start + self.floor(least, step.pause or 0.0), "pause")

    def hold(
        self,
        start: float,
        seconds: float,
        style: CountStyle,
        release: str,
        where: str,
        *,
        moving: bool = False,
    ) -> None:
        """A hold from ``start``: exactly ``seconds`` × pace, counted, then the release.

        When the words before it change position (``moving``), nothing is said in the
        first ``MOVE_SECONDS``: the hold lasts at least that, and has no counts in them
        (``validate`` warns about such a hold)."""
        length = self.floor(MOVE_SECONDS if moving else 0.0, seconds)
        end = start + length
        self.add_phase(start, end, "hold")
        quiet = MOVE_SECONDS if moving else 0.0
        counts = [(s, text) for s, text in hold_counts(length, style) if s >= quiet]
        self.fixed_counts(start, end, counts, where, "hold")
        self.add_cue(end, "release", release)

    def breathe(self, step: Breathe, context: _Context) -> None:
        if step.say:
            words = self.say(context.text(step.say))
            if is_position_change(words.text):  # the breathing starts once the move is done
                self.add_phase(words.end, words.end + MOVE_SECONDS, "pause")
        counting = step.count and self.options.count != "none"
        phases: list[tuple[PhaseKind, CueKind, str, float]] = [
            ("inhale", "inhale", phrasing.BREATHE_IN, step.inhale),
            ("hold-in", "say", phrasing.BREATH_HOLD, step.hold_in),
            ("exhale", "exhale", phrasing.BREATHE_OUT, step.exhale),
            ("hold-out", "say", phrasing.BREATH_HOLD, step.hold_out),
        ]
        # Words that already say "breathe in" are the first prompt: saying it again
        # seconds later would put the press on the wrong breath.
        asked_in = step.say is not None and _BREATHE_IN.search(step.say) is not None
        start = self.next_start()
        for cycle in range(step.cycles):
            for phase_kind, cue_kind, prompt_text, seconds in phases:
                if seconds <= 0:
                    continue
                length = seconds * self.options.pace
                end = start + length
                self.add_phase(start, end, phase_kind)
                if cycle == 0 and phase_kind == "inhale" and asked_in:
                    start = end
                    continue
                prompt = self.add_cue(start, cue_kind, prompt_text)
                if counting:
                    counts = [(s, phrasing.count_text(s + 1)) for s in whole_seconds(length)]
                    self.fixed_counts(start, end, counts, context.where(step.line), phase_kind)
                if prompt.end + COUNT_GAP > end:
                    late = prompt.end + COUNT_GAP - end
                    self.notices.append(
                        f"{clock_tenths(start)} {context.where(step.line)}: {prompt_text!r} lasts "
                        f"{prompt.end - start:.2f} s, longer than its {length:g} s {phase_kind}; "
                        f"what follows starts {late:.2f} s late"
                    )
                    end = prompt.end + COUNT_GAP
                start = end

    def fixed_counts(
        self, start: float, end: float, counts: list[tuple[int, str]], where: str, what: str
    ) -> None:
        """Place each count at ``start`` + its whole second, keeping those that fit.

        Chosen from the last back to the first, so when clips are long the counts nearest
        the end (the ones that matter most: "two", "one") are the ones kept."""
        earliest = (self.cue_end or 0.0) + COUNT_GAP
        latest = end - COUNT_GAP
        kept: list[tuple[float, str]] = []
        dropped: list[str] = []
        for second, text in reversed(counts):
            at = start + second
            if at >= earliest and at + self.duration(text) <= latest:
                kept.append((at, text))
                latest = at - COUNT_GAP
            else:
                dropped.append(text)
        for at, text in reversed(kept):
            self.add_cue(at, "count", text)
        if dropped:
            listed = ", ".join(repr(text) for text in reversed(dropped))
            self.notices.append(
                f"{clock_tenths(start)} {where}: {len(dropped)} of {len(counts)} counts in the "
                f"{what} did not fit between the clips around them and were left out ({listed})"
            )

    # -- cues and phases ---------------------------------------------------------------

    def say(self, text: str, kind: CueKind = "say") -> Cue:
        return self.add_cue(self.next_start(), kind, text)

    def caution(self, text: str) -> None:
        """A safety line after its tone, said once in a script however often it is asked."""
        if text in self.said:
            return
        self.said.add(text)
        self.tone("caution")
        self.say(text, "caution")

    def tone(self, tone: ToneKind) -> Cue:
        return self.add_cue(self.next_start(), "tone", tone, tone=tone)

    def next_start(self) -> float:
        if self.cue_end is None:
            return self.phase_end
        return max(self.phase_end, self.cue_end + (TONE_GAP if self.last_was_tone else GAP))

    def duration(self, text: str) -> float:
        seconds = self.duration_of(text)
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"duration_of({text!r}) gave {seconds!r}, not a length in seconds")
        return seconds

    def add_cue(self, start: float, kind: CueKind, text: str, tone: ToneKind | None = None) -> Cue:
        length = TONE_SECONDS if tone else self.duration(text)
        step = len(self.span_starts) - 1
        cue = Cue(start=start, end=start + length, kind=kind, text=text, step=step, tone=tone)
        self.cues.append(cue)
        self.span_is_empty = False
        self.cue_end = cue.end
        self.last_was_tone = tone is not None
        return cue

    def add_phase(self, start: float, end: float, kind: PhaseKind) -> None:
        self.phases.append(Phase(start, end, kind, len(self.span_starts) - 1))
        self.span_is_empty = False
        self.phase_end = end


def _units(
    block: Repeat | Sides, title: str, context: _Context, sides_started: bool
) -> Iterator[_Unit]:
    if isinstance(block, Repeat):
        for number in range(1, block.times + 1):
            label = f"{title}, round {number} of {block.times}" if block.times > 1 else title
            yield _Unit(label, phrasing.round_phrase(number, block.times), "say", context)
    else:
        for index, side in enumerate(block.sides):
            other = phrasing.other_side(block.sides, index)
            inner = replace(context, side=side, other=other)
            label = inner.text(title)
            yield _Unit(
                label if re.search(rf"\b{side}\b", label) else f"{label} ({side})",
                phrasing.side_phrase(index, side, first_time=not sides_started),
                "side",
                inner,
            )


def _block_title(block: Repeat | Sides, context: _Context) -> str:
    """What a top-level block's steps are called, ``{side}`` left for each side to fill:
    a sides block's own title, else its first instruction (as a step is named), where a
    routine of several exercises would otherwise name every block alike; a repeat keeps
    the routine's title unless all it repeats is a sides block split into a step per
    side."""
    inner = block.steps[0] if len(block.steps) == 1 else None
    if isinstance(block, Repeat):
        if isinstance(inner, Sides):
            return _block_title(inner, context)
        return context.routine.title
    if block.title:
        return block.title
    first = next(
        (s for s in walk(block.steps) if isinstance(s, Say | Breathe | Rest | Caution)), None
    )
    return _label(first, context) if first else context.routine.title


def _label(step: Say | Breathe | Rest | Caution, context: _Context) -> str:
    if isinstance(step, Say | Caution):
        text = step.text
    elif step.say:
        text = step.say
    else:
        return "Breathing" if isinstance(step, Breathe) else "Rest"
    return phrasing.step_label(context.text(text))


def _left_out(step: Step, context: _Context) -> bool:
    """A step marked ``alone`` is left out when its routine is inside a session."""
    return context.included and isinstance(step, Say | Breathe | Rest | Caution) and step.alone


def _cracks(routine: Routine) -> bool:
    """True when ``routine`` or anything it includes is a crack routine."""
    return any(r.kind == "crack" for r in with_included(routine))


def _has_attempt(routine: Routine) -> bool:
    """True when a crack routine in ``routine`` marks a step as the attempt."""
    return any(
        isinstance(step, Say | Breathe) and step.attempt
        for r in with_included(routine)
        if r.kind == "crack"
        for step in walk(r.steps)
    )


def _merged(routine: Routine, lines: Callable[[Routine], Sequence[str]]) -> list[str]:
    """``lines`` of every routine in ``routine``, first occurrence kept."""
    return list(dict.fromkeys(line for r in with_included(routine) for line in lines(r)))


def estimated_length(routine: Routine, options: CompileOptions | None = None) -> float:
    """The routine's length with speech timed by the rate alone (no voice needed): at the
    default pace and rate unless ``options`` say otherwise."""
    options = options or CompileOptions()
    return compile_script(routine, options, estimated_duration(options.rate)).duration
