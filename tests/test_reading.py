"""Every file voiceguide reads: a regular file, opened once, never read past its cap."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import PROGRAM
from voiceguide.errors import UnreadableFileError
from voiceguide.reading import read_file


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 1000)
    assert read_file(path, max_bytes=1000) == b"x" * 1000


def test_one_byte_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 2049)
    with pytest.raises(UnreadableFileError) as caught:
        read_file(path, max_bytes=2048)
    assert str(caught.value) == f"{path}: the file is 2 KiB; at most 2 KiB is allowed"


def special_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    return {
        "fifo": (fifo, f"{fifo} is a named pipe, not a file; give a regular file"),
        "zero": (zero, f"{zero} is a device, not a file; give a regular file"),
        "loop": (loop, f"cannot read {loop}: Too many levels of symbolic links"),
        "folder": (tmp_path, f"{tmp_path} is a folder, not a file"),
        "missing": (tmp_path / "nope.yaml", f"no such file: {tmp_path / 'nope.yaml'}"),
    }


@pytest.mark.parametrize("kind", ["fifo", "zero", "loop", "folder", "missing"])
def test_anything_but_a_regular_file_is_one_clear_error(tmp_path: Path, kind: str) -> None:
    path, message = special_files(tmp_path)[kind]
    with pytest.raises(UnreadableFileError) as caught:
        read_file(path, max_bytes=1 << 20)
    assert str(caught.value) == message


def voiceguide(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A hang would be the bug: the timeout turns it into a failure, not a stuck suite.
    return subprocess.run(
        [*PROGRAM, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("kind", ["fifo", "zero", "loop"])
@pytest.mark.parametrize("command", ["validate", "show"])
def test_a_routine_that_is_not_a_regular_file(tmp_path: Path, kind: str, command: str) -> None:
    path, message = special_files(tmp_path)[kind]
    result = voiceguide(command, str(path))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.parametrize("kind", ["fifo", "zero", "loop"])
def test_a_config_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path, message = special_files(tmp_path)[kind]
    result = voiceguide("show", "chair", VOICEGUIDE_CONFIG=str(path))
    assert (result.returncode, result.stdout) == (1, "")
    # A config file's error also says what chose that file.
    assert result.stderr == f"Error: {message} (the config file from VOICEGUIDE_CONFIG)\n"
