"""The guidance check: what makes a valid routine hard to follow with eyes closed.

A routine the loader accepts can still confuse or endanger someone following it blind:
a breath prompt said twice, a crack attempted again and again, a roll-over with no time
to do it. ``check`` finds these and says, for each, the file and line and what to change.
``voiceguide validate`` prints them as warnings (errors with ``--strict``); the built-in
routines have none. docs/routine-format.md lists the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from voiceguide.routine.movement import MOVE_SECONDS, is_position_change, position_named
from voiceguide.routine.records import (
    Block,
    Breathe,
    Caution,
    Include,
    Question,
    Repeat,
    Rest,
    Routine,
    Say,
    Step,
    walk,
    with_included,
)
from voiceguide.script import phrasing
from voiceguide.script.compiler import compile_script
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import CompileOptions, Cue, Script
from voiceguide.text import clock_tenths

# Tones, step and caution together, per minute of a routine's own part (between the
# opening and the closing): more and they stop meaning anything.
TONES_PER_MINUTE = 3.0
# The least time from the end of one caution to the tone of the next, in the routine's
# own part: closer, the second runs into the first before it is taken in (about one
# instruction and its pause lies between them).
CAUTION_SPACING = 10.0

_BREATHE_IN = re.compile(r"\bbreathe in\b", re.IGNORECASE)
_THE_END = re.compile(r"\bthat is the end of\b", re.IGNORECASE)


@dataclass(frozen=True)
class GuidanceWarning:
    """One finding: where it is and what to change."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def check(routine: Routine) -> tuple[GuidanceWarning, ...]:
    """Every guidance warning for ``routine``, in file order. Rules about single steps
    look at this file's own steps (an included file is checked on its own); rules about
    the whole session (tones, the roller caution, the attempt) look through includes."""
    found = [
        *_step_rules(routine),
        *_attempt_rules(routine),
        *_question_rule(routine),
        *_roller_rule(routine),
        *_session_rules(routine),
        *_tone_rule(routine),
        *_caution_spacing_rule(routine),
    ]
    return tuple(sorted(found, key=lambda w: (str(w.path), w.line)))


def _short(text: str) -> str:
    return repr(text if len(text) <= 50 else text[:47] + "...")


# -- rules about single steps ------------------------------------------------------------


def _step_rules(routine: Routine) -> Iterator[GuidanceWarning]:
    path = routine.path
    for step in walk(routine.steps):
        if isinstance(step, Breathe) and step.say and _BREATHE_IN.search(step.say):
            yield GuidanceWarning(
                path,
                step.line,
                "the words before this breathing say 'breathe in', and so does the first "
                "breath prompt; leave 'breathe in' out of the words (like 'On the next "
                "breath out, ...'): voiceguide drops the second prompt, so the breath in "
                "starts before the words end",
            )
        if isinstance(step, Say) and _THE_END.search(step.text):
            yield GuidanceWarning(
                path,
                step.line,
                f"{_short(step.text)} says the end, and voiceguide's closing says it again; "
                "remove the words about the end (keep the instruction)",
            )
        if isinstance(step, Say) and step.hold is None and is_position_change(step.text):
            pause = step.pause or 0.0
            if pause < MOVE_SECONDS:
                given = f"'pause: {pause:g}'" if step.pause else "no pause"
                yield GuidanceWarning(
                    path,
                    step.line,
                    f"{_short(step.text)} asks for a change of position with {given} to do "
                    f"it; write 'pause: {MOVE_SECONDS:g}' or more (voiceguide never gives a "
                    f"position change less than {MOVE_SECONDS:g} seconds)",
                )
        yield from _move_inside(path, step)
    yield from _time_after_release(path, routine.steps, cycle=False)


