"""What the voice says when asked "where am I?", and the words that answer a control.

Both are pure functions of the Script and a moment in it, so they are tested without
sound. The answer is brief and in the order someone on the mat needs it: which step
(and side), what to be doing, how long this hold has left or how many breaths remain,
and what comes next.
"""

from __future__ import annotations

import bisect
import math
import re

from voiceguide.commands import Command
from voiceguide.script import Phase, Script

DOING_KINDS = frozenset({"say", "side"})  # cues that tell what to be doing
HOLD_KINDS = frozenset({"hold", "hold-in", "hold-out"})
BREATH_KINDS = frozenset({"inhale", "hold-in", "exhale", "hold-out"})
_SIDE = re.compile(r"\s*\((left|right)\)$")
NOTHING_TO_REPEAT = "Nothing to repeat yet."


def spoken_title(title: str) -> str:
    """A step title as said aloud: "Twist (right)" as "Twist, right side", no "…"."""
    title = title.rstrip("…").rstrip(" ,;:")
    return _SIDE.sub(lambda m: f", {m.group(1)} side", title)


def where_am_i(script: Script, seconds: float) -> str:
    """The answer at ``seconds`` into the session."""
    starts = [s.start for s in script.steps]
    index = bisect.bisect_right(starts, seconds) - 1
    if index < 0 or not script.steps:
        first = script.steps[0].title if script.steps else script.title
        return f"Getting ready. Next: {spoken_title(first)}."
    step = script.steps[index]
    parts = [f"Step {index} of {len(script.steps) - 1}: {spoken_title(step.title)}."]
    doing = [
        c for c in script.cues if c.step == index and c.kind in DOING_KINDS and c.start <= seconds
    ]
    if doing:
        parts.append(f"Now: {doing[-1].text.rstrip('.')}.")
    phase = _phase_at(script, seconds)
    if phase is not None and phase.step == index:
        parts.append(_time_left(script, phase, seconds))
    if index + 1 < len(script.steps):
        parts.append(f"Next: {spoken_title(script.steps[index + 1].title)}.")
    else:
        parts.append("Then you are done.")
    return " ".join(p for p in parts if p)


def _phase_at(script: Script, seconds: float) -> Phase | None:
    for phase in script.phases:
        if phase.start <= seconds < phase.end:
            return phase
    return None


def _time_left(script: Script, phase: Phase, seconds: float) -> str:
    if phase.kind in BREATH_KINDS:
        later = sum(
            1
            for p in script.phases
            if p.step == phase.step and p.kind == "inhale" and p.start > seconds
        )
        if later == 0:
            return "This is the last breath."
        return f"This breath, then {later} more."
    left = max(1, math.ceil(phase.end - seconds))
    unit = "second" if left == 1 else "seconds"
    if phase.kind == "hold":
        return f"{left} {unit} left in this hold."
    if phase.kind == "rest":
        return f"{left} {unit} of rest left."
    return ""


def control_words(command: Command, step_title: str | None = None) -> str:
    """The few words that answer ``command`` when controls are answered in words;
    ``step_title`` is where a jump lands (None: the end)."""
    if command is Command.PAUSE:
        return "Paused."
    if command is Command.PLAY:
        return "Going on."
    if command in (Command.NEXT, Command.BACK, Command.SEEK):
        if step_title is None:
            return "Skipping to the end."
        verb = "Back to" if command is Command.BACK else "Skipping to"
        return f"{verb}: {spoken_title(step_title)}."
    if command is Command.REPEAT:
        return "Again."
    if command is Command.QUIT:
        return "Stopping here."
    raise ValueError(f"{command.value} is answered otherwise")
