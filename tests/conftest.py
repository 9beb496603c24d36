"""Shared fixtures: every test runs with its own config and data folders, so no test reads
or writes the real user's settings, routines or journal. The clip cache is shared by the
whole session (clips are content-addressed, so sharing is safe) to keep the suite quick;
tests about the cache itself point it at their own folder.

Run in parallel (``pytest -n N``, as ``scripts/test`` does), each worker has its own
PulseAudio server and null sink and its own D-Bus session bus, so no test hears or sees
another's player; the workers share the clip cache, which is safe for the same reason.

Property tests run without Hypothesis's per-example deadline: it is a wall-clock limit, and
on a loaded machine a slow example is not a wrong one (speed is for scripts/bench)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.bus import session_bus
from tests.support.pulse import worker_sink
from tests.support.recording import NEEDS_PULSE
from tests.support.routines import export_short_routine
from voiceguide import signals

settings.register_profile("voiceguide", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("voiceguide")


_worker_services = ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        if os.environ.get("VOICEGUIDE_TEST_AUDIO") != "none":
            # The server with no session bus: PulseAudio takes a name on the bus it finds,
            # and on a neighbour's bus, or on this worker's own, the name would be taken for
            # the short-lived second server a test starts (to make the program lose its
            # output). The part of the run without sound (scripts/test) has no server.
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            _worker_services.enter_context(worker_sink())
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = _worker_services.enter_context(session_bus())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the sound server, or drives the phone page in Chromium (the page
    plays in real time), is an ``audio`` test, marked or not: scripts/test runs those apart
    from the rest, at normal priority (before ``-m`` selects)."""
    for item in items:
        needs_sound = any(
            mark.kwargs.get("reason") == NEEDS_PULSE for mark in item.iter_markers("skipif")
        )
        if needs_sound or "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.audio)


def pytest_unconfigure(config: pytest.Config) -> None:
    _worker_services.close()


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("VOICEGUIDE_TEST_CLIP_CACHE"):  # one for both parts of scripts/test
        return Path(os.environ["VOICEGUIDE_TEST_CLIP_CACHE"])
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # The folder above each worker's own is the run's: one cache for all workers.
        shared = tmp_path_factory.getbasetemp().parent / "clip-cache"
        shared.mkdir(exist_ok=True)
        return shared
    return tmp_path_factory.mktemp("clip-cache")


@pytest.fixture(autouse=True)
def signal_handlers_kept() -> Iterator[None]:
    """Whatever a test does in this process (a session that ends on a signal ignores the
    later ones for good, as a process on its way out should), the handlers are as they were
    afterwards: a worker left ignoring Ctrl-C would start every later program with Ctrl-C
    ignored too."""
    before = {sig: signal.getsignal(sig) for sig in signals.ENDING}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


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
