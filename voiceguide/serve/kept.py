"""The files served, kept in the cache by their content, so that serving the same
routines again writes nothing: a restart prints its address as soon as the clips are read.

A routine's files (audio, cue list, captions, chapters) depend only on its Timeline (the
cue list, and the clips and tones placed in it) and the format, so their folder is named
by a digest of exactly those: ``CACHE/served/DIGEST/``. A folder appears whole or not at
all (written under a temporary name, then renamed); a change of wording, timing, voice or
format is a new digest, never a stale file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide import __version__, signals, writing
from voiceguide.errors import CacheError
from voiceguide.export.writer import ExportedRoutine, Format, output_files, write_routine
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.records import Routine

KEPT_FOLDER = "served"
# Raise this whenever the files written for a Timeline change: old folders are then unused.
KEPT_VERSION = 1

# (what is happening, done, total), as export reports it.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class KeptInfo:
    """How many routines' files are kept, and their size in bytes."""

    routines: int
    size: int


def digest(timeline: Timeline, fmt: Format) -> str:
    """The digest of everything a routine's files are made from."""
    content = hashlib.sha256()
    bed = timeline.bed
    header = [
        KEPT_VERSION,
        __version__,
        fmt,
        timeline.sample_rate,
        timeline.channels,
        timeline.frames,
        timeline.script.to_json(),
        [(p.start, p.clip, p.pan, p.gain) for p in timeline.placements],
        # The soundscape: with it, the bed's sound is the files' too.
        None if bed is None else [bed.identity, bed.level, bed.depth],
    ]
    content.update(json.dumps(header, sort_keys=True).encode())
    for name in sorted({p.clip for p in timeline.placements}):
        content.update(name.encode() + b"\0")
        content.update(timeline.clips[name].tobytes())
    return content.hexdigest()[:32]


def kept_routines(
    routines: Sequence[Routine],
    options: RenderOptions,
    cache_dir: Path,
    fmt: Format,
    progress: Progress | None = None,
) -> list[ExportedRoutine]:
    """The files of ``routines`` (no two with one id), from the cache, each written
    first if it is not there."""
    report = progress or (lambda _what, _done, _total: None)
    folder = cache_dir / KEPT_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(
            f"cannot keep the served files in {folder}: {exc.strerror or exc}; choose a "
            "folder you can write in with --cache-dir or VOICEGUIDE_CACHE_DIR"
        ) from exc
    writing.remove_stale(folder)  # what a killed run was writing
    # A signal stops the work between two clips or two blocks, never inside libsndfile's
    # callback, where the exception would be printed, dropped, and the render go on.
    stopping = threading.Event()

    def check() -> None:
        if stopping.is_set():
            raise KeyboardInterrupt  # signals.noticed makes it the signal's Interrupted

    def speaking(done: int, total: int) -> None:
        check()
        report("Speaking", done, total)

    with signals.noticed(lambda _signum: stopping.set()) as notice:
        timelines = assembly.prepare_each(routines, options, cache_dir, speaking)
        kept = [
            _kept(timeline, folder / digest(timeline, fmt), fmt, report, check)
            for timeline in timelines
        ]
    notice.raise_if_received()
    return kept


def _kept(
    timeline: Timeline, folder: Path, fmt: Format, report: Progress, check: Callable[[], None]
) -> ExportedRoutine:
    script = timeline.script
    files = output_files(script.routine_id, folder, fmt)
    if all(path.is_file() for path in files):
        return ExportedRoutine(script.routine_id, script.title, script.duration, files, script)
    # Damaged (a file removed by hand): written again, whole.
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
    staging = writing.create_folder(folder)
    try:
        written = 0

        def wrote(frames: int) -> None:
            nonlocal written
            check()
            written += frames
            report(f"Writing {script.routine_id}", written, timeline.frames)

        write_routine(timeline, staging, fmt, wrote=wrote)
        try:
            os.rename(staging, folder)
        except OSError:
            if not folder.is_dir():  # not made meanwhile by another run: a real failure
                raise
    finally:
        writing.remove(staging)
    return ExportedRoutine(script.routine_id, script.title, script.duration, files, script)


def kept_info(cache_dir: Path) -> KeptInfo:
    """What the kept files take in ``cache_dir``."""
    folder = cache_dir / KEPT_FOLDER
    routines = 0
    size = 0
    if folder.is_dir():
        for entry in folder.iterdir():
            routines += not entry.name.startswith(".")
        for path in folder.rglob("*"):
            with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                if path.is_file():
                    size += path.stat().st_size
    return KeptInfo(routines, size)


def clear_kept(cache_dir: Path) -> KeptInfo:
    """Delete every kept file; returns what was there."""
    before = kept_info(cache_dir)
    folder = cache_dir / KEPT_FOLDER
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot clear the served files {folder}: {exc.strerror or exc}") from exc
    return before
