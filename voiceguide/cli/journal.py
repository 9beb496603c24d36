"""Commands: history: the practice journal."""

from __future__ import annotations

import click

commands: list[click.Command] = []
