"""A routine's question as the player keeps it while playing: where it is asked, where
its answer window opens and closes, and what was answered (``Player`` settles it)."""

from __future__ import annotations

from dataclasses import dataclass

from voiceguide.player.commands import Answer


@dataclass
class Asked:
    """A question while playing, in Timeline frames: asked from ``asked`` (its first
    word), its window from ``opens`` to ``closes``, settled at ``decided``; its round is
    step ``round_step``. ``answer`` is the answer given, if any."""

    asked: int
    opens: int
    closes: int
    decided: int
    round_step: int
    answer: Answer | None = None
    settled: bool = False
