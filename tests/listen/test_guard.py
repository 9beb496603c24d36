"""The guard: deaf while the output sounds and for the margin after, on what the output
really played (a real Timeline through the fake output)."""

from __future__ import annotations

import numpy as np

from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.listen.guard import THRESHOLD_DB, VoiceGuard, threshold_for
from voiceguide.player.player import Player

RATE = 8000


class Heard:
    def __init__(self) -> None:
        self.frames = 0

    def __call__(self) -> int:
        return self.frames


def test_deaf_while_sounding_and_for_the_margin_after() -> None:
    guard = VoiceGuard(margin=0.5)
    heard = Heard()
    guard.started(RATE, heard)
    assert guard.quiet()  # nothing played yet: silence
    played = np.zeros((4 * RATE, 1), np.float32)
    played[:RATE, 0] = 0.3 * np.sin(np.arange(RATE) / 3)  # one second of "voice"
    for first in range(0, 4 * RATE, 400):
        guard.note(first, played[first : first + 400])
    heard.frames = RATE // 2
    assert not guard.quiet()  # speaking
    heard.frames = RATE + RATE // 4
    assert not guard.quiet()  # its echo may still be in the room
    heard.frames = RATE + RATE // 2 + 400
    assert guard.quiet()


def test_deaf_before_playing_starts() -> None:
    assert not VoiceGuard().quiet()


def test_a_soundscape_alone_does_not_make_it_deaf() -> None:
    bed_level = -36.0
    guard = VoiceGuard(threshold_for(bed_level))
    guard.started(RATE, lambda: 2 * RATE)
    rms = 10 ** (bed_level / 20)
    bed = (rms * np.sqrt(2) * np.sin(np.arange(2 * RATE) / 5)).astype(np.float32)
    guard.note(0, bed[:, None])
    assert guard.quiet()
    assert threshold_for(None) == THRESHOLD_DB


def test_the_watched_output_measures_what_the_player_plays() -> None:
    # Steps of a 0.25 s burst from 0.1 s, then 0.5 s of silence.
    timeline = stepped_timeline(rate=RATE)
    guard = VoiceGuard(margin=0.2)
    output = FakeOutput(block=80)
    Player(timeline, guard.watch(output)).start()
    output.advance(round(0.2 * RATE))
    assert not guard.quiet()  # in the first burst
    output.advance(round(0.3 * RATE))  # 0.15 s after it
    assert not guard.quiet()
    output.advance(round(0.1 * RATE))  # 0.25 s after it
    assert guard.quiet()
    output.advance(round(0.45 * RATE))  # in the second burst
    assert not guard.quiet()
