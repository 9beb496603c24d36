"""Sound made and shaped in code, with no device and no voice.

- ``samples``: ``Samples``, the one type sound travels in;
- ``signal``: trim, loudness, limiter, resample, PCM, the clip cache's file format;
- ``tones``: the chimes and breath tones placed in a routine;
- ``acks``: the short sounds that acknowledge a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.audio.acks import Ack, ack_sound
    from voiceguide.audio.samples import Samples
    from voiceguide.audio.signal import (
        from_pcm16,
        normalize_loudness,
        resample,
        to_pcm16,
        trim_silence,
    )
    from voiceguide.audio.tones import breath_tone, chime

__all__ = [
    "Ack",
    "Samples",
    "ack_sound",
    "breath_tone",
    "chime",
    "from_pcm16",
    "normalize_loudness",
    "resample",
    "to_pcm16",
    "trim_silence",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "samples": ("Samples",),
        "signal": ("from_pcm16", "normalize_loudness", "resample", "to_pcm16", "trim_silence"),
        "tones": ("breath_tone", "chime"),
        "acks": ("Ack", "ack_sound"),
    },
)
