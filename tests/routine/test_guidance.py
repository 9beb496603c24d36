from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide.paths import builtin_routines_dir
from voiceguide.routine.guidance import CAUTION_SPACING, TONES_PER_MINUTE, check
from voiceguide.routine.library import load_routine

CRACK = "title: Test\nkind: crack\nsteps:\n"
STRETCH = "title: Test\nkind: stretch\nsteps:\n"


def findings(folder: Path, text: str, name: str = "mine.yaml") -> list[str]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return [f"{w.path.name}:{w.line}: {w.message}" for w in check(load_routine(path))]


@pytest.mark.parametrize("path", sorted(builtin_routines_dir().glob("*.yaml")), ids=str)
def test_every_builtin_routine_has_no_guidance_warning(path: Path) -> None:
    assert check(load_routine(path)) == ()


def test_a_doubled_breath_prompt_is_named_at_its_line(tmp_path: Path) -> None:
    text = (
        STRETCH
        + "  - say: Lie still.\n  - say: Breathe in, then relax.\n    breathe: {in: 4, out: 6}\n"
    )
    [found] = findings(tmp_path, text)
    assert found.startswith("mine.yaml:5: the words before this breathing say 'breathe in'")


def test_a_crack_routine_must_mark_its_attempt(tmp_path: Path) -> None:
    [found] = findings(tmp_path, CRACK + "  - say: Lean back over the chair.\n    pause: 5\n")
    assert found.startswith("mine.yaml:4: no step of this crack routine is marked 'attempt: true'")
    marked = CRACK + "  - say: Lean back over the chair.\n    pause: 5\n    attempt: true\n"
    assert findings(tmp_path, marked) == []


def test_a_repeated_attempt_must_be_asked_for(tmp_path: Path) -> None:
    attempt = "      - say: Lean back.\n        pause: 5\n        attempt: true\n"
    first = "  - say: Lean back.\n    pause: 5\n    attempt: true\n"
    [found] = findings(tmp_path, CRACK + first + "  - repeat: 3\n    steps:\n" + attempt)
    assert found.startswith("mine.yaml:7: this repeat asks for the attempt at a crack 3 times")
    up = "  - say: Sit up slowly.\n    pause: 8\n"
    asked = CRACK + first + up + "  - question: Felt nothing, and would like one more?\n"
    assert (
        findings(
            tmp_path,
            asked
            + "    steps:\n"
            + attempt
            + up.replace("  -", "      -", 1).replace("    pause", "        pause"),
        )
        == []
    )


def test_a_question_is_asked_out_of_the_position(tmp_path: Path) -> None:
    """Right after an attempt or a hold, the body is still in the position."""
    attempt = "  - say: Lean back.\n    pause: 5\n    attempt: true\n"
    round_ = "    steps:\n      - say: Sit up slowly.\n        pause: 8\n"
    question = "  - question: Felt nothing, and would like one more?\n" + round_
    [found] = findings(tmp_path, CRACK + attempt + question)
    assert found.startswith("mine.yaml:7: this question follows a hold or an attempt")
    held = CRACK + attempt + "  - say: Rest in the twist.\n    hold: 8\n" + question
    assert findings(tmp_path, held)[0].startswith("mine.yaml:9: this question follows a hold")
    out = CRACK + attempt + "  - say: Sit up slowly.\n    pause: 8\n" + question
    assert findings(tmp_path, out) == []


def test_an_attempt_over_several_breaths_is_several_attempts(tmp_path: Path) -> None:
    text = CRACK + (
        "  - say: On each breath out, sink back.\n"
        "    breathe: {in: 4, out: 8, cycles: 3}\n"
        "    attempt: true\n"
    )
    [found] = findings(tmp_path, text)
    assert found.startswith("mine.yaml:4: this attempt at a crack runs over 3 breaths")


def test_a_roller_routine_needs_the_head_and_intensity_cautions(tmp_path: Path) -> None:
    text = "title: Test\nkind: stretch\nequipment: [foam roller]\nsteps:\n  - say: Roll.\n"
    found = findings(tmp_path, text)
    assert [f[:59] for f in found] == [
        "mine.yaml:5: this routine uses a foam roller but no caution",
        "mine.yaml:5: this routine uses a foam roller but no caution",
    ]
    assert "head" in found[0] and "intense" in found[1]
    careful = text + (
        "  - caution: The roller is more intense than the other ways.\n"
        "  - say: Lie back on it.\n    pause: 10\n"
        "  - caution: Keep your head off the floor.\n"
    )
    assert findings(tmp_path, careful) == []


def test_a_session_inherits_the_roller_cautions_of_what_it_includes(tmp_path: Path) -> None:
    findings(
        tmp_path,
        "title: Roll\nkind: stretch\nequipment: [foam roller]\n"
        "cautions: [It is more intense.]\nsteps:\n  - caution: Keep your head up.\n",
        "roll.yaml",
    )
    session = "title: S\nkind: stretch\nequipment: [foam roller]\nsteps:\n  - routine: roll.yaml\n"
    assert findings(tmp_path, session) == []


def test_a_change_of_position_needs_time(tmp_path: Path) -> None:
    text = (
        STRETCH
        + "  - say: Roll onto your side.\n    pause: 4\n  - say: Bend your knee.\n    pause: 2\n"
    )
    [found] = findings(tmp_path, text)
    assert found == (
        "mine.yaml:4: 'Roll onto your side.' asks for a change of position with 'pause: 4' to "
        "do it; write 'pause: 8' or more (voiceguide never gives a position change less than "
        "8 seconds)"
    )


