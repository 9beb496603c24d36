"""Routines: the records a routine file becomes, and everything that reads them.

- ``records``: ``Routine`` and its step records (``Say``, ``Breathe``, ``Rest``, ...);
- ``loader``: a YAML file to a validated ``Routine``, every rule of the routine format;
- ``library``: finding routines by id or path in the user's and the built-in folders;
- ``schema``: the routine format's JSON Schema (``routine.schema.json``) for editors;
- ``guidance``: what makes a valid routine hard to follow blind (``validate``'s warnings);
- ``movement``: which instructions change position, and the time that takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.routine.guidance import GuidanceWarning, check
    from voiceguide.routine.library import (
        Origin,
        Scan,
        all_routines,
        find_routine,
        load_routine,
        origin_of,
        scan_routines,
    )
    from voiceguide.routine.loader import IncludeLookup, load_file
    from voiceguide.routine.records import (
        Breathe,
        Caution,
        CountStyle,
        Include,
        Kind,
        Repeat,
        Rest,
        Routine,
        Say,
        Sides,
        Step,
        walk,
        with_included,
    )
    from voiceguide.routine.schema import routine_schema, schema_text

__all__ = [
    "Breathe",
    "Caution",
    "CountStyle",
    "GuidanceWarning",
    "Include",
    "IncludeLookup",
    "Kind",
    "Origin",
    "Repeat",
    "Rest",
    "Routine",
    "Say",
    "Scan",
    "Sides",
    "Step",
    "all_routines",
    "check",
    "find_routine",
    "load_file",
    "load_routine",
    "origin_of",
    "routine_schema",
    "scan_routines",
    "schema_text",
    "walk",
    "with_included",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "records": (
            "Breathe",
            "Caution",
            "CountStyle",
            "Include",
            "Kind",
            "Repeat",
            "Rest",
            "Routine",
            "Say",
            "Sides",
            "Step",
            "walk",
            "with_included",
        ),
        "loader": ("IncludeLookup", "load_file"),
        "library": (
            "Origin",
            "Scan",
            "all_routines",
            "find_routine",
            "load_routine",
            "origin_of",
            "scan_routines",
        ),
        "schema": ("routine_schema", "schema_text"),
        "guidance": ("GuidanceWarning", "check"),
    },
)
