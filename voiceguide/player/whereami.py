"""What the voice says when asked "where am I?", and the words that answer a control.

Both are pure functions of the Script and a moment in it, so they are tested without
sound; the sentences themselves are in ``script.phrasing``. The answer is brief and in
the order someone on the mat needs it: which step (and side), what to be doing, how long
this hold has left or how many breaths remain, and what comes next.
"""

from __future__ import annotations

import bisect
import math

from voiceguide.player.commands import Command
from voiceguide.script import phrasing
from voiceguide.script.records import Phase, Script

DOING_KINDS = frozenset({"say", "side"})  # cues that tell what to be doing
HOLD_KINDS = frozenset({"hold", "hold-in", "hold-out"})
BREATH_KINDS = frozenset({"inhale", "hold-in", "exhale", "hold-out"})


def where_am_i(script: Script, seconds: float) -> str:
    """The answer at ``seconds`` into the session."""
    return " ".join(answer_parts(script, seconds))


def answer_parts(script: Script, seconds: float, outline: Script | None = None) -> tuple[str, ...]:
    """The answer at ``seconds``, sentence by sentence: each is a phrase that
    ``step_parts`` lists for its step, so all can be made before they are asked for.

    ``outline`` names every step when ``script`` is known only as far as it is rendered
    (``Playable.outline``): how many steps there are and what comes next."""
    outline = outline or script
    index = _step_at(script, seconds)
    if index < 0:
        return _ready(outline)
    parts = [_heading(outline, index)]
    doing = [
        c for c in script.cues if c.step == index and c.kind in DOING_KINDS and c.start <= seconds
    ]
    if doing:
        parts.append(phrasing.now_doing(doing[-1].text))
    phase = _phase_at(script, seconds)
    if phase is not None and phase.step == index:
        parts.extend(_time_left(script, phase, seconds))
    parts.append(_next(outline, index))
    return tuple(parts)


def step_parts(script: Script, index: int, outline: Script | None = None) -> list[str]:
    """Every sentence the answer can have while step ``index`` plays (``outline`` as for
    ``answer_parts``)."""
    outline = outline or script
    if not 0 <= index < len(script.steps):
        return list(_ready(outline)) if index < 0 else []
    parts = [_heading(outline, index)]
    doing = [c.text for c in script.cues if c.step == index and c.kind in DOING_KINDS]
    parts += [phrasing.now_doing(text) for text in doing]
    for phase in script.phases:
        if phase.step != index:
            continue
        if phase.kind in BREATH_KINDS:
            parts += _breath_parts(_breaths_in(script, phase.step))
        elif phase.kind in ("hold", "rest"):
            longest = max(1, math.ceil(phase.end - phase.start))
            parts += [phrasing.seconds_left(phase.kind, n) for n in range(1, longest + 1)]
    parts.append(_next(outline, index))
    return list(dict.fromkeys(parts))


def control_answers(script: Script) -> list[str]:
    """Every answer to a control in words: they depend only on the step titles, so all
    can be made before playing starts."""
    titles = [s.title for s in script.steps]
    return [
        control_words(Command.PAUSE),
        control_words(Command.PLAY),
        *(control_words(Command.NEXT, t) for t in titles),
        *(control_words(Command.BACK, t) for t in titles),
        control_words(Command.NEXT, None),
        control_words(Command.REPEAT),
        phrasing.NOTHING_TO_REPEAT,
        control_words(Command.QUIT),
    ]


def every_answer(script: Script) -> list[str]:
    """Every sentence the player may say while ``script`` plays: the answers to the
    controls and to "where am I?" at any moment (what ``cache warm`` makes ahead)."""
    parts = control_answers(script)
    for index in range(-1, len(script.steps)):
        parts += step_parts(script, index)
    return list(dict.fromkeys(parts))


def _step_at(script: Script, seconds: float) -> int:
    return bisect.bisect_right([s.start for s in script.steps], seconds) - 1


def _ready(script: Script) -> tuple[str, ...]:
    first = script.steps[0].title if script.steps else script.title
    return (phrasing.GETTING_READY, phrasing.next_step(first))


def _heading(script: Script, index: int) -> str:
    return phrasing.step_heading(index, script.step_count, script.steps[index].title)


def _next(script: Script, index: int) -> str:
    following = script.steps[index + 1].title if index + 1 < len(script.steps) else None
    return phrasing.next_step(following)


def _phase_at(script: Script, seconds: float) -> Phase | None:
    for phase in script.phases:
        if phase.start <= seconds < phase.end:
            return phase
    return None


def _breaths_in(script: Script, step: int) -> int:
    return sum(1 for p in script.phases if p.step == step and p.kind == "inhale")


def _breath_parts(breaths: int) -> list[str]:
    return [phrasing.breaths_left(later) for later in range(max(1, breaths))]


def _time_left(script: Script, phase: Phase, seconds: float) -> list[str]:
    if phase.kind in BREATH_KINDS:
        later = sum(
            1
            for p in script.phases
            if p.step == phase.step and p.kind == "inhale" and p.start > seconds
        )
        return [phrasing.breaths_left(later)]
    if phase.kind in ("hold", "rest"):
        return [phrasing.seconds_left(phase.kind, max(1, math.ceil(phase.end - seconds)))]
    return []


def control_words(command: Command, step_title: str | None = None) -> str:
    """The few words that answer ``command`` when controls are answered in words;
    ``step_title`` is where a jump lands (None: the end)."""
    if command is Command.PAUSE:
        return phrasing.PAUSED
    if command is Command.PLAY:
        return phrasing.GOING_ON
    if command in (Command.NEXT, Command.BACK, Command.SEEK):
        return phrasing.jumping_to(step_title, back=command is Command.BACK)
    if command is Command.REPEAT:
        return phrasing.AGAIN
    if command is Command.QUIT:
        return phrasing.STOPPING_HERE
    raise ValueError(f"{command.value} is answered otherwise")
