"""Writing atomically: a failed or killed write leaves the old file and no temporary; a
dead writer's temporaries are removed where the system can tell it is gone, left where it
cannot (Windows, where ``os.kill(pid, 0)`` would end that process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from voiceguide.writing import atomic_path, remove_stale, write_whole


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


def dead_writer_s_temporary(folder: Path) -> Path:
    """A temporary named after a process that has ended."""
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = folder / f".chair.wav.{ended.stdout.strip()}-0123abcd.part"
    stale.write_bytes(b"half")
    return stale


def test_a_dead_writer_s_temporary_is_removed(tmp_path: Path) -> None:
    stale = dead_writer_s_temporary(tmp_path)
    assert remove_stale(tmp_path) == [stale]
    assert not stale.exists()


def test_on_windows_no_process_is_signalled_and_the_temporary_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = dead_writer_s_temporary(tmp_path)
    signalled: list[tuple[int, int]] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "kill", lambda pid, sig: signalled.append((pid, sig)))
    assert remove_stale(tmp_path) == []
    assert signalled == []
    assert stale.exists()
