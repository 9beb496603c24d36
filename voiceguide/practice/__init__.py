"""Practice: the person's side of playing.

- ``safety``: the safety gate and the frequency guard (its ``FrequencyLimits``) before
  ``play``, the way out on pain;
- ``journal``: the practice journal (SQLite);
- ``history``: summaries of the journal (period, counts per routine, streak).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.lazy import lazy_exports

if TYPE_CHECKING:
    from voiceguide.practice.history import History, summarize
    from voiceguide.practice.journal import Journal, SessionRecord, record_session
    from voiceguide.practice.safety import (
        FrequencyLimits,
        before_play,
        check_frequency,
        stop_for_pain,
    )

__all__ = [
    "FrequencyLimits",
    "History",
    "Journal",
    "SessionRecord",
    "before_play",
    "check_frequency",
    "record_session",
    "stop_for_pain",
    "summarize",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "safety": ("FrequencyLimits", "before_play", "check_frequency", "stop_for_pain"),
        "journal": ("Journal", "SessionRecord", "record_session"),
        "history": ("History", "summarize"),
    },
)
