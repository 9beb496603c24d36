"""The routine library: the user's routines folder, then the built-in routines.

A routine is found by its id, which is its file name without ``.yaml`` (or ``.yml``). The
user's folder comes first, so a user routine with a built-in's id takes its place. Wherever
a routine is asked for by name, a path to a ``.yaml`` file works too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from voiceguide.errors import RoutineError, SourcePosition
from voiceguide.paths import builtin_routines_dir, user_routines_dir
from voiceguide.routine.format import ID_PATTERN, MAX_ID, YAML_SUFFIXES
from voiceguide.routine.loader import load_file
from voiceguide.routine.records import Routine
from voiceguide.text import did_you_mean

Origin = Literal["user", "builtin", "file"]


@dataclass(frozen=True)
class Scan:
    """Every routine in the library that loads, and an error for each file that does not."""

    routines: tuple[Routine, ...]
    errors: tuple[RoutineError, ...]


def _folders() -> tuple[tuple[Origin, Path], ...]:
    return (("user", user_routines_dir()), ("builtin", builtin_routines_dir()))


def _files(folder: Path) -> list[Path]:
    """The routine files in ``folder``; none when it is missing or cannot be read (the
    scan reports an unreadable folder, so one bad folder never hides the other)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    paths = (folder / name for name in names)
    return [
        path
        for path in paths
        if path.suffix in YAML_SUFFIXES and not path.name.startswith(".") and os.path.isfile(path)
    ]


def _unreadable_folders() -> list[RoutineError]:
    """An error for each routines folder that exists but cannot be listed."""
    errors = []
    for _, folder in _folders():
        try:
            os.listdir(folder)
        except FileNotFoundError:
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            errors.append(
                RoutineError(
                    f"cannot read the routines folder ({reason}); "
                    "its routines are left out until you fix its permissions",
                    SourcePosition(folder),
                )
            )
    return errors


def routine_files() -> dict[str, Path]:
    """Every routine id in the library and its file; the user's shadow the built-ins,
    and ``ID.yaml`` wins over ``ID.yml``."""
    found: dict[str, Path] = {}
    for _, folder in _folders():
        for path in _files(folder):
            found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def routine_file(routine_id: str) -> Path | None:
    """The file of routine ``routine_id``, or None when the library has no such routine."""
    if not ID_PATTERN.fullmatch(routine_id) or len(routine_id) > MAX_ID:
        return None  # never a file name too long for the file system
    for _, folder in _folders():
        for suffix in YAML_SUFFIXES:
            path = folder / f"{routine_id}{suffix}"
            if os.path.isfile(path):
                return path
    return None


def unknown_routine(name: str) -> str:
    """The message for a routine id that is not in the library."""
    usable = [routine_id for routine_id in routine_files() if ID_PATTERN.fullmatch(routine_id)]
    return f"no routine '{name}'{did_you_mean(name, usable)} (voiceguide list shows them all)"


def include_file(routine_id: str) -> Path:
    """The file of the routine an include names by id (``RoutineError`` when unknown)."""
    path = routine_file(routine_id)
    if path is None:
        raise RoutineError(unknown_routine(routine_id))
    return path


def load_routine(path: Path) -> Routine:
    """Read and validate the routine file at ``path``; its ``routine: ID`` includes are
    found in the library."""
    return load_file(path, include_file)


def looks_like_path(name: str) -> bool:
    """Whether ``name`` is a file path rather than an id."""
    return name.endswith(YAML_SUFFIXES) or "/" in name or "\\" in name


def routine_path(name: str) -> Path:
    """The file ``name`` means: itself when it is a path or an existing file, else the
    file of the routine with that id (``RoutineError`` when there is none)."""
    path = Path(name).expanduser()
    if looks_like_path(name) or path.exists():
        return path
    found = routine_file(name)
    if found is None:
        raise RoutineError(unknown_routine(name))
    return found


def find_routine(name: str) -> Routine:
    """The routine with id ``name`` (user's folder first, then built-ins), or the routine
    in the file ``name`` when it is a path."""
    if looks_like_path(name):
        return load_routine(Path(name).expanduser())
    path = routine_file(name)
    if path is None:
        raise RoutineError(unknown_routine(name))
    return load_routine(path)


def scan_routines() -> Scan:
    """Load every routine in the library; a broken file is an error, not the end."""
    routines: list[Routine] = []
    errors: list[RoutineError] = _unreadable_folders()
    for path in routine_files().values():
        try:
            routines.append(load_routine(path))
        except RoutineError as exc:
            errors.append(_skipping(path, exc))
    return Scan(tuple(routines), tuple(errors))


def _skipping(path: Path, error: RoutineError) -> RoutineError:
    """The error that makes ``path`` unusable, named after ``path``: when the mistake is
    in a routine it includes, the message says so instead of naming only that file."""
    if error.position is not None and error.position.path == path:
        return error
    return RoutineError(f"an included routine is not valid: {error}", SourcePosition(path))


def all_routines() -> list[Routine]:
    """Every routine in the library, by id; the first broken file raises its error."""
    scan = scan_routines()
    if scan.errors:
        raise scan.errors[0]
    return list(scan.routines)


def origin_of(routine: Routine) -> Origin:
    """Where ``routine`` came from: the user's folder, the built-ins, or another file."""
    parent = routine.path.resolve().parent
    for source, folder in _folders():
        if parent == folder.resolve():
            return source
    return "file"
