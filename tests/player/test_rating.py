"""How is your back, 0 to 10?: the digits made into a number, and the player asking at
the first step's start, with the fake output and scripted keys."""

from __future__ import annotations

import numpy as np

from tests.player.test_player import BLOCK, RATE, ScriptedKeys, buzz, step_start
from tests.support.fake_output import FakeOutput
from tests.support.fake_timelines import stepped_timeline
from voiceguide.audio.samples import Samples
from voiceguide.player.commands import Controls
from voiceguide.player.keys import Key
from voiceguide.player.player import Player
from voiceguide.player.rating import TEN_WAIT, Digits, Moment, rating_sound
from voiceguide.player.state import PlayResult
from voiceguide.player.transport import JUMP_GAP
from voiceguide.script import phrasing


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
    assert any(
        np.array_equal(heard[i : i + len(noted)], noted) for i in np.flatnonzero(heard == noted[0])
    )


def test_one_then_zero_is_ten() -> None:
    asked = len(say(phrasing.RATING_QUESTION)) / RATE
    _, result = rated([(asked + 1.0, Key.DIGIT_1), (asked + 1.3, Key.DIGIT_0)])
    assert result.ratings == (("before", 10),)


def test_no_answer_records_nothing_and_the_routine_goes_on_after_the_window() -> None:
    fake, result = rated([])
    assert result.ratings == ()
    assert result.outcome == "completed"
    # The question and the whole window, then the first step from its very start.
    timeline = stepped_timeline(RATE, steps=4)
    words = say(phrasing.RATING_QUESTION)
    sound = rating_sound(words, RATE, 1.0).sound
    heard = fake.frames[:, 0]
    begins = next(
        i
        for i in np.flatnonzero(heard == words[0])
        if np.array_equal(heard[i : i + 50], words[:50])
    )
    after = begins + len(sound) + round(JUMP_GAP * RATE)
    first = step_start(timeline, 1)
    np.testing.assert_array_equal(heard[after : after + RATE], timeline.read(first, RATE)[:, 0])


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
    heard = fake.frames[:, 0]
    spoken = say(advice)
    assert any(
        np.array_equal(heard[i : i + len(spoken)], spoken)
        for i in np.flatnonzero(heard == spoken[0])
    )
