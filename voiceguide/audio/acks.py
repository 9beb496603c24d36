"""Acknowledgement tones: a key press is answered by a sound, so nobody has to look.

Each control has its own short figure of plain sine notes, told apart by direction:
pause falls and resume rises (like a breath out and in), next steps up, back steps down,
repeat is one note twice, quit falls further, and a press that cannot do anything (back
at the very start) is a low buzz. "wait" (the voice is still being rendered, so playing
holds for a moment) is one low note, a rest, and the same note again. They are higher
and shorter than the routine's bell, so they are never taken for a step change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, get_args

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import raised_cosine

Ack = Literal["pause", "resume", "next", "back", "repeat", "quit", "nothing", "wait"]
ACKS: tuple[Ack, ...] = get_args(Ack)

LEVEL = 0.25  # peak: clearly heard over speech, well below it in loudness
NOTE = 0.07  # seconds per note
GAP = 0.02  # seconds between notes
EDGE = 0.01  # seconds of raised-cosine fade at each end of a note: no clicks

# Frequencies in Hz (A4 = 440): a fourth or a fifth apart, easy to hear as up or down.
_FIGURES: dict[Ack, tuple[float, ...]] = {
    "pause": (659.25, 440.0),
    "resume": (440.0, 659.25),
    "next": (659.25, 987.77),
    "back": (987.77, 659.25),
    "repeat": (783.99, 783.99),
    "quit": (659.25, 440.0, 329.63),
    "nothing": (196.0,),
    "wait": (329.63, 0.0, 329.63),
}


@lru_cache(maxsize=64)
def ack_sound(ack: Ack, sample_rate: int) -> Samples:
    """The mono tone for ``ack`` at ``sample_rate``; it starts and ends at zero."""
    note = round(NOTE * sample_rate)
    gap = round(GAP * sample_rate)
    edge = max(1, round(EDGE * sample_rate))
    envelope = np.ones(note)
    ramp = raised_cosine(edge)
    envelope[:edge] = ramp
    envelope[note - edge :] = ramp[::-1]
    t = np.arange(note) / sample_rate
    pieces: list[np.ndarray] = []
    for i, frequency in enumerate(_FIGURES[ack]):
        if i:
            pieces.append(np.zeros(gap))
        # "nothing" is a buzz: a square-ish wave from odd harmonics, unlike every other ack.
        wave = np.sin(2 * np.pi * frequency * t)
        if ack == "nothing":
            wave += (
                np.sin(2 * np.pi * 3 * frequency * t) / 3
                + np.sin(2 * np.pi * 5 * frequency * t) / 5
            )
        pieces.append(wave * envelope)
    sound = np.concatenate(pieces)
    sound *= LEVEL / np.max(np.abs(sound))
    out = sound.astype(np.float32)
    out.flags.writeable = False
    return out
