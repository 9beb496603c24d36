"""What the tests of writing files share: the names a folder holds afterwards, and a
Timeline whose blocks stop with a Ctrl-C part way (an interruption while writing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voiceguide.render.timeline import Timeline


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def interrupt_after(blocks: int) -> object:
    """A replacement for ``Timeline.blocks`` that raises KeyboardInterrupt before block
    number ``blocks``."""
    original = Timeline.blocks

    def patched(self: Timeline, size: int = 4096, start: int = 0) -> Iterator[np.ndarray]:
        for number, block in enumerate(original(self, size, start)):
            if number == blocks:
                raise KeyboardInterrupt
            yield block

    return patched
