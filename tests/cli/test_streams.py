"""Every command against a closed and a full standard output: one Error line, never a
traceback, and never output lost without a word."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import click
import pytest

from tests.support.cli import PROGRAM
from voiceguide.cli import cli

TINY = "title: Tiny\nkind: stretch\nsteps:\n  - say: Hello.\n"


def every_command() -> set[str]:
    names = set()
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            names |= {f"{name} {sub}" for sub in command.commands}
        else:
            names.add(name)
    return names


def arguments(tmp_path: Path) -> dict[str, tuple[list[str], bool]]:
    """Each command as a user runs it, and whether it prints on stdout."""
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(TINY)
    return {
        "list": (["list"], True),
        "show": (["show", str(tiny)], True),
        "validate": (["validate", str(tiny)], True),
        "schema": (["schema"], True),
        "history": (["history"], True),
        "voices": (["voices"], True),
        "devices": (["devices"], True),
        "doctor": (["doctor"], True),
        "cache info": (["cache", "info"], True),
        "cache clear": (["cache", "clear", "--yes"], True),
        "cache warm": (["cache", "warm", str(tiny), "--engine", "pyttsx3"], True),
        "export": (["export", str(tiny), "-o", str(tmp_path / "out"), "--force"], True),
        "play": (["play", str(tiny)], False),  # it speaks; its words go to stderr
        # It prints the address before serving: failing to, it must stop, not serve unseen.
        "serve": (["serve", str(tiny), "--port", "0", "--host", "127.0.0.1"], True),
    }


def test_every_command_is_covered(tmp_path: Path) -> None:
    assert set(arguments(tmp_path)) == every_command()


def run(args: list[str], stdout: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOICEGUIDE_CACHE_DIR": str(tmp_path / "cache")}
    command = [*PROGRAM, *args]
    if stdout == "full":
        with open("/dev/full", "w") as full:
            return subprocess.run(
                command, stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                text=True, timeout=180, env=env,
            )  # fmt: skip
    return subprocess.run(
        command, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=180,
        env=env, preexec_fn=lambda: os.close(1),
    )  # fmt: skip


@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("name", sorted(every_command()))
def test_a_closed_or_full_stdout_is_one_error_line(tmp_path: Path, name: str, stdout: str) -> None:
    args, prints = arguments(tmp_path)[name]
    result = run(args, stdout, tmp_path)
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1] if result.stderr.strip() else ""
    if prints:
        expected = {
            "full": "Error: cannot write to standard output: No space left on device",
            "closed": "Error: standard output is closed; give the command somewhere to write",
        }[stdout]
        assert (result.returncode, last) == (1, expected)
    else:
        assert result.returncode in (0, 1)
        assert result.returncode == 0 or last.startswith("Error: ")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["list", "--help"]])
def test_help_and_version_to_a_full_stdout(tmp_path: Path, args: list[str]) -> None:
    result = run(args, "full", tmp_path)
    assert (result.returncode, result.stderr) == (
        1,
        "Error: cannot write to standard output: No space left on device\n",
    )
