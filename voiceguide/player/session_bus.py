"""The D-Bus session bus: reaching it, or saying plainly why it cannot be reached.

Headset buttons (Bluetooth AVRCP), keyboard media keys and desktop widgets reach a player
through MPRIS on this bus. A server, a container, macOS or Windows usually has none;
then media keys are simply unavailable and ``why`` is one sentence for ``doctor``.
Nothing from the D-Bus library escapes as a traceback: every failure to connect becomes
``SessionBusUnavailable``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.errors import VoiceguideError
from voiceguide.text import one_line

if TYPE_CHECKING:
    from jeepney.io.threading import DBusConnection

AUTH_TIMEOUT = 1.0  # seconds: a bus that does not answer its handshake by then is unusable
# A program that is not a bus may answer with anything, and the library quotes it all.
MAX_DETAIL = 80


class SessionBusUnavailable(VoiceguideError):
    """No session bus to publish the player on; the message says why."""


def session_bus_address() -> str:
    """The session bus's address: ``DBUS_SESSION_BUS_ADDRESS``, else the per-user socket
    that systemd-based desktops put in ``XDG_RUNTIME_DIR``. On macOS and Windows, none:
    their media keys do not go through MPRIS, even where a D-Bus is installed."""
    if sys.platform in ("darwin", "win32"):
        raise SessionBusUnavailable(
            "media keys and headset buttons reach voiceguide through MPRIS on D-Bus, which"
            " only Linux desktops have"
        )
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime, "bus").is_socket():
        return f"unix:path={Path(runtime, 'bus')}"
    raise SessionBusUnavailable(
        "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no"
        " $XDG_RUNTIME_DIR/bus), as on a server, in a container, on macOS or on Windows"
    )


def _short(detail: str) -> str:
    """``detail`` on one line, cut to ``MAX_DETAIL`` characters."""
    line = one_line(detail)
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"


def connect() -> DBusConnection:
    """A connection to the session bus, or ``SessionBusUnavailable`` saying why not."""
    address = session_bus_address()
    try:
        from jeepney.io.threading import open_dbus_connection
    except ImportError as exc:
        raise SessionBusUnavailable(
            f"the D-Bus library jeepney is not installed ({exc}): pip install jeepney"
        ) from exc
    try:
        connection: DBusConnection = open_dbus_connection(address, auth_timeout=AUTH_TIMEOUT)
    except Exception as exc:  # the library raises many kinds; each one means "no bus"
        detail = _short(str(exc)) or type(exc).__name__
        raise SessionBusUnavailable(
            f"cannot reach the D-Bus session bus at {address} ({detail})"
        ) from exc
    return connection
