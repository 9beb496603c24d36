"""What the recogniser heard: the record it hands to the vocabulary, which decides what
the words mean (its own module, so that neither of the two imports the other)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard, and how sure it was: the mean log-probability of its
    tokens, and its own probability that there was no speech at all. ``likelihood`` is
    the log-probability of the words heard (their punctuation left out); ``rivals``, for
    each stopping phrase, the most its log-probability can be (that of its first token
    in the words' place: the rest of the phrase can only make it less likely)."""

    text: str
    certainty: float
    no_speech: float
    likelihood: float
    rivals: Mapping[str, float]
