"""The player with the fake output and scripted keys: exact frames for each control, the
outcome and what the display is told."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.audio.samples import Samples
from voiceguide.errors import PlaybackError
from voiceguide.player.commands import Controls
from voiceguide.player.keys import Key
from voiceguide.player.player import BACK_GRACE, Player
from voiceguide.player.state import Status
from voiceguide.player.transport import JUMP_GAP
from voiceguide.render.assembly import place
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import find_routine
from voiceguide.script import phrasing
from voiceguide.script.compiler import compile_script, spoken_texts
from voiceguide.script.records import CompileOptions

RATE = 8000
BLOCK = 80  # every key in these tests falls on a block boundary


class ScriptedKeys:
    """Presses each key once the output has played up to its frame."""

    def __init__(self, fake: FakeOutput, presses: list[tuple[int, Key]]) -> None:
        self.fake = fake
        self.presses = list(presses)
        self.closed = False

    def read(self, timeout: float) -> Key | None:
        if self.presses and self.fake.heard() >= self.presses[0][0]:
            frame, key = self.presses.pop(0)
            assert self.fake.heard() == frame, "a key must fall on a block boundary"
            return key
        return None


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Status] = []

    def update(self, status: Status) -> None:
        self.seen.append(status)


def lead(ack: Ack) -> int:
    return len(ack_sound(ack, RATE)) + round(JUMP_GAP * RATE)


def mixed(frames: np.ndarray, ack: Ack) -> np.ndarray:
    out = frames.copy()
    sound = ack_sound(ack, RATE)
    n = min(len(out), len(sound))
    out[:n] += sound[:n, None]
    return np.asarray(np.clip(out, -1.0, 1.0), dtype=np.float32)


def step_start(timeline: Timeline, index: int) -> int:
    return timeline.frame_at(timeline.script.steps[index].start)


def play(
    timeline: Timeline, presses: list[tuple[int, Key]], start_step: int = 0
) -> tuple[FakeOutput, Player, object]:
    fake = FakeOutput(block=BLOCK)
    player = Player(timeline, fake, start_step)
    result = player.run(Controls(ScriptedKeys(fake, presses)))
    return fake, player, result


def test_without_keys_it_plays_the_whole_timeline_exactly() -> None:
    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK)
    result = Player(timeline, fake).run()
    np.testing.assert_array_equal(fake.frames[: timeline.frames], timeline.read(0, timeline.frames))
    assert result.outcome == "completed"
    assert result.position == pytest.approx(timeline.duration)
    assert result.steps_skipped == 0
    assert fake.stopped


def test_space_pauses_and_resumes_where_it_stopped() -> None:
    timeline = stepped_timeline(RATE)
    at, pause = 3200, 4000  # in silence, after the first burst
    fake, _, result = play(timeline, [(at, Key.PAUSE), (at + pause, Key.PAUSE)])
    played = fake.frames
    np.testing.assert_array_equal(played[:at], timeline.read(0, at))
    np.testing.assert_array_equal(played[at : at + pause], mixed(np.zeros((pause, 1)), "pause"))
    rest = timeline.frames - at
    np.testing.assert_array_equal(
        played[at + pause : at + pause + rest], mixed(timeline.read(at, rest), "resume")
    )
    assert result.outcome == "completed"  # type: ignore[attr-defined]


def test_next_skips_to_the_next_step_after_its_tone() -> None:
    timeline = stepped_timeline(RATE)
    at = 3200  # inside step 1, in the silence after its instruction
    fake, _, result = play(timeline, [(at, Key.NEXT)])
    target = step_start(timeline, 1)
    after = fake.frames[at:]
    np.testing.assert_array_equal(after[: lead("next")], mixed(np.zeros((lead("next"), 1)), "next"))
    rest = timeline.frames - target
    np.testing.assert_array_equal(
        after[lead("next") : lead("next") + rest], timeline.read(target, rest)
    )
    assert result.steps_skipped == 1  # type: ignore[attr-defined]


def test_next_in_the_last_step_ends_the_routine() -> None:
    timeline = stepped_timeline(RATE)
    at = step_start(timeline, 3) + 800
    fake, _, result = play(timeline, [(at, Key.NEXT)])
    assert result.outcome == "completed"  # type: ignore[attr-defined]
    assert result.steps_skipped == 1  # type: ignore[attr-defined]
    assert len(fake.frames) < at + lead("next") + 2 * BLOCK


def test_back_goes_to_the_start_of_this_step_then_to_the_one_before() -> None:
    timeline = stepped_timeline(RATE, gap=BACK_GRACE + 0.5)
    late = step_start(timeline, 2) + round((BACK_GRACE + 0.1) * RATE)
    assert late < step_start(timeline, 3), "the fake steps must outlast the grace"
    first = late  # well into step 3: back to its start
    second = first + lead("back") + 400  # just after that start: back to step 2
    fake, _, _ = play(timeline, [(first, Key.BACK), (second, Key.BACK)])
    played = fake.frames
    start3, start2 = step_start(timeline, 2), step_start(timeline, 1)
    np.testing.assert_array_equal(
        played[first + lead("back") : second], timeline.read(start3, second - first - lead("back"))
    )
    np.testing.assert_array_equal(
        played[second + lead("back") : second + lead("back") + 2000], timeline.read(start2, 2000)
    )


def test_repeat_goes_back_to_the_last_instruction() -> None:
    timeline = stepped_timeline(RATE)
    at = 4400  # in the silence after instruction 1
    fake, _, _ = play(timeline, [(at, Key.REPEAT)])
    cue = timeline.frame_at(timeline.script.cues[0].start)
    played = fake.frames[at + lead("repeat") :]
    np.testing.assert_array_equal(played[:3000], timeline.read(cue, 3000))


def test_repeat_before_any_instruction_only_answers_with_a_buzz() -> None:
    timeline = stepped_timeline(RATE)
    at = 400  # before the first instruction starts
    fake, _, _ = play(timeline, [(at, Key.REPEAT)])
    played = fake.frames
    expected = timeline.read(at, 2000)
    np.testing.assert_array_equal(played[at : at + 2000], mixed(expected, "nothing"))


def test_quit_fades_out_with_its_tone_and_stops_the_output() -> None:
    timeline = stepped_timeline(RATE)
    at = 3200
    fake, _, result = play(timeline, [(at, Key.QUIT)])
    assert result.outcome == "quit"  # type: ignore[attr-defined]
    assert result.position == pytest.approx(at / RATE)  # type: ignore[attr-defined]
    tone = len(ack_sound("quit", RATE))
    np.testing.assert_array_equal(fake.frames[at : at + tone], mixed(np.zeros((tone, 1)), "quit"))
    assert fake.stopped


def test_stop_key_silences_at_once_without_a_tone() -> None:
    timeline = stepped_timeline(RATE)
    at = 3200
    fake, _, result = play(timeline, [(at, Key.STOP)])
    assert result.outcome == "stopped"  # type: ignore[attr-defined]
    assert result.step == 0  # type: ignore[attr-defined]
    assert len(fake.frames) == at and fake.stopped


def test_from_step_starts_at_that_step() -> None:
    timeline = stepped_timeline(RATE)
    fake, _, result = play(timeline, [], start_step=2)
    start = step_start(timeline, 2)
    rest = timeline.frames - start
    np.testing.assert_array_equal(fake.frames[:rest], timeline.read(start, rest))
    assert result.outcome == "completed"  # type: ignore[attr-defined]


def test_the_display_follows_steps_and_pauses() -> None:
    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK)
    view = Recorder()
    at = step_start(timeline, 1) + 400
    keys = ScriptedKeys(fake, [(at, Key.PAUSE), (at + 1600, Key.PAUSE)])
    Player(timeline, fake).run(Controls(keys), view)
    first = view.seen[0]
    assert (first.title, first.step, first.step_label) == ("Fake routine", 0, "0/3")
    assert (first.step_title, first.next_title) == ("Step 1", "Step 2")
    paused = [s for s in view.seen if s.paused]
    assert paused and all(s.step == 1 and s.position == at / RATE for s in paused)
    assert paused[0].message == "Paused: space to go on"
    last = view.seen[-1]
    assert last.step == 3 and last.next_title is None
    positions = [s.position for s in view.seen]
    assert positions == sorted(positions)


def test_a_device_failure_mid_routine_is_a_playback_error_and_stops_the_output() -> None:
    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK, fail_after=5000)
    with pytest.raises(PlaybackError, match="failed"):
        Player(timeline, fake).run()
    assert fake.stopped


def test_keys_that_go_away_leave_it_playing_to_the_end() -> None:
    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK)
    keys = ScriptedKeys(fake, [])
    keys.closed = True
    result = Player(timeline, fake).run(Controls(keys))
    assert result.outcome == "completed"
    np.testing.assert_array_equal(fake.frames[: timeline.frames], timeline.read(0, timeline.frames))


def test_a_step_left_out_is_skipped_when_playing_reaches_it_and_is_not_counted() -> None:
    from tests.support.fake_timelines import burst
    from tests.support.recording import best_lag

    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK)
    result = Player(timeline, fake, leave_out="Step 2").run()
    heard = fake.frames[:, 0]
    said = {
        i: best_lag(burst(round(0.25 * RATE), seed=i), heard, 0, len(heard))[1] for i in range(4)
    }
    assert said[1] < 0.5  # the second step's instruction is never heard
    assert all(said[i] > 0.99 for i in (0, 2, 3))
    assert result.outcome == "completed" and result.steps_skipped == 0
    # It leaves out only that step: a title no step has leaves everything in.
    whole = FakeOutput(block=BLOCK)
    Player(timeline, whole, leave_out="No such step").run()
    np.testing.assert_array_equal(
        whole.frames[: timeline.frames], timeline.read(0, timeline.frames)
    )


def buzz(text: str) -> Samples:
    """A made-up voice: noise of its own for each text, 5 ms a character."""
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    return rng.uniform(-0.2, 0.2, 40 * len(text)).astype(np.float32)


def at_question(routine_id: str, presses: list[tuple[str, Key]]) -> tuple[FakeOutput, Timeline]:
    """Play ``routine_id`` from its first question with made-up clips; each press is made
    at a moment named "window" (just after the window opens) or "question" (just after
    the question starts)."""
    routine = find_routine(routine_id)
    options = CompileOptions()
    clips = {text: buzz(text) for text in spoken_texts(routine, options)}
    script = compile_script(routine, options, lambda text: len(clips[text]) / RATE)
    timeline = place(script, clips, RATE)
    question = script.questions()[0]
    moments = {
        "window": timeline.frame_at(question.opens) + RATE // 2,
        "question": timeline.frame_at(script.steps[question.round_step - 1].start) + RATE // 2,
    }
    start = question.round_step - 1
    offset = timeline.frame_at(script.steps[start].start)  # the output counts from there
    keys = [(((moments[m] - offset) // BLOCK + 1) * BLOCK, key) for m, key in presses]
    fake = FakeOutput(block=BLOCK)
    player = Player(timeline, fake, start, say=lambda text: (buzz(text) * 0.5).astype(np.float32))
    player.run(Controls(ScriptedKeys(fake, keys)))
    return fake, timeline


def round_heard(fake: FakeOutput, timeline: Timeline, routine_id: str) -> bool:
    """Whether the first instruction of the first question's round was heard."""
    script = timeline.script
    round_step = script.questions()[0].round_step
    first = next(c for c in script.cues if c.step == round_step and c.text != phrasing.ONE_MORE)
    clip = buzz(first.text)
    heard = fake.frames[:, 0]
    return any(
        np.array_equal(heard[i : i + len(clip)], clip) for i in np.flatnonzero(heard == clip[0])
    )


