"""Reaching the session bus, or one sentence saying why not; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.player.commands import Controls
from voiceguide.player.media_keys import published
from voiceguide.player.player import Player
from voiceguide.player.session_bus import SessionBusUnavailable, connect, session_bus_address


def test_no_bus_at_all_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with pytest.raises(SessionBusUnavailable, match=r"^no D-Bus session bus"):
        connect()


def test_the_per_user_socket_is_found_without_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(tmp_path / "bus"))
        assert session_bus_address() == f"unix:path={tmp_path / 'bus'}"


@pytest.mark.parametrize(
    "address", ["unix:path=/nonexistent/bus", "tcp:host=127.0.0.1,port=1", "nonsense"]
)
def test_a_bus_that_cannot_be_reached_says_where_it_looked(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    with pytest.raises(SessionBusUnavailable, match=r"^cannot reach the D-Bus session bus at"):
        connect()


def test_without_a_bus_the_player_is_simply_not_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    player = Player(stepped_timeline(8000), FakeOutput())
    controls = Controls()
    with published(player, controls) as service:
        assert service is None
        assert not controls.buttons
