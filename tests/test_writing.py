"""Writing atomically: a failed or killed write leaves the old file and no temporary."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.writing import atomic_path, write_whole


def test_atomic_path_leaves_the_old_file_when_the_write_fails(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(path) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_write_whole_replaces_a_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "a.clip"
    write_whole(path, b"damaged")
    write_whole(path, b"whole")
    assert path.read_bytes() == b"whole"
    assert list(tmp_path.iterdir()) == [path]


def test_a_process_killed_while_writing_whole_leaves_nothing(tmp_path: Path) -> None:
    # A child is killed (SIGKILL, nothing runs after it) in the middle of writing.
    code = (
        "import os, sys; from pathlib import Path; from voiceguide import writing;"
        "real = os.write;"
        "os.write = lambda fd, data: (real(fd, data[:1024]), os.kill(os.getpid(), 9))[0];"
        "writing.write_whole(Path(sys.argv[1]), bytes(1 << 20))"
    )
    path = tmp_path / "a.clip"
    killed = subprocess.run([sys.executable, "-c", code, str(path)], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert list(tmp_path.iterdir()) == []