@pytest.mark.parametrize("routine_id", ["chair-lean-back", "foam-roller", "floor-option1"])
def test_silence_at_a_question_goes_on_past_its_round(routine_id: str) -> None:
    fake, timeline = at_question(routine_id, [])
    assert not round_heard(fake, timeline, routine_id)
    going_on = buzz(phrasing.GOING_ON) * 0.5
    heard = fake.frames[:, 0]
    assert any(
        np.array_equal(heard[i : i + len(going_on)], going_on)
        for i in np.flatnonzero(heard == going_on[0])
    )


@pytest.mark.parametrize("routine_id", ["chair-lean-back", "foam-roller", "floor-option1"])
def test_a_at_a_question_takes_its_round(routine_id: str) -> None:
    fake, timeline = at_question(routine_id, [("window", Key.AGAIN)])
    assert round_heard(fake, timeline, routine_id)


def test_next_during_a_question_goes_past_its_round_too() -> None:
    fake, timeline = at_question("foam-roller", [("question", Key.NEXT)])
    assert not round_heard(fake, timeline, "foam-roller")


def test_a_with_no_question_asked_changes_nothing_but_a_buzz() -> None:
    timeline = stepped_timeline(RATE)
    at = 400
    fake, _, _ = play(timeline, [(at, Key.AGAIN)])
    expected = timeline.read(at, 2000)
    np.testing.assert_array_equal(fake.frames[at : at + 2000], mixed(expected, "nothing"))
    np.testing.assert_array_equal(
        fake.frames[at + 2000 : timeline.frames],
        timeline.read(at + 2000, timeline.frames - at - 2000),
    )
