"""Running the command line from a test: in-process through Click's runner (quick, with
stdout and stderr apart), or as the real program in a process of its own."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner, Result

from voiceguide.cli import cli

# The real program, as a user starts it: a process of its own, its own signals and streams.
PROGRAM = [sys.executable, "-m", "voiceguide"]


def voiceguide(*args: str, input: str | None = None) -> Result:
    """``voiceguide ARGS`` run in this process; ``input`` is what it reads from stdin."""
    return CliRunner().invoke(cli, list(args), input=input)


def run_play(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``voiceguide play ARGS`` as the real program with no terminal (nothing on stdin),
    to its end; what it printed, and its exit status."""
    return subprocess.run(
        [*PROGRAM, "play", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
