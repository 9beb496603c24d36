"""Commands: list, show, validate and schema: the routines and their cue lists."""

from __future__ import annotations

import click

commands: list[click.Command] = []
