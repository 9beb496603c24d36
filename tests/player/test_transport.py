"""The transport over the fake output: exact frames for play, pause, resume and jumps;
undo gives a backend that pulls ahead exactly what one that does not would play."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.player.transport import FADE, JUMP_GAP, Transport
from voiceguide.render.timeline import Timeline

RATE = 8000
FADE_FRAMES = round(FADE * RATE)


def started(timeline: Timeline, **kwargs: int) -> tuple[Transport, FakeOutput]:
    transport = Transport(timeline)
    fake = FakeOutput(**kwargs)
    fake.start(transport)
    return transport, fake


def with_ack(frames: np.ndarray, ack: Ack) -> np.ndarray:
    """``frames`` with the ack tone mixed in from its first frame, as the transport does."""
    out = frames.copy()
    sound = ack_sound(ack, RATE)
    n = min(len(out), len(sound))
    out[:n] += sound[:n, None]
    return np.asarray(np.clip(out, -1.0, 1.0), dtype=np.float32)


def ramp_down() -> np.ndarray:
    k = np.arange(FADE_FRAMES)
    return (0.5 - 0.5 * np.cos(np.pi * (k + 0.5) / FADE_FRAMES))[::-1].astype(np.float32)


def test_plays_the_timeline_exactly_and_then_ends() -> None:
    timeline = stepped_timeline(RATE)
    transport, fake = started(timeline)
    while not fake.wait(0):
        pass
    np.testing.assert_array_equal(fake.frames[: timeline.frames], timeline.read(0, timeline.frames))
    assert not fake.frames[timeline.frames :].any()
    assert transport.pull(100) is None
    assert transport.remaining() == 0


@settings(max_examples=50)
@given(block=st.integers(1, 700), lookahead=st.integers(0, 3000), channels=st.sampled_from([1, 2]))
def test_block_size_and_lookahead_do_not_change_what_is_played(
    block: int, lookahead: int, channels: int
) -> None:
    timeline = stepped_timeline(RATE, steps=2, channels=channels)
    _, fake = started(timeline, block=block, lookahead=lookahead)
    fake.advance(timeline.frames)
    np.testing.assert_array_equal(fake.frames, timeline.read(0, timeline.frames))


def test_pause_in_silence_and_resume_continue_from_the_same_frame() -> None:
    timeline = stepped_timeline(RATE)
    transport, fake = started(timeline, block=64)
    at = round(0.4 * RATE)  # after the first burst, in silence
    fake.advance(at)
    fake.interrupt(transport.pause)
    fake.advance(2000)
    assert transport.position_at(fake.heard()) == at
    fake.interrupt(transport.resume)
    fake.advance(timeline.frames)
    played = fake.frames
    np.testing.assert_array_equal(played[:at], timeline.read(0, at))
    np.testing.assert_array_equal(played[at : at + 2000], with_ack(np.zeros((2000, 1)), "pause"))
    rest = timeline.frames - at
    np.testing.assert_allclose(
        played[at + 2000 : at + 2000 + rest], with_ack(timeline.read(at, rest), "resume"), atol=0
    )


def test_pause_in_a_sound_fades_out_and_resume_fades_back_in() -> None:
    timeline = stepped_timeline(RATE)
    transport, fake = started(timeline, block=50)
    at = round(0.2 * RATE)  # in the middle of the first burst
    fake.advance(at)
    fake.interrupt(lambda: transport.pause(ack=None))
    fake.advance(500)
    fake.interrupt(lambda: transport.resume(ack=None))
    fake.advance(1000)
    played = fake.frames
    np.testing.assert_array_equal(played[:at], timeline.read(0, at))
    tail = timeline.read(at, FADE_FRAMES) * ramp_down()[:, None]
    np.testing.assert_allclose(played[at : at + FADE_FRAMES], tail, atol=1e-7)
    assert not played[at + FADE_FRAMES : at + 500].any()
    back = played[at + 500 :]
    fade_in = timeline.read(at, FADE_FRAMES) * ramp_down()[::-1, None]
    np.testing.assert_allclose(back[:FADE_FRAMES], fade_in, atol=1e-7)
    np.testing.assert_array_equal(
        back[FADE_FRAMES:], timeline.read(at + FADE_FRAMES, 1000 - FADE_FRAMES)
    )


def test_after_a_cut_a_pause_is_silent_and_the_sound_comes_back_from_silence() -> None:
    # An output that drops what it queued (``cut``) has silenced the sound already: no
    # fade-out of it follows, and what plays on fades in.
    timeline = stepped_timeline(RATE)
    transport = Transport(timeline)
    at = round(0.2 * RATE)  # in the middle of the first burst
    assert transport.pull(at) is not None
    transport.cut()
    transport.pause(ack=None)
    paused = transport.pull(500)
    assert paused is not None and not paused.any()
    transport.resume(ack=None)
    back = transport.pull(1000)
    assert back is not None
    fade_in = timeline.read(at, FADE_FRAMES) * ramp_down()[::-1, None]
    np.testing.assert_allclose(back[:FADE_FRAMES], fade_in, atol=1e-7)


def test_after_a_cut_the_same_course_fades_back_in_and_so_does_an_ack() -> None:
    timeline = stepped_timeline(RATE)
    transport = Transport(timeline)
    at = round(0.2 * RATE)
    transport.pull(at)
    transport.acknowledge("next")
    transport.pull(40)  # the ack has begun
    transport.cut()
    back = transport.pull(FADE_FRAMES)
    assert back is not None
    ack = ack_sound("next", RATE)[40 : 40 + FADE_FRAMES]
    ramp = ramp_down()[::-1]
    expected = (timeline.read(at + 40, FADE_FRAMES)[:, 0] + ack) * ramp
    np.testing.assert_allclose(back[:, 0], np.clip(expected, -1, 1), atol=1e-6)


def test_a_jump_after_a_cut_plays_none_of_the_old_sound() -> None:
    timeline = stepped_timeline(RATE)
    transport = Transport(timeline)
    at = round(0.2 * RATE)
    target = timeline.frame_at(timeline.script.steps[2].start)
    transport.pull(at)
    transport.cut()
    transport.seek(target, ack=None)
    played = transport.pull(3000)
    assert played is not None
    np.testing.assert_array_equal(played, timeline.read(target, 3000))


def test_seek_plays_the_ack_over_a_short_silence_then_the_new_place() -> None:
    timeline = stepped_timeline(RATE)
    transport, fake = started(timeline, block=128)
    at = round(0.45 * RATE)
    target = timeline.frame_at(timeline.script.steps[2].start)
    fake.advance(at)
    fake.interrupt(lambda: transport.seek(target, "next"))
    lead = len(ack_sound("next", RATE)) + round(JUMP_GAP * RATE)
    fake.advance(lead + 3000)
    played = fake.frames[at:]
    np.testing.assert_array_equal(played[:lead], with_ack(np.zeros((lead, 1)), "next"))
    np.testing.assert_array_equal(played[lead:], timeline.read(target, 3000))
    assert transport.position_at(fake.heard()) == target + 3000


@settings(max_examples=60)
@given(
    lookahead=st.integers(1, 4000),
    block=st.integers(16, 512),
    moves=st.lists(
        st.tuples(st.integers(1, 3000), st.sampled_from(["pause", "resume", "seek", "ack"])),
        max_size=6,
    ),
    target=st.integers(0, 20_000),
)
def test_undo_makes_pulling_ahead_invisible(
    lookahead: int, block: int, moves: list[tuple[int, str]], target: int
) -> None:
    """A backend that pulls far ahead and gives back what it did not play on each change
    plays exactly what a backend that never pulls ahead does."""
    timeline = stepped_timeline(RATE)
    played = []
    for ahead in (0, lookahead):
        transport, fake = started(timeline, block=block, lookahead=ahead)
        for frames, move in moves:
            fake.advance(frames)
            change = {
                "pause": transport.pause,
                "resume": transport.resume,
                "seek": lambda t=transport: t.seek(target, "back"),
                "ack": lambda t=transport: t.acknowledge("repeat"),
            }[move]
            fake.interrupt(change)
        fake.advance(2000)
        played.append(fake.frames)
    np.testing.assert_array_equal(played[0], played[1])


def test_remaining_and_position_follow_the_state() -> None:
    timeline = stepped_timeline(RATE)
    transport, fake = started(timeline, block=100)
    assert transport.remaining() == timeline.frames
    fake.advance(1000)
    assert transport.position_at(fake.heard()) == 1000
    assert transport.position_at(500) == 500
    fake.interrupt(transport.pause)
    assert transport.remaining() is None
    fake.advance(5000)
    assert transport.position_at(fake.heard()) == 1000


def test_start_inside_the_timeline_plays_from_there() -> None:
    timeline = stepped_timeline(RATE)
    start = timeline.frame_at(timeline.script.steps[1].start)
    transport = Transport(timeline, start)
    fake = FakeOutput()
    fake.start(transport)
    fake.advance(timeline.frames)
    rest = timeline.frames - start
    np.testing.assert_array_equal(fake.frames[:rest], timeline.read(start, rest))
    assert fake.finished and not fake.frames[rest:].any()
