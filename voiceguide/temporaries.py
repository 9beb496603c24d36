"""Temporary files beside their final name, named so that stale ones can be told apart.

Every file voiceguide writes is first written under a temporary name in the same folder
and renamed into place when whole. The temporary name carries the id of the process that
writes it: ``.NAME.PID-RANDOM.part``. A process killed outright (``kill -9``, a power cut)
cannot remove its temporaries, so a later run removes those whose process is gone:
``remove_stale``. A process that is about to exit on purpose removes its own first:
``discard_own``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

_NAME = re.compile(r"^\..+\.(?P<pid>\d+)-[0-9a-f]{8}\.(?:part|tmp)$")

_own: set[Path] = set()
_own_lock = threading.Lock()


def create(final: Path, suffix: str = ".part", mode: int = 0o666) -> Path:
    """Create an empty temporary file for ``final``, beside it, and remember it as ours."""
    while True:
        temporary = final.with_name(f".{final.name}.{os.getpid()}-{os.urandom(4).hex()}{suffix}")
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        except FileExistsError:
            continue
        with _own_lock:
            _own.add(temporary)
        return temporary


def remove(temporary: Path) -> None:
    """Delete ``temporary`` (if it is still there) and forget it."""
    with _own_lock:
        _own.discard(temporary)
    temporary.unlink(missing_ok=True)


def renamed(temporary: Path, final: Path) -> None:
    """Rename ``temporary`` over ``final`` (atomic on one file system) and forget it."""
    os.replace(temporary, final)
    with _own_lock:
        _own.discard(temporary)


@contextlib.contextmanager
def atomic_path(path: Path, mode: int = 0o600) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block
    ends without error, deleted otherwise."""
    temporary = create(path, ".tmp", mode)
    try:
        yield temporary
        renamed(temporary, path)
    finally:
        remove(temporary)


def discard_own() -> None:
    """Delete every temporary this process created and has not renamed yet: called by a
    process about to exit at once (a worker whose parent died)."""
    with _own_lock:
        leftovers = list(_own)
        _own.clear()
    for temporary in leftovers:
        with contextlib.suppress(OSError):
            temporary.unlink()


def remove_stale(folder: Path) -> list[Path]:
    """Delete the temporaries in ``folder`` left by processes that no longer run; returns
    them. Only names of voiceguide's own making are touched."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None or _is_running(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a number we cannot check: leave it
    return True
