"""One ``play`` session in this process, on the null sink: what it records when a signal
comes at the moment the sound starts (the command's own tests run it as a user does)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.recording import needs_pulse
from voiceguide import signals
from voiceguide.app.play import PlayRequest, PlaySession
from voiceguide.config import Settings
from voiceguide.practice.journal import Journal


@needs_pulse
@pytest.mark.audio
def test_a_ctrl_c_as_the_sound_starts_still_records_the_session(
    short: Path, shared_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the session's first record is being written (the sound has started):
    the record is finished as an interrupted quit, not lost half-written."""
    write: Callable[..., int] = Journal.start_session

    def interrupted_while_writing(journal: Journal, *args: object, **kwargs: object) -> int:
        os.kill(os.getpid(), signal.SIGINT)  # handled at once, in this very call
        return write(journal, *args, **kwargs)

    session = PlaySession(
        Settings(engine="pyttsx3", rating=False), shared_cache_dir, lambda _question: False
    )
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt) as caught:
        patched.setattr(Journal, "start_session", interrupted_while_writing)
        session.play(PlayRequest(str(short)))
    assert signals.exit_status(caught.value) == 130
    [recorded] = Journal().sessions()
    assert (recorded.outcome, recorded.reason) == ("quit", "interrupted")
