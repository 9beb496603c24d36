"""The JSON Schema (draft 2020-12) of routine files, for editors to complete and check them.

The schema ships in the package as ``routine.schema.json``; ``voiceguide schema`` prints it.
It describes the shape of a file: keys, types, ranges, lengths, one action per step. What
needs more than one file or the whole tree (whether an included routine exists, include
cycles, how deep blocks nest, ``{side}`` only inside ``sides``) is checked by the loader
alone, so a file the schema accepts can still be refused by ``voiceguide validate``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_FILE = "routine.schema.json"


def schema_text() -> str:
    """The schema as the packaged JSON text."""
    return resources.files("voiceguide.routine").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def routine_schema() -> dict[str, Any]:
    """The schema as a mapping, for validators."""
    schema: dict[str, Any] = json.loads(schema_text())
    return schema
