"""What "where am I?" says, on a real routine's Script: the step and side, what to be
doing, the time left in a hold or the breaths remaining, and what comes next."""

from __future__ import annotations

import pytest

from voiceguide.player.commands import Command
from voiceguide.player.whereami import (
    answer_parts,
    control_answers,
    control_words,
    every_answer,
    step_parts,
    where_am_i,
)
from voiceguide.routine.library import find_routine
from voiceguide.script import phrasing
from voiceguide.script.compiler import compile_script
from voiceguide.script.records import CompileOptions, Script


@pytest.fixture(scope="module")
def script() -> Script:
    return compile_script(find_routine("floor-option1"), CompileOptions(), lambda t: 0.06 * len(t))


def test_titles_are_said_as_words() -> None:
    assert phrasing.spoken_title("Side-lying twist on the floor (right)") == (
        "Side-lying twist on the floor, right side"
    )
    assert phrasing.spoken_title("Find a firm, flat spot on the floor, on…") == (
        "Find a firm, flat spot on the floor, on"
    )


def test_in_a_hold_it_says_the_step_what_to_do_the_time_left_and_what_is_next(
    script: Script,
) -> None:
    hold = next(p for p in script.phases if p.kind == "hold")
    step = script.steps[hold.step]
    answer = where_am_i(script, hold.start + 0.5)
    last_step = len(script.steps) - 1
    title = phrasing.spoken_title(step.title)
    assert answer.startswith(f"Step {hold.step} of {last_step}: {title}.")
    doing = [c for c in script.cues if c.step == hold.step and c.kind == "say"]
    doing = [c for c in doing if c.start <= hold.start + 0.5]
    assert f"Now: {doing[-1].text.rstrip('.')}." in answer
    left = round(hold.end - hold.start - 0.5 + 0.49)
    assert f"{left} seconds left in this hold." in answer
    assert answer.endswith(f"Next: {phrasing.spoken_title(script.steps[hold.step + 1].title)}.")


def test_in_a_breath_it_says_how_many_breaths_remain(script: Script) -> None:
    inhales = [p for p in script.phases if p.kind == "inhale"]
    first = inhales[0]
    same_step = [p for p in inhales if p.step == first.step]
    answer = where_am_i(script, first.start + 0.1)
    if len(same_step) == 1:
        assert "This is the last breath." in answer
    else:
        assert f"This breath, then {len(same_step) - 1} more." in answer


def test_in_the_last_step_it_says_that_is_all(script: Script) -> None:
    answer = where_am_i(script, script.duration - 0.1)
    assert answer.endswith("Then you are done.")


def test_the_words_for_each_control() -> None:
    assert control_words(Command.PAUSE) == "Paused."
    assert control_words(Command.NEXT, "Twist (left)") == "Skipping to: Twist, left side."
    assert control_words(Command.BACK, "Twist (left)") == "Back to: Twist, left side."
    assert control_words(Command.NEXT, None) == "Skipping to the end."


@pytest.mark.parametrize("routine", ["floor-option1", "rocking-stretch", "chair-lean-back"])
def test_every_answer_is_made_of_sentences_known_ahead_for_its_step(routine: str) -> None:
    script = compile_script(find_routine(routine), CompileOptions(), lambda t: 0.06 * len(t))
    for step in script.steps:
        known = set(step_parts(script, step.index))
        t = step.start
        while t < step.end:
            parts = answer_parts(script, t)
            assert set(parts) <= known, (step.title, t)
            assert where_am_i(script, t) == " ".join(parts)
            t += 0.25


@pytest.mark.parametrize("routine", ["floor-option1", "gentle-floor-session"])
def test_every_answer_lists_all_the_player_may_say_while_the_routine_plays(routine: str) -> None:
    script = compile_script(find_routine(routine), CompileOptions(), lambda t: 0.06 * len(t))
    listed = every_answer(script)
    assert len(listed) == len(set(listed))
    known = set(listed)
    # Before the first step, in each step, and after the last: what "where am I?" says.
    t = -1.0
    while t < script.duration + 1:
        assert set(answer_parts(script, t)) <= known, t
        t += 0.25
    # What the player makes ahead as each step starts (this step's sentences and the next's).
    for index in range(-1, len(script.steps)):
        assert set(step_parts(script, index) + step_parts(script, index + 1)) <= known
    # Every control's answer, wherever a jump lands.
    assert set(control_answers(script)) <= known
    for command in (Command.PAUSE, Command.PLAY, Command.REPEAT, Command.QUIT):
        assert control_words(command) in known
    for step in script.steps:
        assert control_words(Command.NEXT, step.title) in known
        assert control_words(Command.BACK, step.title) in known
    assert {control_words(Command.NEXT, None), phrasing.NOTHING_TO_REPEAT} <= known
