"""Reading a file voiceguide did not write itself: once, a regular file, and never too much.

Every routine, config file and cached clip is read through ``read_file``. It opens the path
once (so what is checked is what is read), refuses anything but a regular file (a named
pipe would block for ever, ``/dev/zero`` never ends) and reads at most the caller's cap, so
no file can hang voiceguide or fill its memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from voiceguide.errors import SourcePosition, UnreadableFileError

# Opening a named pipe for reading waits for a writer; non-blocking, it returns at once and
# fstat then says what it is. Regular files ignore the flag.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_file(path: Path, *, max_bytes: int, private: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises ``UnreadableFileError`` (one line naming the file) when it is missing, is not a
    regular file, cannot be opened (permissions, a symlink loop, a name too long) or is
    larger than ``max_bytes``; with ``private`` (what to do about it), also when other
    users may read or change it.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise UnreadableFileError(f"no such file: {path}") from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            if kind == "a folder":
                raise UnreadableFileError(f"{path} is a folder, not a file")
            raise UnreadableFileError(f"{path} is {kind}, not a file; give a regular file")
        if private is not None and stat.S_IMODE(mode) & 0o077:
            raise UnreadableFileError(
                f"other users of this machine may read or change {path} (permissions "
                f"{stat.S_IMODE(mode):04o}); {private}"
            )
        # Reading one byte past the cap tells a file that is too large, even one that
        # grows while it is read, from one that fits.
        data = _read_at_most(fd, max_bytes + 1)
        size = max(os.fstat(fd).st_size, len(data))
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableFileError(
            f"the file is {size // 1024} KiB; at most {max_bytes // 1024} KiB is allowed",
            SourcePosition(path),
        )
    return data


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
