"""The use cases, each end to end: what one command does, from a routine's name to its
result, through the stages.

- ``play``: safety gate, render while playing, device warm-up, signals, terminal, journal;
- ``serve``: export, then serve to a phone until Ctrl-C;
- ``warm``: ``cache warm``, every clip some routines need, made ahead;
- ``doctor``: what this machine has for speech and playback, and the fixes.

``export`` is the export stage's ``export_routines``: it needs nothing more around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.app.doctor import Diagnosis, diagnose
    from voiceguide.app.play import play_routine, speak
    from voiceguide.app.serve import Serving, serve_routines
    from voiceguide.app.warm import Warmed, warm_cache

__all__ = [
    "Diagnosis",
    "Serving",
    "Warmed",
    "diagnose",
    "play_routine",
    "serve_routines",
    "speak",
    "warm_cache",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "play": ("play_routine", "speak"),
        "serve": ("Serving", "serve_routines"),
        "warm": ("Warmed", "warm_cache"),
        "doctor": ("Diagnosis", "diagnose"),
    },
)
