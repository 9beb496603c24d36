"""How is your back, 0 to 10?: the digits made into a number, and the player asking at
the first step's start, with the fake output and scripted keys: a digit answers, "where am
I?" is answered and the question asked again, any other control ends it unanswered."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import numpy as np
import pytest

from tests.player.test_player import BLOCK, RATE, ScriptedKeys, buzz, step_start
from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.audio.samples import Samples
from voiceguide.audio.tones import chime
from voiceguide.player.commands import Controls
from voiceguide.player.keys import Key
from voiceguide.player.player import SENTENCE_GAP, Player
from voiceguide.player.rating import TEN_WAIT, TONE_SECONDS, Digits, Moment, rating_sound
from voiceguide.player.state import PlayResult
from voiceguide.player.transport import JUMP_GAP
from voiceguide.player.whereami import answer_parts
from voiceguide.render.assembly import place
from voiceguide.render.timeline import Playable, Timeline
from voiceguide.routine.library import find_routine
from voiceguide.script import phrasing
from voiceguide.script.compiler import compile_script, spoken_texts
from voiceguide.script.records import CompileOptions


def test_digits_make_numbers_from_0_to_10() -> None:
    digits = Digits()
    assert [digits.push(n, 0.0) for n in (0, 2, 9)] == [0, 2, 9]
    assert digits.push(1, 0.0) is None  # perhaps the start of ten
    assert digits.push(0, 0.5) == 10
    assert digits.push(1, 1.0) is None
    assert digits.due(1.0 + TEN_WAIT / 2) is None
    assert digits.due(1.0 + TEN_WAIT) == 1
    assert digits.push(1, 5.0) is None
    assert digits.due(5.1, closing=True) == 1  # the window closes: a 1 is a 1
    assert digits.push(1, 6.0) is None
    assert digits.push(4, 6.2) == 4  # another digit: the 1 is dropped, not added


def say(text: str) -> Samples:
    return (buzz(text) * 0.5).astype(np.float32)


def found(heard: np.ndarray, sound: Samples) -> int | None:
    """Where ``sound`` is heard exactly, if it is (the first place)."""
    return next(
        (
            int(i)
            for i in np.flatnonzero(heard == sound[0])
            if np.array_equal(heard[i : i + len(sound)], sound)
        ),
        None,
    )


def goes_on_from_the_first_step(heard: np.ndarray, after: int) -> None:
    """From output frame ``after`` to the end: the routine from its first step, exactly,
    and nothing after it (no tone of the question left over)."""
    timeline = stepped_timeline(RATE, steps=4)
    first = step_start(timeline, 1)
    rest = timeline.read(first, timeline.frames - first)[:, 0]
    np.testing.assert_array_equal(heard[after : after + len(rest)], rest)
    assert not heard[after + len(rest) :].any()  # the output's last block, filled up


def rated(presses: list[tuple[float, Key]]) -> tuple[FakeOutput, PlayResult]:
    """Play a made-up routine, asking before its first step; each press is made that many
    seconds after the question starts. What was played, and the result."""
    timeline = stepped_timeline(RATE, steps=4)
    question = step_start(timeline, 1)
    keys = [((question + round(s * RATE)) // BLOCK * BLOCK, key) for s, key in presses]
    fake = FakeOutput(block=BLOCK)
    player = Player(timeline, fake, say=say, rating=("before",))
    result = player.run(Controls(ScriptedKeys(fake, keys)))
    return fake, result


def test_a_digit_in_the_window_is_the_rating_and_playing_goes_on() -> None:
    asked = len(say(phrasing.RATING_QUESTION)) / RATE
    fake, result = rated([(asked + 1.0, Key.DIGIT_3)])
    assert result.ratings == (("before", 3),)
    assert result.outcome == "completed"
    heard = fake.frames[:, 0]
    noted = say(phrasing.rating_noted(3))
    at = found(heard, noted)
    assert at is not None
    # The rest of the window and its closing tone are not heard over the routine.
    goes_on_from_the_first_step(heard, at + len(noted) + round(JUMP_GAP * RATE))


def test_one_then_zero_is_ten() -> None:
    asked = len(say(phrasing.RATING_QUESTION)) / RATE
    _, result = rated([(asked + 1.0, Key.DIGIT_1), (asked + 1.3, Key.DIGIT_0)])
    assert result.ratings == (("before", 10),)


def test_no_answer_records_nothing_and_the_routine_goes_on_after_the_window() -> None:
    fake, result = rated([])
    assert result.ratings == ()
    assert result.outcome == "completed"
    # The question and the whole window, then the first step from its very start.
    words = say(phrasing.RATING_QUESTION)
    sound = rating_sound(words, RATE, 1.0).sound
    begins = found(fake.frames[:, 0], words)
    assert begins is not None
    goes_on_from_the_first_step(fake.frames[:, 0], begins + len(sound) + round(JUMP_GAP * RATE))


def test_a_digit_with_no_rating_asked_is_a_buzz_and_nothing_more() -> None:
    timeline = stepped_timeline(RATE)
    fake = FakeOutput(block=BLOCK)
    result = Player(timeline, fake, say=say).run(
        Controls(ScriptedKeys(fake, [(BLOCK * 5, Key.DIGIT_5)]))
    )
    assert result.ratings == ()


def test_each_rating_is_handed_on_as_it_is_given_and_its_advice_said() -> None:
    timeline = stepped_timeline(RATE, steps=4)
    question = step_start(timeline, 1)
    asked = len(say(phrasing.RATING_QUESTION))
    keys = [((question + asked + RATE) // BLOCK * BLOCK, Key.DIGIT_9)]
    fake = FakeOutput(block=BLOCK)
    given: list[tuple[Moment, int]] = []
    advice = "Stop for today."

    def rated(moment: Moment, value: int) -> str | None:
        given.append((moment, value))
        return advice

    player = Player(timeline, fake, say=say, rating=("before",), rated=rated)
    player.run(Controls(ScriptedKeys(fake, keys)))
    assert given == [("before", 9)]
    assert found(fake.frames[:, 0], say(advice)) is not None


def test_where_am_i_in_the_window_is_answered_alone_and_the_question_asked_again() -> None:
    asked = len(say(phrasing.RATING_QUESTION)) / RATE
    later = asked + 1.0 + 6.0  # in the second window (the answer is about 5 s)
    fake, result = rated([(asked + 1.0, Key.WHERE), (later, Key.DIGIT_4)])
    assert result.ratings == (("before", 4),)
    heard = fake.frames[:, 0]
    timeline = stepped_timeline(RATE, steps=4)
    parts = answer_parts(timeline.script, step_start(timeline, 1) / RATE, timeline.outline)
    gap = np.zeros(round(SENTENCE_GAP * RATE), dtype=np.float32)
    answer = np.concatenate([say(parts[0]), *(x for p in parts[1:] for x in (gap, say(p)))])
    question = say(phrasing.RATING_QUESTION)
    first = found(heard, question)
    at = found(heard, answer)
    assert first is not None and at is not None
    # Nothing under the answer; then, after a breath, the question again.
    assert at == (step_start(timeline, 1) + round((asked + 1.0) * RATE)) // BLOCK * BLOCK
    again = at + len(answer) + len(gap)
    np.testing.assert_array_equal(heard[again : again + len(question)], question)
    assert later * RATE < again - first + len(question) + 8.0 * RATE  # answered in time
    noted = say(phrasing.rating_noted(4))
    answered = found(heard, noted)
    assert answered is not None
    goes_on_from_the_first_step(heard, answered + len(noted) + round(JUMP_GAP * RATE))


@pytest.mark.parametrize("key", [Key.PAUSE, Key.NEXT])
def test_another_control_in_the_window_ends_the_question_unanswered(key: Key) -> None:
    asked = len(say(phrasing.RATING_QUESTION)) / RATE
    presses = [(asked + 1.0, key), (asked + 2.0, Key.PAUSE), (asked + 3.0, Key.DIGIT_5)]
    pressed = presses if key is Key.PAUSE else presses[:1] + presses[2:]
    fake, result = rated(pressed)
    assert result.ratings == ()
    assert result.outcome == "completed"
    # The window is not heard closing: it ended with the control.
    closing = chime("window-close", round(TONE_SECONDS * RATE), RATE)
    assert found(fake.frames[:, 0], closing[100:]) is None
    # One change of course a control (the question's, each press's, the digit's buzz):
    # the question is hushed within the control's own.
    assert fake.interrupts == len(pressed) + 1


class Growing:
    """``timeline`` with its script known one step at a time, as a render makes it."""

    def __init__(self, timeline: Timeline, known: int) -> None:
        self._timeline = timeline
        self.script = dataclasses.replace(timeline.script, steps=timeline.script.steps[:known])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._timeline, name)


def test_steps_added_by_the_render_between_two_looks_are_taken_in_before_the_rating() -> None:
    # Playing while the voice was still being prepared once ended with an IndexError (seen
    # after an early s): the rating read the script as it had grown, with the step starts
    # of the script as it was.
    whole = stepped_timeline(RATE, steps=4)
    growing = Growing(whole, known=1)
    player = Player(cast(Playable, growing), FakeOutput(block=BLOCK), say=say, rating=("before",))
    growing.script = whole.script  # the render goes on; the player has not looked yet
    assert player._rating_frame("before") == step_start(whole, 1)


class Watching:
    """No keys: at every look, what the player says it is asking, with the frame heard."""

    def __init__(self, fake: FakeOutput) -> None:
        self.fake = fake
        self.player: Player | None = None
        self.seen: list[tuple[int, str | None]] = []
        self.closed = False

    def read(self, timeout: float) -> Key | None:
        assert self.player is not None
        self.seen.append((self.fake.heard(), self.player.expecting()))
        return None


def asked_over_time(seen: list[tuple[int, str | None]]) -> list[str | None]:
    """What was asked, each change once."""
    return [asked for i, (_, asked) in enumerate(seen) if i == 0 or seen[i - 1][1] != asked]


def test_the_player_says_it_expects_a_rating_only_while_the_window_is_open() -> None:
    timeline = stepped_timeline(RATE, steps=4)
    fake = FakeOutput(block=BLOCK)
    watching = Watching(fake)
    player = Player(timeline, fake, say=say, rating=("before",))
    watching.player = player
    player.run(Controls(watching))
    assert asked_over_time(watching.seen) == [None, "rating", None]
    opened = next(frame for frame, asked in watching.seen if asked == "rating")
    assert opened >= round(TONE_SECONDS * RATE)  # not before its tone has been heard


def test_the_player_says_it_expects_an_answer_while_a_question_waits_for_one() -> None:
    routine = find_routine("floor-option1")
    options = CompileOptions()
    clips = {text: buzz(text) for text in spoken_texts(routine, options)}
    script = compile_script(routine, options, lambda text: len(clips[text]) / RATE)
    timeline = place(script, clips, RATE)
    start = script.questions()[0].round_step - 1
    fake = FakeOutput(block=BLOCK)
    watching = Watching(fake)
    player = Player(timeline, fake, start, say=say)
    watching.player = player
    player.run(Controls(watching))
    # From the question's step (where it is asked) until the way is decided; then not.
    question = script.questions()[0]
    asking = [frame for frame, asked in watching.seen if asked == "question"]
    offset = timeline.frame_at(script.steps[start].start)  # the output counts from there
    assert asked_over_time(watching.seen)[:2] == ["question", None]
    assert asking[0] == 0
    decided = timeline.frame_at(question.decided) - offset
    assert max(f for f in asking if f < decided + RATE) < decided
    assert "rating" not in asked_over_time(watching.seen)
