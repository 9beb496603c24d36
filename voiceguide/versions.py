"""The version of an installed Python distribution, found cheaply.

The speech engines' versions are part of every clip's cache key, so ``play`` asks for them
before its first sound. ``importlib.metadata`` answers too, but importing it costs about
25 ms (it brings in the email parser, zipfile and csv), a tenth of the time to the first
sound with a warm cache. An installer names each distribution's metadata folder
``NAME-VERSION.dist-info`` (PEP 376, the name normalised as in PEP 503 with ``_`` for
``-``), so reading the folder names on ``sys.path`` gives the version without it;
anything unusual (an egg, a zip, a folder under another spelling) falls back to
``importlib.metadata``.
"""

from __future__ import annotations

import os
import re
import sys

_SEPARATORS = re.compile(r"[-_.]+")


def _normalised(name: str) -> str:
    return _SEPARATORS.sub("_", name).lower()


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (e.g. ``"piper-tts"``), or None when it
    is not installed."""
    wanted = _normalised(distribution)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing folder
            continue
        for folder in names:
            stem, dot, kind = folder.rpartition(".")
            if not dot or kind != "dist-info":
                continue
            name, dash, version = stem.partition("-")
            if dash and _normalised(name) == wanted:
                return version
    return _from_metadata(distribution)


def _from_metadata(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
