"""Records built directly, for tests that need a routine or a script but not the loader
or the compiler."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from voiceguide.routine.records import Kind, Routine
from voiceguide.script.records import CompileOptions, Cue, Phase, Script, StepSpan


def bare_routine(
    routine_id: str = "chair",
    kind: Kind = "stretch",
    *,
    title: str | None = None,
    contraindications: tuple[str, ...] = (),
) -> Routine:
    """A routine record with no steps, as the journal and the safety gate see one."""
    return Routine(
        id=routine_id,
        title=title if title is not None else routine_id.replace("-", " ").capitalize(),
        kind=kind,
        steps=(),
        path=Path(f"{routine_id}.yaml"),
        contraindications=contraindications,
    )


def script_of(
    cues: Sequence[Cue] = (),
    phases: Sequence[Phase] = (),
    steps: Sequence[StepSpan] | None = None,
    *,
    duration: float = 12.0,
    routine_id: str = "fake",
    title: str = "A fake routine",
) -> Script:
    """A script of these cues and phases; ``steps`` default to one step over all of it."""
    if steps is None:
        steps = (StepSpan(0, 0.0, duration, "All"),)
    return Script(
        routine_id=routine_id,
        title=title,
        duration=duration,
        cues=tuple(cues),
        phases=tuple(phases),
        steps=tuple(steps),
        options=CompileOptions(),
    )
