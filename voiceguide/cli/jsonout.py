"""``--json`` output: every command prints its JSON the same way.

Indented by two, and UTF-8 as it is (``ensure_ascii=False``): a routine title or a voice
name in another language reads as written, and ``json.loads`` gives back the same text."""

from __future__ import annotations

import json
from typing import Any

import click


def echo_json(value: Any) -> None:
    """Print ``value`` as JSON on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))
