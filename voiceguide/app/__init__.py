"""The use cases, each end to end: what one command does, from a routine's name to its
result, through the stages.

- ``play``: safety gate, render while playing, device warm-up, signals, terminal, journal;
- ``export``: routines to files in a folder: dedupe, refuse to overwrite, render, parallel
  writers, Ctrl-C;
- ``serve``: export, then serve to a phone until Ctrl-C;
- ``warm``: ``cache warm``, every clip some routines need, made ahead;
- ``doctor``: what this machine has for speech and playback, and the fixes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.app.doctor import Diagnosis, diagnose
    from voiceguide.app.export import (
        ExportInterrupted,
        ExportProgress,
        export_routines,
        make_output_dir,
    )
    from voiceguide.app.play import play_routine, speak
    from voiceguide.app.serve import Serving, serve_routines
    from voiceguide.app.warm import Warmed, warm_cache

__all__ = [
    "Diagnosis",
    "ExportInterrupted",
    "ExportProgress",
    "Serving",
    "Warmed",
    "diagnose",
    "export_routines",
    "make_output_dir",
    "play_routine",
    "serve_routines",
    "speak",
    "warm_cache",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "play": ("play_routine", "speak"),
        "export": ("ExportInterrupted", "ExportProgress", "export_routines", "make_output_dir"),
        "serve": ("Serving", "serve_routines"),
        "warm": ("Warmed", "warm_cache"),
        "doctor": ("Diagnosis", "diagnose"),
    },
)
