"""Commands: play and devices: the hands-free player."""

from __future__ import annotations

import click

commands: list[click.Command] = []
