"""MPRIS: the player on the D-Bus session bus, so headset buttons, media keys and desktop
widgets can steer it (``org.mpris.MediaPlayer2`` and ``org.mpris.MediaPlayer2.Player``).

Built on jeepney: pure Python with no dependencies, kept up, and a blocking connection
that is safe to use from two threads, which is all a small service needs. (dbus-next has
not had a release since 2021; its maintained fork is asyncio-only.)

Each button becomes a ``Request`` for the player's loop, the same as a key, and the reply
is sent once the loop has carried it out. A track is a step: the routine is the album,
the step the title, and Position is the time into the step, read from the device clock
whenever asked. PlaybackStatus and Metadata changes are announced as they happen.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol

from jeepney import DBusAddress, HeaderFields, Message, MessageType
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusConnection, ReceiveStopped
from jeepney.wrappers import new_error, new_method_call, new_method_return, new_signal

from voiceguide.player.commands import Command, Controls, Request
from voiceguide.player.session_bus import SessionBusUnavailable
from voiceguide.player.state import Status
from voiceguide.render.timeline import Playable

BUS_NAME = "org.mpris.MediaPlayer2.voiceguide"
PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
TRACK_PATH = "/org/voiceguide/step/"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
POLL = 0.1  # seconds between looks for a change to announce
REPLY_WAIT = 2.0  # seconds at most that a button waits for the player to act on it
DO_NOT_QUEUE = 4
PRIMARY_OWNER = 1
UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"

BUTTONS: dict[str, Command] = {
    "PlayPause": Command.TOGGLE,
    "Play": Command.PLAY,
    "Pause": Command.PAUSE,
    "Stop": Command.QUIT,
    "Next": Command.NEXT,
    "Previous": Command.BACK,
}

Variant = tuple[str, Any]

# Each method's argument types: a call with others is refused, never read as something else.
_SIGNATURES = {
    **dict.fromkeys([*BUTTONS, "Raise", "Quit", "Introspect"], ""),
    "Seek": "x",
    "SetPosition": "ox",
    "OpenUri": "s",
    "Get": "ss",
    "GetAll": "s",
    "Set": "ssv",
}


class PlayerState(Protocol):
    """What the service reads from the player (from its own thread)."""

    timeline: Playable

    def status(self) -> Status: ...
    def position(self) -> int: ...


def _track(timeline: Playable, step: int) -> tuple[str, float, float]:
    """The track id, start and end (seconds) of ``step`` (-1: the time before the first)."""
    steps = timeline.script.steps
    if step < 0:
        return f"{TRACK_PATH}ready", 0.0, steps[0].start if steps else timeline.duration
    span = steps[step]
    return f"{TRACK_PATH}{step}", span.start, span.end


def metadata(timeline: Playable, status: Status) -> dict[str, Variant]:
    """The MPRIS Metadata for ``status``: the step as the track, the routine as the album."""
    track, start, end = _track(timeline, status.step)
    return {
        "mpris:trackid": ("o", track),
        "mpris:length": ("x", round((end - start) * 1e6)),
        "xesam:title": ("s", status.step_title or "Getting ready"),
        "xesam:album": ("s", timeline.script.title),
        "xesam:artist": ("as", ["voiceguide"]),
        "xesam:trackNumber": ("i", max(0, status.step)),
    }


def position_us(timeline: Playable, status: Status) -> int:
    """Microseconds into the current step."""
    _, start, _ = _track(timeline, status.step)
    return max(0, round((status.position - start) * 1e6))


def playback_status(status: Status) -> str:
    return "Paused" if status.paused else "Playing"


_INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
 <interface name="{INTROSPECTABLE}">
  <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
 </interface>
 <interface name="{PEER}">
  <method name="Ping"/>
 </interface>
 <interface name="{PROPERTIES}">
  <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="out"/></method>
  <method name="GetAll"><arg type="s" direction="in"/><arg type="a{{sv}}" direction="out"/>
  </method>
  <method name="Set"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/></method>
  <signal name="PropertiesChanged"><arg type="s"/><arg type="a{{sv}}"/><arg type="as"/>
  </signal>
 </interface>
 <interface name="{ROOT}">
  <method name="Raise"/><method name="Quit"/>
  <property name="CanQuit" type="b" access="read"/>
  <property name="CanRaise" type="b" access="read"/>
  <property name="HasTrackList" type="b" access="read"/>
  <property name="Identity" type="s" access="read"/>
  <property name="SupportedUriSchemes" type="as" access="read"/>
  <property name="SupportedMimeTypes" type="as" access="read"/>
 </interface>
 <interface name="{PLAYER}">
  <method name="Next"/><method name="Previous"/><method name="Pause"/>
  <method name="PlayPause"/><method name="Stop"/><method name="Play"/>
  <method name="Seek"><arg name="Offset" type="x" direction="in"/></method>
  <method name="SetPosition"><arg name="TrackId" type="o" direction="in"/>
   <arg name="Position" type="x" direction="in"/></method>
  <method name="OpenUri"><arg name="Uri" type="s" direction="in"/></method>
  <signal name="Seeked"><arg name="Position" type="x"/></signal>
  <property name="PlaybackStatus" type="s" access="read"/>
  <property name="Rate" type="d" access="read"/>
  <property name="Metadata" type="a{{sv}}" access="read"/>
  <property name="Volume" type="d" access="read"/>
  <property name="Position" type="x" access="read"/>
  <property name="MinimumRate" type="d" access="read"/>
  <property name="MaximumRate" type="d" access="read"/>
  <property name="CanGoNext" type="b" access="read"/>
  <property name="CanGoPrevious" type="b" access="read"/>
  <property name="CanPlay" type="b" access="read"/>
  <property name="CanPause" type="b" access="read"/>
  <property name="CanSeek" type="b" access="read"/>
  <property name="CanControl" type="b" access="read"/>
 </interface>
</node>
"""


