"""The routine format's vocabulary and limits: the keys a file may have at the top and in
each kind of step, the side names and placeholders, and the bounds that keep a hostile file
from making the loader or the compiler run for ever. The loader enforces them; the schema,
``validate`` and the docs' tests read them."""

from __future__ import annotations

import re

MAX_FILE_BYTES = 256 * 1024
MAX_SECONDS = 600  # any one duration: hold, pause, rest, breath phase
MAX_TIMES = 50  # repeat and cycles
MAX_TEXT = 500  # characters in any text that may be spoken, and in each list item
MAX_NOTES = 4000  # notes and summary are read, not spoken, and may run longer
MAX_DEPTH = 4  # repeat, sides and routine blocks inside one another
MAX_EXPANDED = 10_000  # leaf steps (breath cycles counted singly) after expansion
MAX_ID = 64
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")  # never a leading dash: "--help.wav"
YAML_SUFFIXES = (".yaml", ".yml")

SIDE_NAMES = ("right", "left")
DEFAULT_SIDES = ("right", "left")
PLACEHOLDERS = ("side", "other")

TOP_KEYS = (
    "id",
    "title",
    "kind",
    "summary",
    "advice",
    "source",
    "area",
    "position",
    "equipment",
    "contraindications",
    "cautions",
    "notes",
    "bed",
    "steps",
)
# Each action and the keys a step with that action may have; `say` is an action of its
# own, or the words spoken before a breathe or rest.
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "say": ("say", "pause", "hold", "count", "then", "attempt", "loads", "alone"),
    "breathe": ("breathe", "say", "attempt", "loads", "alone"),
    "rest": ("rest", "say", "alone"),
    "caution": ("caution", "alone"),
    "repeat": ("repeat", "steps"),
    "sides": ("sides", "title", "steps"),
    "question": ("question", "steps"),
    "routine": ("routine",),
}
ACTIONS = tuple(STEP_KEYS)
ALL_STEP_KEYS = tuple(dict.fromkeys(key for keys in STEP_KEYS.values() for key in keys))
# Keys that only qualify an action, so a step made of them alone names what is missing.
FLAG_KEYS = ("attempt", "loads", "alone")
BREATHE_KEYS = ("in", "out", "hold", "hold_out", "cycles", "count")

# A placeholder, or a brace that opens or closes none.
TEXT_BRACES = re.compile(r"\{([^{}]*)\}|[{}]")
