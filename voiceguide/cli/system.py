"""Commands: doctor: what this machine has and what is missing."""

from __future__ import annotations

import click

commands: list[click.Command] = []
