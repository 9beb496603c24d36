"""The MPRIS service's answers to calls a desktop would not make, on the real session
bus (scripts/test runs pytest under dbus-run-session) with a small stand-in player: calls
on another object path, arguments of the wrong types, and a program that is not a bus."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jeepney import DBusAddress, DBusErrorResponse, MessageType, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tests.support.cli import PROGRAM
from voiceguide.player.commands import Command, Controls
from voiceguide.player.mpris import BUS_NAME, PATH, PLAYER, PROPERTIES, MediaKeys
from voiceguide.player.session_bus import connect
from voiceguide.player.state import Status

needs_bus = pytest.mark.skipif(
    not os.environ.get("DBUS_SESSION_BUS_ADDRESS"), reason="needs a D-Bus session bus"
)
RATE = 1000  # frames a second of the stand-in timeline


@dataclass
class StandInPlayer:
    """Two steps of ten seconds, the first playing, at 2 s."""

    timeline: Any = field(
        default_factory=lambda: SimpleNamespace(
            script=SimpleNamespace(
                title="Stand-in",
                steps=[
                    SimpleNamespace(start=0.0, end=10.0, title="One"),
                    SimpleNamespace(start=10.0, end=20.0, title="Two"),
                ],
            ),
            duration=20.0,
            frame_at=lambda seconds: round(seconds * RATE),
        )
    )

    def status(self) -> Status:
        return Status("Stand-in", 2.0, 20.0, 0, "1", "One", "Two", paused=False)

    def position(self) -> int:
        return 2 * RATE


@pytest.fixture
def service() -> Iterator[list[tuple[Command, int | None]]]:
    """The service on the session bus; yields the requests it passed on."""
    controls = Controls(buttons=True)
    received: list[tuple[Command, int | None]] = []
    stop = threading.Event()

    def carry_out() -> None:
        while not stop.is_set():
            request = controls.read(0.05)
            if request is not None:
                received.append((request.command, request.frame))
                request.done.set()

    worker = threading.Thread(target=carry_out, daemon=True)
    worker.start()
    keys = MediaKeys(StandInPlayer(), controls, connect())
    keys.start()
    try:
        yield received
    finally:
        keys.close()
        stop.set()
        worker.join(timeout=5)


@pytest.fixture
def bus() -> Iterator[DBusConnection]:
    connection = open_dbus_connection("SESSION")
    yield connection
    connection.close()


def call(
    bus: DBusConnection, member: str, signature: str = "", body: tuple[Any, ...] = (),
    *, path: str = PATH, interface: str = PLAYER,
) -> Any:  # fmt: skip
    address = DBusAddress(path, bus_name=BUS_NAME, interface=interface)
    reply = bus.send_and_get_reply(new_method_call(address, member, signature, body), timeout=5)
    if reply.header.message_type is MessageType.error:
        raise DBusErrorResponse(reply)
    return reply.body


@needs_bus
def test_methods_answer_only_on_the_players_object_path(
    service: list[tuple[Command, int | None]], bus: DBusConnection
) -> None:
    for path in ("/", "/org/mpris", "/org/mpris/MediaPlayer2/extra", "/x"):
        with pytest.raises(DBusErrorResponse) as caught:
            call(bus, "PlayPause", path=path)
        assert caught.value.name == "org.freedesktop.DBus.Error.UnknownObject"
        with pytest.raises(DBusErrorResponse):
            call(bus, "Get", "ss", (PLAYER, "Position"), path=path, interface=PROPERTIES)
    assert service == []
    # Every object answers a Ping; the player's own path answers its methods.
    call(bus, "Ping", path="/x", interface="org.freedesktop.DBus.Peer")
    call(bus, "PlayPause")
    assert service == [(Command.TOGGLE, None)]


@needs_bus
def test_seek_takes_an_int64_of_microseconds_and_nothing_else(
    service: list[tuple[Command, int | None]], bus: DBusConnection
) -> None:
    for signature, body in (("d", (1e300,)), ("s", ("5",)), ("xx", (1, 2)), ("", ())):
        with pytest.raises(DBusErrorResponse) as caught:
            call(bus, "Seek", signature, body)
        assert caught.value.name == "org.freedesktop.DBus.Error.InvalidArgs"
    assert service == []
    call(bus, "Seek", "x", (3_000_000,))  # from 2 s to 5 s
    assert service == [(Command.SEEK, 5 * RATE)]


@needs_bus
def test_set_position_with_wrong_types_is_an_error(
    service: list[tuple[Command, int | None]], bus: DBusConnection
) -> None:
    for signature, body in (
        ("sx", ("/org/voiceguide/step/0", 1)),
        ("od", ("/org/voiceguide/step/0", 1.0)),
        ("x", (1,)),
    ):
        with pytest.raises(DBusErrorResponse) as caught:
            call(bus, "SetPosition", signature, body)
        assert caught.value.name == "org.freedesktop.DBus.Error.InvalidArgs"
    assert service == []
    call(bus, "SetPosition", "ox", ("/org/voiceguide/step/0", 4_000_000))
    assert service == [(Command.SEEK, 4 * RATE)]


@pytest.fixture
def garbage_bus(tmp_path: Path) -> Iterator[str]:
    """A socket that answers D-Bus's handshake with 2 KB of bytes: not a bus."""
    path = tmp_path / "bus"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    closing = threading.Event()

    def answer() -> None:
        while not closing.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                try:
                    client.recv(1)
                    garbage = bytes(b for b in range(256) if b not in b"\r\n") * 8
                    client.sendall(garbage + b"\r\n")
                    while client.recv(4096):  # until the client gives up
                        pass
                except OSError:
                    pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield f"unix:path={path}"
    finally:
        closing.set()
        server.close()


def test_doctor_says_a_garbage_speaking_bus_in_one_short_line(garbage_bus: str) -> None:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": garbage_bus}
    doctor = subprocess.run(
        [*PROGRAM, "doctor", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    media = {f["topic"]: f for f in json.loads(doctor.stdout)["findings"]}["media keys"]
    assert media["status"] == "note"
    said = f"unavailable: cannot reach the D-Bus session bus at {garbage_bus} ("
    assert media["detail"].startswith(said)
    reason, _, rest = media["detail"][len(said) :].rpartition(")")
    assert rest == "; `play` still answers the terminal's keys"
    assert len(reason) <= 80 and media["detail"].isprintable(), media["detail"]
