"""A step of a script found from what a person typed: its number or its title."""

from __future__ import annotations

from voiceguide.errors import PlaybackError
from voiceguide.script.records import Script


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
            f"there is no step {number}: {script.title} has steps 0 to {script.step_count}"
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
