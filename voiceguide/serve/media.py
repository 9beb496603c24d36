"""The Content-Type of each kind of file served."""

from __future__ import annotations

from pathlib import Path

MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".json": "application/json",
    ".lrc": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
}


def media_type(path: Path) -> str:
    return MEDIA_TYPES[path.suffix]
