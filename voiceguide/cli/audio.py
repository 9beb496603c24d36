"""Commands: voices, export and cache: speech rendering and files for a phone."""

from __future__ import annotations

import click

commands: list[click.Command] = []
