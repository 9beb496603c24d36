"""Running the command line from a test: in-process through Click's runner (quick, with
stdout and stderr apart), or as the real program in a process of its own."""

from __future__ import annotations

import sys

from click.testing import CliRunner, Result

from voiceguide.cli import cli

# The real program, as a user starts it: a process of its own, its own signals and streams.
PROGRAM = [sys.executable, "-m", "voiceguide"]


def voiceguide(*args: str, input: str | None = None) -> Result:
    """``voiceguide ARGS`` run in this process; ``input`` is what it reads from stdin."""
    return CliRunner().invoke(cli, list(args), input=input)
