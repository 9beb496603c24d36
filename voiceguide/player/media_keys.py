"""Media keys while playing: the player published on the session bus (``mpris``) for the
block, where there is one (Linux desktops), and playing with the terminal's keys alone
where there is not. Kept apart from ``mpris`` so that choosing needs no D-Bus library:
jeepney is loaded only once a bus has answered."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from voiceguide.player.commands import Controls
from voiceguide.player.session_bus import connect

if TYPE_CHECKING:
    from voiceguide.player.mpris import MediaKeys, PlayerState


@contextlib.contextmanager
def published(player: PlayerState, controls: Controls) -> Iterator[MediaKeys | None]:
    """The player on the session bus while the block runs; None when there is no bus
    (``doctor`` says why): playing goes on with the terminal's keys alone."""
    service: MediaKeys | None = None
    try:
        connection = connect()
        from voiceguide.player.mpris import MediaKeys

        service = MediaKeys(player, controls, connection)
        try:
            service.start()
        except BaseException:
            connection.close()
            raise
    except Exception:  # whatever the bus does, playing goes on without it
        service = None
    if service is None:
        yield None
        return
    controls.buttons = True
    try:
        yield service
    finally:
        controls.buttons = False
        service.close()
