"""How long a text takes to say, estimated from the speech rate alone (no voice needed):
what `show`, `list` and playing before the clips are known time the cues with."""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.errors import CompileError
from voiceguide.script.records import RATE_RANGE

DurationOf = Callable[[str], float]  # a text's spoken length in seconds

CHARS_PER_WORD = 7.0  # characters per spoken word
STOP_WORDS = 0.67  # ... and a comma or full stop inside a text, in words


def estimated_duration(rate: int) -> DurationOf:
    """How long a voice speaking ``rate`` words a minute takes for a text, roughly.

    A spoken "word" is taken as ``CHARS_PER_WORD`` characters (spaces and punctuation
    included) and each comma or full stop inside the text adds a short breath; both
    measured against espeak-ng on the built-in routines' texts (docs/timing.md)."""
    if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise CompileError(
            f"the speech rate must be {RATE_RANGE[0]} to {RATE_RANGE[1]} words per minute, "
            f"not {rate}"
        )
    per_word = 60.0 / rate

    def duration_of(text: str) -> float:
        inner_stops = sum(text.rstrip(".!?").count(mark) for mark in ",;:.!?")
        return (len(text) / CHARS_PER_WORD + inner_stops * STOP_WORDS) * per_word

    return duration_of
