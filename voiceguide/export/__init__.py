"""Export: a ``Timeline`` to files, all written atomically. The ``export`` command around
it is ``app.export``.

- ``writer``: audio files (FLAC, MP3, WAV, ...), cue sidecars and the playlist;
- ``captions``: LRC and WebVTT from a ``Script``;
- ``chapters``: a script's steps as chapters (Podcasting 2.0 JSON, Vorbis, ID3);
- ``split``: a Timeline cut at its steps, for ``export --split``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.export.captions import lrc, vtt
    from voiceguide.export.chapters import json_chapters, vorbis_comments
    from voiceguide.export.split import step_timelines
    from voiceguide.export.writer import (
        ExportedRoutine,
        Format,
        write_playlist,
        write_routine,
    )

__all__ = [
    "ExportedRoutine",
    "Format",
    "json_chapters",
    "lrc",
    "step_timelines",
    "vorbis_comments",
    "vtt",
    "write_playlist",
    "write_routine",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "writer": ("ExportedRoutine", "Format", "write_playlist", "write_routine"),
        "captions": ("lrc", "vtt"),
        "chapters": ("json_chapters", "vorbis_comments"),
        "split": ("step_timelines",),
    },
)
