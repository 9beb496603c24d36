"""Chapters: a session's steps in the forms players read, one chapter per step.

- Podcasting 2.0 JSON chapters (version 1.2.0), the file a feed's ``podcast:chapters``
  points at and that podcast apps show as a chapter list.
- Vorbis comments (``CHAPTER001=00:00:00.000``, ``CHAPTER001NAME=...``) for Ogg and FLAC,
  the form FFmpeg-based players (mpv, VLC) and many phone players read.
- ID3 ``CHAP`` element ids for MP3. Players list chapters in the order the frames are
  stored, so the writer stores them in time order (``export/writer.py``); the ids are
  zero-padded too, for a reader that sorts them.

Each chapter is named by the step's whole title.
"""

from __future__ import annotations

import json
from typing import Any

from voiceguide.export.captions import vtt_time
from voiceguide.script.records import Script

JSON_CHAPTERS_VERSION = "1.2.0"
JSON_CHAPTERS_TYPE = "application/json+chapters"
# Three digits: FFmpeg reads exactly CHAPTERnnn and CHAPTERnnnNAME.
MAX_VORBIS_CHAPTERS = 999


def json_chapters(script: Script) -> dict[str, Any]:
    """The steps as a Podcasting 2.0 JSON chapters document."""
    return {
        "version": JSON_CHAPTERS_VERSION,
        "title": script.title,
        "chapters": [
            {
                "startTime": round(step.start, 3),
                "endTime": round(step.end, 3),
                "title": step.title,
            }
            for step in script.steps
        ],
    }


def json_chapters_text(script: Script) -> str:
    return json.dumps(json_chapters(script), indent=2, ensure_ascii=False) + "\n"


def vorbis_comments(script: Script) -> dict[str, str]:
    """``CHAPTERnnn`` and ``CHAPTERnnnNAME`` comments, numbered from 001 in time order."""
    comments: dict[str, str] = {}
    for number, step in enumerate(script.steps[:MAX_VORBIS_CHAPTERS], start=1):
        comments[f"CHAPTER{number:03d}"] = vtt_time(step.start)
        comments[f"CHAPTER{number:03d}NAME"] = step.title
    return comments


def id3_element_id(step_index: int) -> str:
    """The ``CHAP`` frame's element id for a step: zero-padded, so sorting keeps time order."""
    return f"chp{step_index:04d}"