def _move_inside(path: Path, step: Step) -> Iterator[GuidanceWarning]:
    """A change of position said where timed words follow it: the compiler keeps the
    time to move clear (a longer hold without its early counts, a longer rest, the
    breathing started later), so the step does not run as written."""
    fix = f"make the move a 'say:' step of its own with 'pause: {MOVE_SECONDS:g}' or more"
    if isinstance(step, Say) and step.hold is not None and is_position_change(step.text):
        yield GuidanceWarning(
            path,
            step.line,
            f"{_short(step.text)} asks for a change of position and then a hold, whose "
            f"counts cannot be said while moving: voiceguide holds at least "
            f"{MOVE_SECONDS:g} seconds and leaves out the counts in them; {fix}, then the hold",
        )
    elif isinstance(step, Breathe) and step.say and is_position_change(step.say):
        yield GuidanceWarning(
            path,
            step.line,
            f"{_short(step.say)} asks for a change of position inside a breathing step, "
            f"whose prompts cannot wait for it: voiceguide starts the breathing "
            f"{MOVE_SECONDS:g} seconds later, so a move timed to a breath is not; "
            f"{fix}, then the breathing",
        )
    elif (
        isinstance(step, Rest)
        and step.say
        and is_position_change(step.say)
        and step.seconds < MOVE_SECONDS
    ):
        yield GuidanceWarning(
            path,
            step.line,
            f"{_short(step.say)} asks for a change of position with 'rest: {step.seconds:g}' "
            f"to do it; write 'rest: {MOVE_SECONDS:g}' or more (voiceguide never gives a "
            f"position change less than {MOVE_SECONDS:g} seconds)",
        )


def _first(step: Step) -> Step:
    """The step that is heard first when ``step`` starts: blocks are opened."""
    while isinstance(step, Block):
        step = step.steps[0]
    return step


def _time_after_release(
    path: Path, steps: Sequence[Step], *, cycle: bool
) -> Iterator[GuidanceWarning]:
    """A hold whose release moves the body (``then: Sit up slowly.``) needs the time to
    do it before the next instruction. In a repeat the last step is followed by the
    first again (``cycle``)."""
    pairs = list(pairwise(steps))
    if cycle and len(steps) > 1:
        pairs.append((steps[-1], steps[0]))
    for step, after in pairs:
        if isinstance(step, Block):
            continue
        if not (isinstance(step, Say) and step.then and is_position_change(step.then)):
            continue
        following = _first(after)
        time = 0.0
        if isinstance(following, Say) and following.hold is None:
            time = following.pause or 0.0
        elif isinstance(following, Rest):
            time = following.seconds
        if time < MOVE_SECONDS:
            yield GuidanceWarning(
                path,
                following.line,
                f"the hold before ends with {_short(step.then)}, a change of position, but "
                f"this step leaves {time:g} seconds for it; make this a step with "
                f"'pause: {MOVE_SECONDS:g}' or more, or a 'rest'",
            )
    for step in steps:
        if isinstance(step, Block):
            yield from _time_after_release(path, step.steps, cycle=isinstance(step, Repeat))


# -- the attempt at a crack --------------------------------------------------------------


def _is_attempt(step: Step) -> bool:
    return isinstance(step, Say | Breathe) and step.attempt


def _attempt_rules(routine: Routine) -> Iterator[GuidanceWarning]:
    path = routine.path
    if routine.kind == "crack" and not any(
        _is_attempt(step) for r in with_included(routine) for step in walk(r.steps)
    ):
        yield GuidanceWarning(
            path,
            routine.steps[0].line,
            "no step of this crack routine is marked 'attempt: true', so the reminder that "
            "one release is enough comes in the opening instead of just before the attempt; "
            "add 'attempt: true' to the step where the crack may come",
        )
    for step in walk(routine.steps):
        if (
            isinstance(step, Repeat)
            and step.times > 1
            and any(_is_attempt(inner) for inner in walk(step.steps))
        ):
            yield GuidanceWarning(
                path,
                step.line,
                f"this repeat asks for the attempt at a crack {step.times} times; one "
                "release is all that is wanted: do it once, and offer more with "
                "'question: Felt nothing, and would like one more?' after it, once the body "
                "is out of the position",
            )
        if isinstance(step, Breathe) and step.attempt and step.cycles > 1:
            yield GuidanceWarning(
                path,
                step.line,
                f"this attempt at a crack runs over {step.cycles} breaths, each one another "
                "attempt; give it 'cycles: 1', and offer more with an optional repeat",
            )


