"""Render: a ``Script`` becomes a ``Timeline``, every clip placed to the sample. The only
stage that asks for speech.

- ``options``: what render is told: ``RenderOptions`` (the voice, the timing, the
  mixing) and ``VoiceOptions`` (which voice speaks, and how fast);
- ``render``: ``prepare`` (a Routine all the way to its Timeline), ``place``, and the
  clips ``show --exact`` and the safety questions need;
- ``clips``: the content-addressed clip cache (text to processed clip);
- ``timeline``: the ``Timeline`` record, mixed on demand;
- ``streaming``: a Timeline that grows while the voice renders, for ``play``;
- ``speaker``: speech made while playing ("where am I?", spoken acknowledgements).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.render.clips import ClipStore, cache_info, clear_cache, open_store
    from voiceguide.render.options import RenderOptions, VoiceOptions
    from voiceguide.render.render import (
        SAMPLE_RATE,
        clip_lengths,
        clip_store,
        place,
        prepare,
        prepare_many,
        sentence,
    )
    from voiceguide.render.speaker import Speaker
    from voiceguide.render.streaming import BackgroundRender, GrowingTimeline, start
    from voiceguide.render.timeline import Placement, Playable, Timeline

__all__ = [
    "SAMPLE_RATE",
    "BackgroundRender",
    "ClipStore",
    "GrowingTimeline",
    "Placement",
    "Playable",
    "RenderOptions",
    "Speaker",
    "Timeline",
    "VoiceOptions",
    "cache_info",
    "clear_cache",
    "clip_lengths",
    "clip_store",
    "open_store",
    "place",
    "prepare",
    "prepare_many",
    "sentence",
    "start",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "render": (
            "SAMPLE_RATE",
            "clip_lengths",
            "clip_store",
            "place",
            "prepare",
            "prepare_many",
            "sentence",
        ),
        "clips": ("ClipStore", "cache_info", "clear_cache", "open_store"),
        "options": ("RenderOptions", "VoiceOptions"),
        "timeline": ("Placement", "Playable", "Timeline"),
        "streaming": ("BackgroundRender", "GrowingTimeline", "start"),
        "speaker": ("Speaker",),
    },
)
