"""Scripts: a ``Routine`` compiled to timed cues, with no audio.

- ``records``: ``Script``, its ``Cue``s, ``Phase``s and ``StepSpan``s, ``CompileOptions``;
- ``compiler``: ``Routine`` + options + clip lengths to ``Script``; every timing rule;
- ``phrasing``: the spoken wording (numbers as words, "two more", side switches).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.script.compiler import (
        DurationOf,
        compile_known,
        compile_script,
        estimated_duration,
        estimated_length,
        spoken_texts,
    )
    from voiceguide.script.records import CompileOptions, Cue, Phase, Script, StepSpan

__all__ = [
    "CompileOptions",
    "Cue",
    "DurationOf",
    "Phase",
    "Script",
    "StepSpan",
    "compile_known",
    "compile_script",
    "estimated_duration",
    "estimated_length",
    "spoken_texts",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "records": ("CompileOptions", "Cue", "Phase", "Script", "StepSpan"),
        "compiler": (
            "DurationOf",
            "compile_known",
            "compile_script",
            "estimated_duration",
            "estimated_length",
            "spoken_texts",
        ),
    },
)
