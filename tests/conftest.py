"""Shared fixtures: every test runs with its own config and data folders, so no test reads
or writes the real user's settings, routines or journal. The clip cache is shared by the
whole session (clips are content-addressed, so sharing is safe) to keep the suite quick;
tests about the cache itself point it at their own folder.

Property tests run without Hypothesis's per-example deadline: it is a wall-clock limit, and
on a loaded machine a slow example is not a wrong one (speed is for scripts/bench)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.routines import export_short_routine

settings.register_profile("voiceguide", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("voiceguide")


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clip-cache")


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory,
    shared_cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("VOICEGUIDE_CONFIG", str(home / "config.yaml"))
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache_dir))
    yield


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Path:
    """The short routine's file (tests/support/routines.py), exported beside it as WAV and
    cue list; exporting also fills the clip cache, so playing it starts at once."""
    return export_short_routine(tmp_path_factory.mktemp("short"), shared_cache_dir)
