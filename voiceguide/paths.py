"""Where voiceguide keeps things: cache, config, data, and the built-in routines.

Each place can be overridden by an environment variable so that tests, the checkout's
wrapper scripts and careful users can point it elsewhere; otherwise platformdirs says
where the platform expects it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "voiceguide"

CACHE_ENV = "VOICEGUIDE_CACHE_DIR"
CONFIG_ENV = "VOICEGUIDE_CONFIG"
DATA_ENV = "VOICEGUIDE_DATA_DIR"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def cache_dir(override: Path | None = None) -> Path:
    """The clip cache: ``--cache-dir``, then ``$VOICEGUIDE_CACHE_DIR``, then the platform's."""
    return override or _from_env(CACHE_ENV) or Path(platformdirs.user_cache_dir(APP_NAME))


def config_file() -> Path:
    """The settings file: ``$VOICEGUIDE_CONFIG``, else ``config.yaml`` in the config dir."""
    return _from_env(CONFIG_ENV) or Path(platformdirs.user_config_dir(APP_NAME)) / "config.yaml"


def data_dir() -> Path:
    """User data (own routines, the journal): ``$VOICEGUIDE_DATA_DIR`` or the platform's."""
    return _from_env(DATA_ENV) or Path(platformdirs.user_data_dir(APP_NAME))


def user_routines_dir() -> Path:
    """The folder where users keep routines of their own; ``list`` and ids find them."""
    return data_dir() / "routines"


def builtin_routines_dir() -> Path:
    """The routines that ship with voiceguide.

    In a wheel they sit inside the package; in a checkout (editable install, or running
    from the source tree) they are the top-level ``routines/`` folder.
    """
    packaged = Path(__file__).resolve().parent / "routines"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "routines"
