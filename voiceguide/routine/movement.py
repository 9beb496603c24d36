"""Which spoken instructions ask for a change of position, and how long that takes.

Rolling over, lying down on a roller, sitting up from a head-down position: someone
following with their eyes closed needs time for these, and a careful person takes longer
than a fit one. The compiler says nothing for at least ``MOVE_SECONDS`` after such an
instruction, whatever step says it; ``voiceguide validate`` warns when a routine writes
less, or puts the move where timed words follow it.
"""

from __future__ import annotations

import re

MOVE_SECONDS = 8.0  # the least time, whatever the pace, to change position carefully
FETCH_SECONDS = 10.0  # the least time to fetch the equipment named at the start

# Phrases that move the whole body from one position to another. Small movements of a
# limb ("bend your knee") or of the roller under you while rolling are not among them.
_POSITION_CHANGES = (
    r"\blie (down|back|on)\b",
    r"\blean back (onto|slowly until)\b",
    r"\b(roll|turn) (back )?onto\b",
    r"\broll over\b",
    r"\boff the roller\b",
    r"\b(sit|curl|come|stand) (up|back up)\b(?! tall)",  # "sit up tall" straightens
    r"\bsit (on|in)\b",
    r"\bkneel\b",
    r"\bturn the roller\b",
    r"\bslide (slowly )?toward the edge\b",
    r"\bshift yourself\b",
)
_PATTERN = re.compile("|".join(_POSITION_CHANGES), re.IGNORECASE)


def is_position_change(text: str) -> bool:
    """True when ``text`` asks the listener to move into a new position."""
    return _PATTERN.search(text) is not None


# The positions a session can leave someone in, so that a routine it includes is not
# told to get into the position they are already in. Sitting is not among them: a chair
# and the floor are different places to sit.
_POSITIONS = (
    ("on your back", re.compile(r"\b(lie|lying)\b.*\bon your back\b|\blie (down )?flat\b", re.I)),
    ("on your side", re.compile(r"\blie (down )?on your \w+ side\b", re.I)),
    ("kneeling", re.compile(r"\bkneel\b", re.I)),
    ("standing", re.compile(r"\bstand tall\b", re.I)),
)


def position_named(text: str) -> str | None:
    """The position ``text`` asks the listener to take, like "on your back", if any."""
    for name, pattern in _POSITIONS:
        if pattern.search(text):
            return name
    return None
