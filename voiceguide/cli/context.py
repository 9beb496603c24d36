"""What the top-level options give every command, as one typed record on the click
context (``ctx.obj``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Context:
    """``--cache-dir`` and ``--config`` (or their environment variables); None: the default."""

    cache_dir: Path | None = None
    config_path: Path | None = None
    # How the config file was chosen ("--config", "VOICEGUIDE_CONFIG"; None: the
    # default), so that an error about it says where to change that.
    config_from: str | None = None


def context(ctx: click.Context) -> Context:
    """The top-level options of the command running in ``ctx``."""
    found = ctx.find_root().obj
    return found if isinstance(found, Context) else Context()