def _holds_position(step: Step) -> bool:
    """Whether the body is still in a held or loaded position when ``step`` ends: after
    an attempt, the step that loads it, or a hold whose release does not move out of it."""
    if isinstance(step, Say | Breathe) and (step.attempt or step.loads):
        return True
    return (
        isinstance(step, Say) and step.hold is not None and not is_position_change(step.then or "")
    )


def _question_rule(routine: Routine) -> Iterator[GuidanceWarning]:
    """A question is asked once the body is out of the position: someone holding a twist
    or a fist behind the back cannot answer, and should not wait there for the answer."""
    before: Step | None = None  # the step heard last before the one being looked at

    def visit(steps: Sequence[Step]) -> Iterator[GuidanceWarning]:
        nonlocal before
        for step in steps:
            if isinstance(step, Question) and before is not None and _holds_position(before):
                yield GuidanceWarning(
                    routine.path,
                    step.line,
                    "this question follows a hold or an attempt, so it would be asked in "
                    "the position; put a step before it that comes out of it (release the "
                    "press, lower the arms, sit up, hips down)",
                )
            if isinstance(step, Block):
                yield from visit(step.steps)
            elif isinstance(step, Include):
                before = None  # its own file is checked on its own
            else:
                before = step

    yield from visit(routine.steps)


# -- the foam roller ---------------------------------------------------------------------


def _spoken_cautions(routine: Routine) -> Iterator[str]:
    for r in with_included(routine):
        yield from r.cautions
        yield from (step.text for step in walk(r.steps) if isinstance(step, Caution))


def _roller_rule(routine: Routine) -> Iterator[GuidanceWarning]:
    uses_roller = any(
        "roller" in item.lower() for r in with_included(routine) for item in r.equipment
    )
    if not uses_roller:
        return
    cautions = [text.lower() for text in _spoken_cautions(routine)]
    line = routine.steps[0].line
    if not any("head" in text for text in cautions):
        yield GuidanceWarning(
            routine.path,
            line,
            "this routine uses a foam roller but no caution says to keep the head off the "
            "floor; add one where the user lies back, like '- caution: Keep your head up; "
            "do not let it drop back to the floor.'",
        )
    if not any("intense" in text for text in cautions):
        yield GuidanceWarning(
            routine.path,
            line,
            "this routine uses a foam roller but no caution says the roller is more intense "
            "than the other ways; add one, like '- caution: The roller can feel more intense "
            "than the other ways. Stay relaxed.'",
        )


# -- sessions ----------------------------------------------------------------------------


def _kept(routine: Routine) -> list[Step]:
    """The top-level steps of ``routine`` that are said inside a session."""
    return [
        step
        for step in routine.steps
        if not (isinstance(step, Say | Breathe | Rest | Caution) and step.alone)
    ]


def _last(step: Step) -> Step:
    """The step heard last when ``step`` ends: blocks are opened."""
    while isinstance(step, Block):
        step = step.steps[-1]
    return step


def _is_rest(step: Step) -> bool:
    return isinstance(step, Rest | Breathe)


def _session_rules(routine: Routine) -> Iterator[GuidanceWarning]:
    """An included routine must not repeat the session's setup or stack a rest on its own."""
    position: str | None = None
    steps = routine.steps
    for index, step in enumerate(steps):
        if isinstance(step, Say):
            position = position_named(step.text) or position
        if not isinstance(step, Include):
            continue
        included = step.routine
        kept = _kept(included)
        first = kept[0] if kept else None
        if isinstance(first, Say) and position and position_named(first.text) == position:
            yield GuidanceWarning(
                routine.path,
                step.line,
                f"'{included.id}' starts with {_short(first.text)} "
                f"({included.path.name}:{first.line}), but the session has the listener "
                f"{position} already; mark that step 'alone: true' in {included.path.name}",
            )
        for inner in kept:
            if isinstance(inner, Say):
                position = position_named(inner.text) or position
        last = _last(kept[-1]) if kept else None
        following = steps[index + 1] if index + 1 < len(steps) else None
        if last is not None and _is_rest(last) and following is not None and _is_rest(following):
            yield GuidanceWarning(
                routine.path,
                following.line,
                f"'{included.id}' ends with a rest ({included.path.name}:{last.line}) and the "
                "session rests again here; make this step a 'say:' of what comes next, with "
                f"a 'pause:', or mark that step 'alone: true' in {included.path.name}",
            )


