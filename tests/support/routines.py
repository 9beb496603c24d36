"""Routine files for tests: written from YAML text, and the short routine the playback
tests use, exported beside its file."""

from __future__ import annotations

from pathlib import Path

from voiceguide.app.export import export_routines
from voiceguide.render.options import RenderOptions
from voiceguide.routine.library import find_routine

# A real routine with every kind of cue in about half a minute: the opening title and
# caution with its tone, step tones, side cues, instructions, a counted hold, a release, a
# breath, the closing.
SHORT_ROUTINE = """\
id: short-check
title: Short check
kind: stretch
steps:
  - sides: [right, left]
    title: Short check
    steps:
      - say: Bring your {side} knee to your chest.
        hold: 3
        count: down
  - say: Breathe slowly.
    breathe: {in: 2, out: 2, cycles: 1}
"""

# A small routine with sides and a breath, its id filled in by ``sided_routine_file``.
SIDED_ROUTINE = """\
id: {id}
title: Routine {id}
kind: stretch
steps:
  - say: Lie on your back.
    pause: 1
  - sides: [right, left]
    steps:
      - say: Turn to the {{side}}.
        hold: 2
  - say: Breathe slowly.
    breathe: {{in: 2, out: 3}}
"""


def write_file(folder: Path, name: str, content: str | bytes) -> Path:
    """``content`` as the file ``folder/name`` (the folder made if needed): text as UTF-8,
    bytes as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def sided_routine_file(folder: Path, routine_id: str) -> Path:
    """``SIDED_ROUTINE`` as ``folder/ID.yaml``."""
    return write_file(folder, f"{routine_id}.yaml", SIDED_ROUTINE.format(id=routine_id))


def export_short_routine(folder: Path, cache_dir: Path) -> Path:
    """``SHORT_ROUTINE`` as ``folder/short-check.yaml``, exported beside it as WAV and cue
    list; exporting also fills the clip cache, so playing it starts at once."""
    path = write_file(folder, "short-check.yaml", SHORT_ROUTINE)
    export_routines([find_routine(str(path))], folder, RenderOptions(), cache_dir, fmt="wav")
    return path
