"""The sounds that acknowledge a key."""

from __future__ import annotations

import numpy as np
import pytest

from voiceguide.audio.acks import ACKS, LEVEL, ack_sound

RATE = 8000


def test_each_ack_is_its_own_short_soft_tone() -> None:
    sounds = {name: ack_sound(name, RATE) for name in ACKS}
    for name, sound in sounds.items():
        assert np.max(np.abs(sound)) == pytest.approx(LEVEL, rel=1e-5), name
        assert abs(sound[0]) < 0.01 and abs(sound[-1]) < 0.01, name  # no click
        assert len(sound) <= 0.3 * RATE, name
    distinct = {sound.tobytes() for sound in sounds.values()}
    assert len(distinct) == len(sounds)