# -- tones -------------------------------------------------------------------------------


def _estimated_script(routine: Routine) -> Script:
    options = CompileOptions()
    return compile_script(routine, options, estimated_duration(options.rate))


def _tone_rule(routine: Routine) -> Iterator[GuidanceWarning]:
    """Tones between the opening and the closing (the routine's own part: the frame's
    tones are voiceguide's), per minute of that part, counted over at least a minute."""
    script = _estimated_script(routine)
    body = script.steps[1:-1]
    if not body:
        return
    start, end = body[0].start, body[-1].end
    # A question's window tones belong to its question, which is asked, not a new part.
    tones = sum(
        1 for cue in script.cues if cue.tone in ("step", "caution") and start <= cue.start < end
    )
    per_minute = tones / max((end - start) / 60.0, 1.0)
    if per_minute > TONES_PER_MINUTE:
        yield GuidanceWarning(
            routine.path,
            routine.steps[0].line,
            f"{tones} tones in the {clock_tenths(end - start)} between the opening and the closing "
            f"is {per_minute:.1f} a minute, more than {TONES_PER_MINUTE:g}: tones stop meaning "
            "anything; turn 'caution:' steps that are instructions into 'say:' steps, and let "
            "only a new exercise or side start a step",
        )


# -- cautions too close together ---------------------------------------------------------


def _caution_lines(routine: Routine) -> dict[str, tuple[Path, int]]:
    """Where each caution said in the routine's own part is written: its ``caution:``
    step, or for the once-is-enough line the step it is said before."""
    lines: dict[str, tuple[Path, int]] = {}
    for r in with_included(routine):
        for step in walk(r.steps):
            if isinstance(step, Caution):
                lines.setdefault(step.text, (r.path, step.line))
            elif isinstance(step, Say | Breathe) and (step.attempt or step.loads):
                lines.setdefault(phrasing.ONCE_IS_ENOUGH, (r.path, step.line))
    return lines


def _caution_spacing_rule(routine: Routine) -> Iterator[GuidanceWarning]:
    """Two cautions closer than ``CAUTION_SPACING`` (the end of one to the tone of the
    next), both in the routine's own part: the opening and the closing say theirs
    together, one after another, by design."""
    script = _estimated_script(routine)
    last_body_step = len(script.steps) - 2
    heard: list[tuple[float, Cue]] = []  # (start of its tone, the caution)
    for before, cue in pairwise(script.cues):
        if cue.kind == "caution":
            starts = before.start if before.tone == "caution" else cue.start
            heard.append((starts, cue))
    lines = _caution_lines(routine)
    for (_, first), (second_starts, second) in pairwise(heard):
        in_body = all(1 <= c.step <= last_body_step for c in (first, second))
        gap = second_starts - first.end
        if not in_body or gap >= CAUTION_SPACING:
            continue
        path, line = (
            lines.get(second.text)
            or lines.get(first.text)
            or (
                routine.path,
                routine.steps[0].line,
            )
        )
        yield GuidanceWarning(
            path,
            line,
            f"the cautions {_short(first.text)} and {_short(second.text)} come "
            f"{gap:.1f} seconds apart (at {clock_tenths(second_starts)}), and run together; "
            f"merge them into one, or say the earlier one earlier: leave at least "
            f"{CAUTION_SPACING:g} seconds between two cautions",
        )