def test_a_change_of_position_inside_a_hold_breathing_or_rest_is_flagged(tmp_path: Path) -> None:
    text = STRETCH + (
        "  - say: Lie back onto the roller.\n    hold: 20\n"
        "  - say: On the breath out, roll onto your side.\n    breathe: {in: 4, out: 6}\n"
        "  - rest: 5\n    say: Lie down and rest.\n"
    )
    hold, breathing, rest = findings(tmp_path, text)
    assert hold.startswith(
        "mine.yaml:4: 'Lie back onto the roller.' asks for a change of position and then a "
        "hold, whose counts cannot be said while moving"
    )
    assert breathing.startswith(
        "mine.yaml:6: 'On the breath out, roll onto your side.' asks for a change of position "
        "inside a breathing step"
    )
    assert rest == (
        "mine.yaml:8: 'Lie down and rest.' asks for a change of position with 'rest: 5' to do "
        "it; write 'rest: 8' or more (voiceguide never gives a position change less than 8 "
        "seconds)"
    )
    # The same moves as steps of their own, with the time to make them, are fine.
    separate = STRETCH + (
        "  - say: Lie back onto the roller.\n    pause: 8\n"
        "  - say: Stay there.\n    hold: 20\n"
        "  - rest: 8\n    say: Lie down and rest.\n"
        "  - say: On the breath in, sit up tall.\n    breathe: {in: 4, out: 6}\n"
    )
    assert findings(tmp_path, separate) == []


def test_a_release_that_moves_needs_time_before_the_next_words(tmp_path: Path) -> None:
    hold = "  - say: Hang your head.\n    hold: 20\n    then: Slowly sit up.\n"
    [found] = findings(tmp_path, STRETCH + hold + "  - say: Breathe easily.\n    pause: 4\n")
    assert found.startswith(
        "mine.yaml:7: the hold before ends with 'Slowly sit up.', a change of position, but "
        "this step leaves 4 seconds for it"
    )
    assert findings(tmp_path, STRETCH + hold + "  - rest: 8\n") == []
    # In a repeat, the last step is followed by the first of the next round.
    looped = (
        STRETCH
        + "  - repeat: 2\n    steps:\n      - say: Breathe easily.\n        pause: 3\n"
        + "      - say: Hang your head.\n        hold: 20\n        then: Slowly sit up.\n"
    )
    [found] = findings(tmp_path, looped)
    assert found.startswith("mine.yaml:6: the hold before ends with 'Slowly sit up.'")


def test_too_many_tones_a_minute(tmp_path: Path) -> None:
    cautions = "".join(f"  - caution: Careful, number {n}.\n" for n in range(12))
    found = findings(tmp_path, STRETCH + "  - say: Sit.\n" + cautions)
    tones = [f for f in found if "tones in the" in f]
    assert len(tones) == 1
    assert f"a minute, more than {TONES_PER_MINUTE:g}" in tones[0]


def test_a_session_must_not_repeat_an_included_setup_or_stack_its_rest(tmp_path: Path) -> None:
    findings(
        tmp_path,
        STRETCH + "  - say: Lie down on your back on the mat.\n    pause: 8\n"
        "  - say: Hug your knees.\n    pause: 3\n  - rest: 10\n",
        "knees.yaml",
    )
    session = STRETCH + (
        "  - say: Lie down on your back, and settle.\n    pause: 8\n"
        "  - routine: knees.yaml\n"
        "  - rest: 10\n"
    )
    found = findings(tmp_path, session)
    assert [f.split(":")[1] for f in found] == ["6", "7"]
    assert "(knees.yaml:4)" in found[0] and "mark that step 'alone: true'" in found[0]
    assert "ends with a rest (knees.yaml:8)" in found[1]


def test_words_about_the_end_are_left_to_the_closing(tmp_path: Path) -> None:
    [found] = findings(tmp_path, STRETCH + "  - say: That is the end of the session.\n")
    assert found.startswith("mine.yaml:4: 'That is the end of the session.' says the end")


def test_two_cautions_close_together_are_named_with_the_later_ones_line(tmp_path: Path) -> None:
    text = CRACK + (
        "  - say: Sit on the mat.\n    pause: 8\n"
        "  - caution: Keep your head up.\n"
        "  - say: On the next breath out, relax.\n    breathe: {in: 4, out: 6}\n"
        "    attempt: true\n"
    )
    [found] = findings(tmp_path, text)
    # The once-is-enough line comes right before the attempt, just after the caution.
    assert found.startswith(
        "mine.yaml:7: the cautions 'Keep your head up.' and 'One release is all you are after"
    )
    assert f"leave at least {CAUTION_SPACING:g} seconds between two cautions" in found
    earlier = CRACK + (
        "  - caution: Keep your head up.\n"
        "  - say: Sit on the mat.\n    pause: 10\n"
        "  - say: On the next breath out, relax.\n    breathe: {in: 4, out: 6}\n"
        "    attempt: true\n"
    )
    assert findings(tmp_path, earlier) == []


def test_the_opening_and_closing_cautions_may_follow_each_other(tmp_path: Path) -> None:
    """The frame says its safety lines together; only the routine's own part is spaced."""
    text = "title: Test\nkind: crack\ncautions: [Go gently., Breathe easily.]\nsteps:\n"
    text += "  - say: Lean back.\n    pause: 8\n    attempt: true\n"
    assert findings(tmp_path, text) == []
