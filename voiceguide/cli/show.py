"""Commands: show: a routine's cue list, as a table or JSON."""

from __future__ import annotations

import click

commands: list[click.Command] = []
