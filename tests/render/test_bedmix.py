"""The soundscape in the Timeline's mix: the ducking curve exactly where the placements
sound, the fades, the same samples in any pieces, and no cue moved."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.render.test_timeline import CLIPS, RATE, make_timeline
from tests.support.records import script_of
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import db_to_gain
from voiceguide.render.assembly import place
from voiceguide.render.bedmix import (
    BED_PEAK_MARGIN_DB,
    DUCK_ATTACK,
    DUCK_DEPTH_DB,
    DUCK_RELEASE,
    FADE_IN,
    FADE_OUT,
    BedMix,
)
from voiceguide.render.timeline import Placement
from voiceguide.script.records import Cue

LEVEL = -30.0


class Constant:
    """A bed that is always one, so the mix shows the bed's gain itself."""

    peak = 1.0

    def read(self, start: int, count: int) -> Samples:
        return np.ones(count, dtype=np.float32)


def gain_db(samples: Samples) -> np.ndarray:
    return 20 * np.log10(np.maximum(np.abs(samples), 1e-12)) - LEVEL


def test_the_bed_is_lowered_under_each_placement_with_a_fall_before_and_a_rise_after() -> None:
    mix = BedMix(Constant(), LEVEL, RATE)
    start, clip = 10 * RATE, "b"  # well after the fade-in
    timeline = make_timeline([Placement(start, clip)], CLIPS, 30 * RATE)
    end = start + len(CLIPS[clip])
    bed_only = make_timeline([], {}, 30 * RATE)
    with_bed = dataclasses.replace(timeline, bed=mix)
    sound = with_bed.read(0, 30 * RATE)[:, 0] - timeline.read(0, 30 * RATE)[:, 0]
    gain = gain_db(sound)
    attack, release = round(DUCK_ATTACK * RATE), round(DUCK_RELEASE * RATE)
    # At its level until the fall begins, fully down as the sound begins and while it
    # lasts, back up once the rise is over.
    assert np.allclose(gain[round(FADE_IN * RATE) : start - attack], 0.0, atol=1e-3)
    assert np.allclose(gain[start:end], -DUCK_DEPTH_DB, atol=1e-3)
    assert np.allclose(gain[end + release : 25 * RATE], 0.0, atol=1e-3)
    fall, rise = gain[start - attack : start], gain[end : end + release]
    assert np.all(np.diff(fall) <= 1e-6) and np.all(np.diff(rise) >= -1e-6)
    assert fall[0] > -0.01 and fall[-1] < -DUCK_DEPTH_DB + 0.01
    assert rise[0] < -DUCK_DEPTH_DB + 0.01 and rise[-1] > -0.01
    # Faded in from silence, out to silence at the end, nothing past it.
    assert abs(sound[0]) < db_to_gain(LEVEL) * 1e-3
    assert gain[round(FADE_IN * RATE)] == pytest.approx(0.0, abs=1e-3)
    assert abs(sound[-1]) < db_to_gain(LEVEL) * 1e-2
    assert np.all(with_bed.read(30 * RATE, 500) == 0.0)
    assert bed_only.bed is None


def test_close_sounds_keep_the_bed_down_between_them() -> None:
    mix = BedMix(Constant(), LEVEL, RATE)
    first, second = 10 * RATE, 10 * RATE + 300 + round(0.3 * RATE)  # 0.3 s apart
    placements = [Placement(first, "a"), Placement(second, "a")]
    timeline = make_timeline(placements, CLIPS, 20 * RATE)
    with_bed = dataclasses.replace(timeline, bed=mix)
    sound = with_bed.read(0, 20 * RATE)[:, 0] - timeline.read(0, 20 * RATE)[:, 0]
    between = gain_db(sound[first + 300 : second])
    # The rise after the first meets the fall before the second: never back to the level.
    assert between.max() < -3.0


@pytest.mark.parametrize("size", [1, 441, 4096, 66150])
def test_the_bed_is_the_same_in_any_pieces(size: int) -> None:
    from voiceguide.audio.beds import open_bed

    mix = BedMix(open_bed("waves", RATE), LEVEL, RATE)
    placements = [Placement(RATE, "a"), Placement(3 * RATE, "b"), Placement(3 * RATE + 2000, "c")]
    timeline = make_timeline(placements, CLIPS, 60 * RATE)
    with_bed = dataclasses.replace(timeline, bed=mix)
    whole = with_bed.read(0, with_bed.frames)
    start = 2 * RATE + 17  # through the sounds, off any block's edge
    pieces = np.concatenate([with_bed.read(s, size) for s in range(start, start + 6 * size, size)])
    assert np.array_equal(pieces, whole[start : start + 6 * size])


def test_place_with_a_bed_moves_no_cue_and_lasts_until_the_bed_has_faded() -> None:
    cues = (Cue(1.0, 1.5, "say", "a", 0), Cue(2.0, 2.3, "tone", "step", 0, tone="step"))
    script = script_of(cues, duration=2.5)
    clips = {"a": CLIPS["a"]}
    plain = place(script, clips, RATE)
    mix = BedMix(Constant(), LEVEL, RATE)
    with_bed = place(script, clips, RATE, bed=mix)
    assert with_bed.placements == plain.placements
    last_sound = max(p.start + len(plain.clips[p.clip]) for p in plain.placements)
    assert with_bed.frames == last_sound + round(FADE_OUT * RATE)
    # Every sound is where it was: the mix with the bed, less the bed, is the mix without.
    bed_alone = place(script_of((), duration=2.5), {}, RATE)
    assert bed_alone.bed is None
    difference = with_bed.read(0, plain.frames) - plain.read(0, plain.frames)
    assert np.all(np.abs(difference) <= db_to_gain(LEVEL) * 1.0001)


class Peaky(Constant):
    """A bed of unit RMS whose peaks reach ``peak``."""

    def __init__(self, peak: float) -> None:
        self.peak = peak


def test_a_bed_whose_peaks_would_pass_the_ceiling_under_a_word_is_ducked_deeper() -> None:
    from voiceguide.audio.loudness import SESSION_CEILING_DB, VOICE_CEILING_DB

    room = db_to_gain(SESSION_CEILING_DB) - db_to_gain(VOICE_CEILING_DB)
    assert BedMix(Peaky(4.0), -36.0, RATE).depth == DUCK_DEPTH_DB
    for peak, level in ((12.0, -36.0), (12.0, -30.0), (6.0, -30.0)):
        mix = BedMix(Peaky(peak), level, RATE)
        assert mix.depth > DUCK_DEPTH_DB
        # Its loudest sample under a word, with the margin for what is between samples,
        # just fits under the voice's true peak.
        loudest = peak * db_to_gain(level - mix.depth + BED_PEAK_MARGIN_DB)
        assert loudest == pytest.approx(room, rel=1e-6)