class MediaKeys:
    """The MPRIS service for ``player``, passing buttons to ``controls``; ``start`` it,
    ``close`` it when playing ends."""

    def __init__(self, player: PlayerState, controls: Controls, connection: DBusConnection):
        self.player = player
        self.controls = controls
        self.name = BUS_NAME
        self._connection = connection
        self._emitter = DBusAddress(PATH, interface=PLAYER)
        self._thread = threading.Thread(target=self._serve, name="mpris", daemon=True)
        self._announced: tuple[str, str] | None = None

    # --- properties ---------------------------------------------------------------------

    def root_properties(self) -> dict[str, Variant]:
        return {
            "CanQuit": ("b", True),
            "CanRaise": ("b", False),
            "HasTrackList": ("b", False),
            "Identity": ("s", "voiceguide"),
            "SupportedUriSchemes": ("as", []),
            "SupportedMimeTypes": ("as", []),
        }

    def player_properties(self) -> dict[str, Variant]:
        status = self.player.status()
        timeline = self.player.timeline
        return {
            "PlaybackStatus": ("s", playback_status(status)),
            "Rate": ("d", 1.0),
            "Metadata": ("a{sv}", metadata(timeline, status)),
            "Volume": ("d", 1.0),
            "Position": ("x", position_us(timeline, status)),
            "MinimumRate": ("d", 1.0),
            "MaximumRate": ("d", 1.0),
            "CanGoNext": ("b", True),
            "CanGoPrevious": ("b", True),
            "CanPlay": ("b", True),
            "CanPause": ("b", True),
            "CanSeek": ("b", True),
            "CanControl": ("b", True),
        }

    def _properties(self, interface: str) -> dict[str, Variant] | None:
        if interface == ROOT:
            return self.root_properties()
        if interface == PLAYER:
            return self.player_properties()
        return None

    # --- the service --------------------------------------------------------------------

    def start(self) -> None:
        """Take the bus name (``…voiceguide.instancePID`` if another player has it)."""
        for name in (BUS_NAME, f"{BUS_NAME}.instance{os.getpid()}"):
            request = new_method_call(message_bus, "RequestName", "su", (name, DO_NOT_QUEUE))
            reply = self._call(request)
            if reply.body and reply.body[0] == PRIMARY_OWNER:
                self.name = name
                break
        else:
            raise SessionBusUnavailable("another program holds the MPRIS names for voiceguide")
        self._announced = self._now()
        self._thread.start()

    def _call(self, message: Message) -> Message:
        """Send a call to the bus and wait for its reply (only before the thread starts)."""
        self._connection.send(message)
        while True:
            reply = self._connection.receive(timeout=REPLY_WAIT)
            if reply.header.message_type in (MessageType.method_return, MessageType.error):
                return reply

    def close(self) -> None:
        """Leave the bus; waiting buttons are answered first."""
        self._connection.interrupt()
        if self._thread.is_alive():
            self._thread.join(timeout=REPLY_WAIT + 1)
        self._connection.close()

    def _serve(self) -> None:
        while True:
            try:
                message = self._connection.receive(timeout=POLL)
            except TimeoutError:
                message = None
            except (ReceiveStopped, OSError, ValueError):
                return  # closed, or the bus went away: the terminal's keys still work
            try:
                if message is not None and message.header.message_type is MessageType.method_call:
                    self._answer(message)
                self._announce_changes()
            except OSError:
                return  # the bus went away
            except Exception:  # one bad exchange must not end the service
                continue

    def _answer(self, message: Message) -> None:
        try:
            reply = self._reply(message)
        except OSError:
            raise
        except Exception as exc:  # a reply of "failed" rather than a silent caller
            reply = new_error(message, "org.freedesktop.DBus.Error.Failed", "s", (str(exc),))
        self._connection.send(reply)

    def _reply(self, message: Message) -> Message:
        fields = message.header.fields
        interface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        body = message.body
        reply: Message
        if interface == PEER:  # every object answers Peer, as D-Bus says
            if member == "Ping":
                return new_method_return(message)
        elif fields.get(HeaderFields.path) != PATH:
            return new_error(
                message, UNKNOWN_OBJECT, "s", (f"no object {fields.get(HeaderFields.path)}",)
            )
        expected = _SIGNATURES.get(str(member))
        given = fields.get(HeaderFields.signature, "")
        if expected is not None and given != expected:
            # Seek with a double (1e300 would act as Next) or SetPosition with a string.
            return new_error(
                message, INVALID_ARGS, "s", (f"{member} takes ({expected}), not ({given})",)
            )
        if interface == INTROSPECTABLE and member == "Introspect":
            reply = new_method_return(message, "s", (_INTROSPECTION,))
        elif interface == PROPERTIES and member in ("Get", "GetAll"):
            reply = self._get(message, member, body)
        elif interface == PROPERTIES and member == "Set":
            reply = new_error(
                message,
                "org.freedesktop.DBus.Error.PropertyReadOnly",
                "s",
                ("voiceguide's MPRIS properties are read-only",),
            )
        elif interface in (ROOT, None) and member == "Raise":
            reply = new_method_return(message)
        elif interface in (ROOT, None) and member == "Quit":
            reply = self._press(message, Request(Command.QUIT, "headset"))
        elif interface in (PLAYER, None) and member in BUTTONS:
            reply = self._press(message, Request(BUTTONS[member], "headset"))
        elif interface in (PLAYER, None) and member in ("Seek", "SetPosition"):
            reply = self._seek(message, member, body)
        elif interface in (PLAYER, None) and member == "OpenUri":
            reply = new_error(message, "org.freedesktop.DBus.Error.NotSupported", "s", ("no URIs",))
        else:
            reply = new_error(
                message,
                "org.freedesktop.DBus.Error.UnknownMethod",
                "s",
                (f"no method {interface}.{member}",),
            )
        return reply

    def _get(self, message: Message, member: str, body: tuple[Any, ...]) -> Message:
        properties = self._properties(str(body[0])) if body else None
        if properties is None:
            return new_error(
                message, "org.freedesktop.DBus.Error.UnknownInterface", "s", (str(body[:1]),)
            )
        if member == "GetAll":
            return new_method_return(message, "a{sv}", (properties,))
        name = str(body[1]) if len(body) > 1 else ""
        if name not in properties:
            return new_error(message, "org.freedesktop.DBus.Error.UnknownProperty", "s", (name,))
        return new_method_return(message, "v", (properties[name],))

    def _press(self, message: Message, request: Request) -> Message:
        self.controls.push(request)
        request.done.wait(REPLY_WAIT)
        if request.command in (Command.BACK, Command.SEEK):
            self._signal("Seeked", "x", (position_us(self.player.timeline, self.player.status()),))
        self._announce_changes()
        return new_method_return(message)

    def _seek(self, message: Message, member: str, body: tuple[Any, ...]) -> Message:
        status = self.player.status()
        timeline = self.player.timeline
        track, start, end = _track(timeline, status.step)
        if member == "SetPosition":
            if len(body) < 2 or body[0] != track:
                return new_method_return(message)  # a stale track id: ignored, as MPRIS says
            seconds = start + int(body[1]) / 1e6
            if not start <= seconds <= end:
                return new_method_return(message)
        else:  # past the end of the track (the step) is Next; before its start, its start
            seconds = max(start, status.position + int(body[0]) / 1e6)
            if seconds >= end:
                return self._press(message, Request(Command.NEXT, "headset"))
        frame = timeline.frame_at(seconds)
        return self._press(message, Request(Command.SEEK, "headset", frame=frame))

    def _now(self) -> tuple[str, str]:
        status = self.player.status()
        track, _, _ = _track(self.player.timeline, status.step)
        return playback_status(status), track

    def _announce_changes(self) -> None:
        now = self._now()
        if now == self._announced:
            return
        self._announced = now
        changed = {k: v for k, v in self.player_properties().items() if k in CHANGING}
        self._signal_properties(changed)

    def _signal_properties(self, changed: dict[str, Variant]) -> None:
        emitter = DBusAddress(PATH, interface=PROPERTIES)
        self._connection.send(
            new_signal(emitter, "PropertiesChanged", "sa{sv}as", (PLAYER, changed, []))
        )

    def _signal(self, name: str, signature: str, body: tuple[Any, ...]) -> None:
        self._connection.send(new_signal(self._emitter, name, signature, body))


CHANGING = ("PlaybackStatus", "Metadata")  # what PropertiesChanged carries
