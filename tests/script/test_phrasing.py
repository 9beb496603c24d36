"""Spoken wording: numbers as words, round and side phrases, step labels."""

from __future__ import annotations

import pytest

from voiceguide.script import phrasing


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (21, "twenty-one"),
        (99, "ninety-nine"),
        (100, "one hundred"),
        (105, "one hundred and five"),
        (342, "three hundred and forty-two"),
        (1000, "one thousand"),
        (1005, "one thousand and five"),
        (1799, "one thousand seven hundred and ninety-nine"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert phrasing.number_words(n) == words


def test_number_words_refuses_what_it_cannot_say() -> None:
    with pytest.raises(ValueError):
        phrasing.number_words(10000)


@pytest.mark.parametrize(
    ("times", "phrases"),
    [
        (1, [None]),
        (2, [None, "Last one."]),
        (4, [None, "Three more.", "Two more.", "Last one."]),
        (6, [None, "Again.", "Again.", "Three more.", "Two more.", "Last one."]),
    ],
)
def test_round_phrases(times: int, phrases: list[str | None]) -> None:
    assert [phrasing.round_phrase(n, times) for n in range(1, times + 1)] == phrases


def test_other_side_is_the_other_of_two_or_the_next() -> None:
    assert phrasing.other_side(("right", "left"), 0) == "left"
    assert phrasing.other_side(("right", "left"), 1) == "right"
    assert phrasing.other_side(("left",), 0) == "right"
    assert phrasing.other_side(("front", "middle", "back"), 2) == "front"


def test_fill_sides_leaves_text_alone_outside_a_sides_block() -> None:
    assert phrasing.fill_sides("{side} and {other}", "left", "right") == "left and right"
    assert phrasing.fill_sides("{side}", None, None) == "{side}"


def test_step_label_takes_the_first_sentence() -> None:
    assert phrasing.step_label("Lie down. Then relax.") == "Lie down"
    assert phrasing.step_label("Rest for a moment? Yes.") == "Rest for a moment"


def test_contraindications_line_lists_every_condition_and_says_at_all() -> None:
    line = phrasing.contraindications_line(["a", "b", "c"])
    assert line == "Do not do this routine at all if you have a, b or c."
    assert phrasing.contraindications_line(["a"]) == "Do not do this routine at all if you have a."
    assert phrasing.contraindications_line(["a"], session=True) == (
        "Do not do this session at all if you have a."
    )


def test_equipment_line_names_each_thing_with_its_article() -> None:
    assert phrasing.equipment_line(["yoga mat"]) == "You need a yoga mat. Get it ready now."
    assert phrasing.equipment_line(["foam roller", "exercise ball", "towel"]) == (
        "You need a foam roller, an exercise ball and a towel. Get them ready now."
    )


def test_equipment_line_says_what_to_do_with_each_kind_of_thing() -> None:
    assert phrasing.equipment_line(["bed"]) == "Go to your bed."
    assert phrasing.equipment_line(["wall or sturdy chair to steady yourself"]) == (
        "Stand within reach of a wall or sturdy chair, to steady yourself."
    )
    assert phrasing.equipment_line(["pillow", "bed"]) == (
        "You need a pillow. Get it ready now. Go to your bed."
    )
    # A thing whose name only contains a place is still a thing to fetch.
    assert phrasing.equipment_line(["bedsheet"]) == "You need a bedsheet. Get it ready now."


def test_the_therapist_line_is_the_experts_whole_answer_in_one_sentence() -> None:
    line = phrasing.CHECK_WITH_A_THERAPIST
    assert line.count(".") == 1 and line.endswith(".")
    for part in ("on your own", "without knowing how", "may not help", "may harm", "check"):
        assert part in line


def test_a_question_says_how_to_answer_and_that_silence_goes_on() -> None:
    line = phrasing.question_line("Felt nothing, and would like one more? ")
    assert line == (
        "Felt nothing, and would like one more? Then say again, or press A. Otherwise, we go on."
    )


def test_right_side_first_only_the_first_time() -> None:
    assert phrasing.side_phrase(0, "right") == "Right side first."
    assert phrasing.side_phrase(0, "right", first_time=False) == "Right side."
    assert phrasing.side_phrase(1, "left") == "Now the left side."
