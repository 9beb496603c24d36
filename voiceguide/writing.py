"""Temporary files beside their final name, named so that stale ones can be told apart.

Every file voiceguide writes is first written under a temporary name in the same folder
and renamed into place when whole. The temporary name carries the id of the process that
writes it: ``.NAME.PID-RANDOM.part``. A process killed outright (``kill -9``, a power cut)
cannot remove its temporaries, so a later run removes those whose process is gone:
``remove_stale`` (on Linux and macOS; on Windows it cannot tell, and leaves them). A
process that is about to exit on purpose removes its own first: ``discard_own``.
``write_whole`` writes a file that has no name at all until it is whole (Linux's
``O_TMPFILE``), so that not even ``kill -9`` leaves a temporary of it behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
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


def create_folder(final: Path) -> Path:
    """Create an empty temporary folder for ``final``, beside it, named as files are (so
    that ``remove_stale`` finds it when its process is gone), and remember it as ours."""
    while True:
        temporary = final.with_name(f".{final.name}.{os.getpid()}-{os.urandom(4).hex()}.part")
        try:
            temporary.mkdir(0o700)
        except FileExistsError:
            continue
        with _own_lock:
            _own.add(temporary)
        return temporary


def remove(temporary: Path) -> None:
    """Delete ``temporary`` (if it is still there) and forget it."""
    with _own_lock:
        _own.discard(temporary)
    _delete(temporary)


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


def write_whole(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` as ``path`` (replacing it) so that it appears whole or not at all.

    Where the system has unnamed files (Linux's ``O_TMPFILE``) the data is written into
    one and given its name once complete, so that even a process killed outright leaves
    nothing behind; elsewhere through ``atomic_path``.
    """
    fd = _unnamed_file(path.parent, mode)
    if fd is None:
        with atomic_path(path, mode) as temporary:
            temporary.write_bytes(data)
        return
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        _give_name(fd, path)
    finally:
        os.close(fd)


def _give_name(fd: int, path: Path) -> None:
    """Link the unnamed file ``fd`` as ``path`` (linkat through /proc, following the link)."""
    if sys.platform == "win32":  # no unnamed files there (see _unnamed_file)
        raise AssertionError("no unnamed files on Windows")
    descriptors = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            os.link(str(fd), path, src_dir_fd=descriptors, follow_symlinks=True)
        except FileExistsError:  # an entry being replaced, or one another process just made
            path.unlink(missing_ok=True)
            with contextlib.suppress(FileExistsError):
                os.link(str(fd), path, src_dir_fd=descriptors, follow_symlinks=True)
    finally:
        os.close(descriptors)


def _unnamed_file(folder: Path, mode: int) -> int | None:
    """A file with no name yet in ``folder``, open for writing; None where there are none
    (no ``O_TMPFILE``, a file system without them, or no /proc to name them through)."""
    flag = getattr(os, "O_TMPFILE", None)
    if sys.platform != "linux" or flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, mode)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise


def discard_own() -> None:
    """Delete every temporary this process created and has not renamed yet: called by a
    process about to exit at once (a worker whose parent died)."""
    with _own_lock:
        leftovers = list(_own)
        _own.clear()
    for temporary in leftovers:
        with contextlib.suppress(OSError):
            _delete(temporary)


def _delete(temporary: Path) -> None:
    if temporary.is_dir() and not temporary.is_symlink():
        shutil.rmtree(temporary)
    else:
        temporary.unlink(missing_ok=True)


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
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return removed


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        # os.kill(pid, 0) would end that process there, not look at it: a stale temporary
        # stays (on the safe side) rather than risk another program.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a number we cannot check: leave it
    return True
