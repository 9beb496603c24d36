"""The player: a ``Timeline`` heard in real time, steered by keys and headset buttons.

- ``player``: ``Player``, the controls' meanings over a Timeline, and its loop;
- ``transport``: the Timeline as a stream that pauses, resumes and jumps;
- ``state``: the records the display and MPRIS read (``Status``, ``PlayResult``, ``Outcome``);
- ``commands``: a key or a button becomes a ``Request``; one meaning per command;
- ``keys``, ``display``: single-key input and the glanceable terminal display;
- ``whereami``: what "where am I?" says;
- ``mpris``, ``session_bus``: media keys and headset buttons over D-Bus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.player.commands import Command, Controls, Request
    from voiceguide.player.display import Display
    from voiceguide.player.keys import KeyReader
    from voiceguide.player.mpris import published
    from voiceguide.player.player import Player, find_step
    from voiceguide.player.state import Outcome, PlayResult, Status, StatusView
    from voiceguide.player.transport import Transport

__all__ = [
    "Command",
    "Controls",
    "Display",
    "KeyReader",
    "Outcome",
    "PlayResult",
    "Player",
    "Request",
    "Status",
    "StatusView",
    "Transport",
    "find_step",
    "published",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "player": ("Player", "find_step"),
        "transport": ("Transport",),
        "state": ("Outcome", "PlayResult", "Status", "StatusView"),
        "commands": ("Command", "Controls", "Request"),
        "keys": ("KeyReader",),
        "display": ("Display",),
        "mpris": ("published",),
    },
)
