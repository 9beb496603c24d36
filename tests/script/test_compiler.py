"""The compiler's timing rules, one at a time, on small routines built in code."""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from voiceguide.errors import CompileError
from voiceguide.paths import builtin_routines_dir
from voiceguide.routine.library import all_routines, load_routine
from voiceguide.routine.movement import FETCH_SECONDS, MOVE_SECONDS, is_position_change
from voiceguide.routine.records import (
    Breathe,
    Caution,
    CountStyle,
    Include,
    Kind,
    Question,
    Repeat,
    Rest,
    Routine,
    Say,
    Sides,
    Step,
    walk,
    with_included,
)
from voiceguide.script import phrasing
from voiceguide.script.compiler import (
    COUNT_GAP,
    GAP,
    TONE_GAP,
    TONE_SECONDS,
    compile_script,
    spoken_texts,
)
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import CompileOptions, Cue, Phase, Script
from voiceguide.text import clock_tenths


def per_char(text: str) -> float:
    """A fake voice: 0.05 s a character, so a one-word count lasts well under a second."""
    return 0.05 * len(text)


def routine(
    *steps: Step,
    kind: Kind = "stretch",
    title: str = "Test routine",
    routine_id: str = "test",
    contraindications: tuple[str, ...] = (),
    cautions: tuple[str, ...] = (),
) -> Routine:
    return Routine(
        id=routine_id,
        title=title,
        kind=kind,
        steps=steps,
        path=Path(f"{routine_id}.yaml"),
        contraindications=contraindications,
        cautions=cautions,
    )


def compiled(*steps: Step, pace: float = 1.0, duration_of=per_char, **kwargs) -> Script:  # type: ignore[no-untyped-def]
    return compile_script(routine(*steps, **kwargs), CompileOptions(pace=pace), duration_of)


def cue(script: Script, text: str) -> Cue:
    return next(c for c in script.cues if c.text == text)


def texts(script: Script, kind: str | None = None) -> list[str]:
    return [c.text for c in script.cues if kind is None or c.kind == kind]


def after(script: Script, first: Cue) -> list[Cue]:
    return [c for c in script.cues if c.start > first.start]


# -- the opening and the closing --------------------------------------------------------


def test_opens_with_the_title_then_every_caution_each_after_a_tone() -> None:
    script = compiled(
        Say("Lie down.", 1),
        title="Knees to chest",
        contraindications=("disc problems", "osteopenia"),
        cautions=("Go gently.",),
    )
    first = script.cues[0]
    assert (first.start, first.kind, first.text) == (0.0, "say", "Knees to chest.")
    opening = [c for c in script.cues if c.step == 0]
    assert [(c.kind, c.text) for c in opening] == [
        ("say", "Knees to chest."),
        ("tone", "caution"),
        (
            "caution",
            "Do not do this routine at all if you have disc problems or osteopenia.",
        ),
        ("tone", "caution"),
        ("caution", "Go gently."),
        ("tone", "caution"),
        ("caution", phrasing.STOP_IF_IT_HURTS),
    ]
    tones = [c for c in opening if c.kind == "tone"]
    assert all(t.tone == "caution" for t in tones)
    assert all(t.end - t.start == pytest.approx(TONE_SECONDS) for t in tones)
    for tone, spoken in zip(opening[1::2], opening[2::2], strict=True):
        assert spoken.start == pytest.approx(tone.end + TONE_GAP)
    assert script.steps[0].title == "Before you start"


def test_every_routine_says_stop_if_anything_hurts_even_without_cautions() -> None:
    script = compiled(Say("Lie down.", 1))
    assert texts(script, "caution") == [phrasing.STOP_IF_IT_HURTS, phrasing.SEE_A_DOCTOR]


def test_a_crack_routine_opens_with_the_therapist_check_and_closes_with_its_reminders() -> None:
    crack = compiled(Say("Lie down.", 1), kind="crack")
    opening = [c.text for c in crack.cues if c.step == 0 and c.kind == "caution"]
    assert opening[0] == phrasing.CHECK_WITH_A_THERAPIST
    assert texts(crack)[-5:] == [
        "caution",
        phrasing.KEEP_IT_OCCASIONAL,
        "caution",
        phrasing.SEE_A_DOCTOR,
        phrasing.CLOSING,
    ]
    stretch = compiled(Say("Lie down.", 1))
    for line in (phrasing.ONCE_IS_ENOUGH, phrasing.CHECK_WITH_A_THERAPIST):
        assert line not in texts(stretch)
    assert texts(stretch)[-1] == phrasing.CLOSING
    assert crack.steps[-1].title == stretch.steps[-1].title == "Closing"


def test_once_is_enough_comes_right_before_the_first_attempt_and_only_once() -> None:
    script = compiled(
        Say("Sit down.", 1, pause=3),
        Question(
            "Felt nothing?",
            (Breathe(4, 6, 2, say="On the next breath out, lean back.", attempt=True),),
            2,
        ),
        kind="crack",
    )
    spoken = texts(script)
    assert spoken.count(phrasing.ONCE_IS_ENOUGH) == 1
    at = spoken.index(phrasing.ONCE_IS_ENOUGH)
    offer = phrasing.question_line("Felt nothing?")
    assert spoken.index("Sit down.") < spoken.index(offer) < at
    assert spoken[at - 1 : at + 2] == [
        "caution",
        phrasing.ONCE_IS_ENOUGH,
        "On the next breath out, lean back.",
    ]
    # Without a marked attempt it is said in the opening, before any step.
    unmarked = compiled(Say("Lean back.", 1, pause=3), kind="crack")
    assert cue(unmarked, phrasing.ONCE_IS_ENOUGH).step == 0


def test_once_is_enough_comes_before_the_step_that_loads_the_position() -> None:
    """Said while the fist is behind the back, it is ten seconds held in the position."""
    script = compiled(
        Say("Stand tall.", 1, pause=3),
        Say("Reach the fist behind you.", 2, pause=3, loads=True),
        Breathe(4, 6, 3, say="On the next breath out, push.", attempt=True),
        kind="crack",
    )
    spoken = texts(script)
    assert spoken.count(phrasing.ONCE_IS_ENOUGH) == 1
    at = spoken.index(phrasing.ONCE_IS_ENOUGH)
    assert spoken[at - 1 : at + 2] == [
        "caution",
        phrasing.ONCE_IS_ENOUGH,
        "Reach the fist behind you.",
    ]
    stretch = compiled(Say("Reach.", 1, pause=3, loads=True))
    assert phrasing.ONCE_IS_ENOUGH not in texts(stretch)


def test_the_advice_is_said_after_the_title_without_a_tone() -> None:
    advice = "This works best later in the day."
    found = replace(routine(Say("Lie down.", 1)), advice=advice)
    script = compile_script(found, CompileOptions(), per_char)
    assert texts(script)[:3] == ["Test routine.", advice, "caution"]
    assert cue(script, advice).kind == "say"


def test_a_session_says_this_session_in_its_opening() -> None:
    inner = routine(Say("Hug your knees.", 3), routine_id="inner", contraindications=("a",))
    script = compiled(Include(inner, 2), contraindications=("b",))
    assert texts(script, "caution")[0] == "Do not do this session at all if you have b or a."
    alone = compiled(Say("Hug.", 1), contraindications=("b",))
    assert texts(alone, "caution")[0] == "Do not do this routine at all if you have b."


def test_a_question_opens_a_window_and_its_round_is_a_step_of_its_own() -> None:
    script = compiled(
        Say("Sit up.", 1, pause=3),
        Question("Felt nothing?", (Say("Lean back.", 3, pause=3),), 2),
        pace=1.5,
    )
    spoken = texts(script, "say")
    assert spoken[1:5] == [
        "Sit up.",
        phrasing.question_line("Felt nothing?"),
        phrasing.ONE_MORE,
        "Lean back.",
    ]
    [window] = [p for p in script.phases if p.kind == "answer"]
    assert window.end - window.start == pytest.approx(6.0 * 1.5)
    tones = [c for c in script.cues if c.kind == "tone" and c.tone and "window" in c.tone]
    assert [t.tone for t in tones] == ["window-open", "window-close"]
    assert tones[0].end <= window.start and tones[1].start >= window.end
    [question] = script.questions()
    assert (question.opens, question.closes) == (window.start, window.end)
    assert question.decided == tones[1].end
    assert script.steps[question.round_step].title == "Test routine (one more)"
    assert script.steps[question.round_step - 1].title == "Test routine (question)"
    assert cue(script, phrasing.ONE_MORE).step == question.round_step
    assert cue(script, phrasing.ONE_MORE).start >= question.decided


def test_includes_merge_their_warnings_into_the_opening_without_repeats() -> None:
    inner = routine(
        Say("Hug your knees.", 3),
        kind="crack",
        title="Inner",
        routine_id="inner",
        contraindications=("disc problems", "osteopenia"),
        cautions=("Go gently.", "Breathe out as you move."),
    )
    script = compiled(
        Say("Welcome.", 1),
        Include(inner, 2),
        contraindications=("disc problems",),
        cautions=("Go gently.",),
    )
    assert texts(script, "caution")[:5] == [
        phrasing.contraindications_line(["disc problems", "osteopenia"], session=True),
        phrasing.CHECK_WITH_A_THERAPIST,
        "Go gently.",
        "Breathe out as you move.",
        phrasing.STOP_IF_IT_HURTS,
    ]
    # A crack routine anywhere inside makes the session close with the crack reminders,
    # and a session ends with one closing line of its own.
    assert phrasing.KEEP_IT_OCCASIONAL in texts(script)
    assert texts(script)[-1] == phrasing.CLOSING_SESSION
    assert phrasing.CLOSING not in texts(script)


def test_the_equipment_is_named_at_the_start_with_time_to_fetch_it() -> None:
    script = compile_script(
        Routine(
            id="roller",
            title="Roller",
            kind="stretch",
            steps=(Say("Sit on the mat.", 1, pause=8),),
            path=Path("roller.yaml"),
            equipment=("foam roller", "exercise ball"),
        ),
        CompileOptions(pace=0.5),
        per_char,
    )
    line = cue(script, "You need a foam roller and an exercise ball. Get them ready now.")
    assert line.step == 0
    (fetch,) = [p for p in script.phases if p.start == line.end]
    # Fetching does not get quicker at a faster pace.
    assert (fetch.kind, fetch.end - fetch.start) == ("pause", FETCH_SECONDS)
    assert cue(script, "Sit on the mat.").start > fetch.end


@pytest.mark.parametrize("pace", [0.5, 1.0, 2.0])
def test_a_change_of_position_gets_at_least_the_floor_whatever_the_pace(pace: float) -> None:
    script = compiled(
        Say("Roll onto your side, off the roller.", 1, pause=4),
        Say("Bend your knee.", 2, pause=4),
        pace=pace,
    )
    roll, bend = [p for p in script.phases if p.kind == "pause"]
    assert roll.end - roll.start == pytest.approx(max(4 * pace, MOVE_SECONDS))
    assert bend.end - bend.start == pytest.approx(4 * pace)  # not a change of position


def speech_after(script: Script, first: Cue) -> Cue:
    """The next thing said after ``first`` (tones and cautions aside)."""
    return next(c for c in after(script, first) if c.kind not in ("tone", "caution"))


@pytest.mark.parametrize("pace", [0.5, 1.0, 3.0])
def test_the_floor_holds_after_a_release_rest_or_breathing_that_changes_position(
    pace: float,
) -> None:
    script = compiled(
        Say("Lean back over the bed.", 1, hold=5, then="Slowly sit up again."),
        Say("Rest a moment.", 2, pause=2),
        Rest(3, 3, say="Lie down and rest."),
        Breathe(4, 6, 4, say="Roll onto your side."),
        Say("Lie down.", 5),
        Say("Relax.", 6),
        pace=pace,
    )
    for text in ["Slowly sit up again.", "Lie down and rest.", "Roll onto your side.", "Lie down."]:
        moved = cue(script, text)
        assert speech_after(script, moved).start - moved.end >= MOVE_SECONDS
        # The time to move is a pause (or the rest itself) the script shows.
        (quiet,) = [p for p in script.phases if p.start == moved.end]
        assert quiet.kind in ("pause", "rest") and quiet.end - quiet.start >= MOVE_SECONDS
    # Words that do not change position keep their own time.
    rest = cue(script, "Rest a moment.")
    assert speech_after(script, rest).start - rest.end == pytest.approx(2 * pace)


def test_a_hold_after_words_that_change_position_says_nothing_while_moving() -> None:
    short = compiled(Say("Lie back onto the roller.", 1, hold=10, count="up"), pace=0.5)
    (hold,) = [p for p in short.phases if p.kind == "hold"]
    assert hold.end - hold.start == MOVE_SECONDS  # 10 s at pace 0.5 would be 5
    assert texts(short, "count") == []
    longer = compiled(Say("Lie back onto the roller.", 1, hold=20, count="up"), pace=0.5)
    instruction = cue(longer, "Lie back onto the roller.")
    counts = [(c.start - instruction.end, c.text) for c in longer.cues if c.kind == "count"]
    assert counts == [(8, "Eight."), (9, "Nine.")]  # the first seven are moving time
    assert longer.notices == ()


def test_sitting_up_tall_and_a_caution_about_sitting_up_are_not_moves() -> None:
    script = compiled(
        Caution("If you feel dizzy, sit up slowly.", 1),
        Say("Sit up tall.", 2),
        Say("Turn to the right.", 3),
    )
    tall = cue(script, "Sit up tall.")
    assert cue(script, "Turn to the right.").start - tall.end == pytest.approx(GAP)
    assert not [p for p in script.phases if p.kind == "pause"]


@pytest.mark.parametrize("pace", [0.5, 1.0, 3.0])
def test_every_built_in_routine_leaves_the_floor_after_each_change_of_position(
    pace: float,
) -> None:
    """After every spoken instruction that changes position (a caution only warns),
    nothing is said for at least MOVE_SECONDS, whatever step kind said it."""
    checked = 0
    for found in all_routines():
        script = compile_script(found, CompileOptions(pace=pace), estimated_duration(160))
        spoken = [c for c in script.cues if c.kind not in ("tone", "caution")]
        for said, following in itertools.pairwise(spoken):
            if is_position_change(said.text):
                checked += 1
                gap = following.start - said.end
                assert gap >= MOVE_SECONDS - 1e-9, (found.id, said.text, following.text, gap)
    assert checked >= 40  # the rule was exercised on many instructions


def test_words_that_say_breathe_in_are_not_followed_by_a_second_breathe_in() -> None:
    script = compiled(
        Breathe(4, 6, 1, cycles=2, say="Breathe in. As you breathe out, press the knee down."),
        Breathe(4, 6, 2, say="On the next breath out, press again."),
    )
    prompts = texts(script, "inhale")
    # The first breath of the first step was asked for by its words; the rest are prompted.
    assert prompts == [phrasing.BREATHE_IN] * 2
    inhales = [p for p in script.phases if p.kind == "inhale"]
    assert len(inhales) == 3 and all(p.end - p.start == 4 for p in inhales)
    assert not any(c.kind == "inhale" and c.start == inhales[0].start for c in script.cues)


def test_a_question_inside_a_step_is_a_step_to_skip_past() -> None:
    offer = Question("Felt nothing?", (Say("Slide higher.", 3, pause=4),), 2)
    steps = (Say("Press.", 2, pause=3), offer, Say("Roll back.", 4))
    block = Sides(("right", "left"), steps, 1, title="Twist")
    script = compiled(block, Question("More?", (Say("Last.", 6),), 5), title="Twist")
    assert [s.title for s in script.steps] == [
        "Before you start",
        "Twist (right)",
        "Twist (right) (question)",
        "Twist (right) (one more)",
        "Twist (right) (continued)",
        "Twist (left)",
        "Twist (left) (question)",
        "Twist (left) (one more)",
        "Twist (left) (continued)",
        "Twist (question)",
        "Twist (one more)",
        "Closing",
    ]
    continued = script.steps[4]
    assert cue(script, "Roll back.").step == continued.index
    assert all(s.start < s.end for s in script.steps)
    assert [q.round_step for q in script.questions()] == [3, 7, 10]


@pytest.mark.parametrize(
    "inner",
    [
        Sides(("right", "left"), (Say("Turn the roller to the {side}.", 3, pause=4),), 2),
        Repeat(3, (Say("Roll up.", 3, pause=4),), 2),
    ],
    ids=["sides", "repeat"],
)
def test_a_block_inside_a_question_does_not_split_its_round(inner: Step) -> None:
    """The round is one step: going on skips all of it."""
    script = compiled(Question("Felt nothing?", (inner,), 1), Say("Sit up.", 4), title="Roll")
    assert [s.title for s in script.steps] == [
        "Before you start",
        "Roll (question)",
        "Roll (one more)",
        "Sit up",
        "Closing",
    ]
    offered = [c for c in script.cues if c.step == 2 and c.kind != "tone"]
    assert offered[0].text == phrasing.ONE_MORE
    assert len(offered) > 3  # every side or round is in the round's step


def test_every_built_in_question_follows_a_release_and_no_optional_is_left() -> None:
    """Over all the built-in routines: each question is asked after a step that is not a
    hold or an attempt, and no file still offers rounds with ``optional:``."""
    from voiceguide.routine.records import Breathe as B

    found = 0
    for path in sorted(builtin_routines_dir().glob("*.yaml")):
        assert "optional:" not in path.read_text(encoding="utf-8"), path.name
    for routine_ in all_routines():
        script = compile_script(routine_, CompileOptions(), per_char)
        for question in script.questions():
            found += 1
            asked = script.steps[question.round_step - 1]
            before = [c for c in script.cues if c.end <= asked.start and c.kind != "tone"][-1]
            held = [p for p in script.phases if p.end <= asked.start][-1]
            assert held.kind in ("pause", "rest"), (routine_.id, before.text)
        for step in walk(routine_.steps):
            assert not (isinstance(step, B) and step.attempt and step.cycles > 1)
    assert found >= 7  # chair, standing, floor-foam-roller, foam-roller twice, twist twice


def test_a_session_leaves_out_included_steps_marked_alone() -> None:
    inner = routine(
        Say("Lie down on your back.", 1, pause=8, alone=True),
        Say("Hug your knees.", 2),
        Breathe(4, 6, 3, say="Rest, and breathe slowly.", alone=True),
        title="Knees",
        routine_id="knees",
    )
    alone = compile_script(inner, CompileOptions(), per_char)
    assert "Lie down on your back." in texts(alone)
    assert "Rest, and breathe slowly." in texts(alone)
    session = compiled(Say("Lie down on your back.", 1, pause=8), Include(inner, 2))
    assert texts(session).count("Lie down on your back.") == 1
    assert "Rest, and breathe slowly." not in texts(session)
    assert "Hug your knees." in texts(session)


# -- holds and their counts --------------------------------------------------------------


def hold_of(script: Script) -> tuple[float, float]:
    (phase,) = [p for p in script.phases if p.kind == "hold"]
    return phase.start, phase.end


@pytest.mark.parametrize("pace", [0.5, 1.0, 1.3, 3.0])
def test_a_hold_lasts_exactly_its_seconds_times_pace_from_the_end_of_its_instruction(
    pace: float,
) -> None:
    script = compiled(Say("Hold the stretch.", 1, hold=15, then="Let go."), pace=pace)
    start, end = hold_of(script)
    assert start == cue(script, "Hold the stretch.").end
    assert end - start == pytest.approx(15 * pace, abs=1e-9)
    release = cue(script, "Let go.")
    assert (release.kind, release.start) == ("release", end)


def test_a_hold_without_then_ends_with_the_default_release() -> None:
    script = compiled(Say("Hold.", 1, hold=4))
    assert cue(script, phrasing.DEFAULT_RELEASE).kind == "release"


def counts_in(script: Script) -> list[tuple[float, str]]:
    start, _ = hold_of(script)
    return [(round(c.start - start, 9), c.text) for c in script.cues if c.kind == "count"]


def test_down_counts_the_last_five_seconds_one_a_second_before_the_release() -> None:
    script = compiled(Say("Hold.", 1, hold=20))
    assert counts_in(script) == [
        (10, "Ten seconds left."),
        (15, "Five."),
        (16, "Four."),
        (17, "Three."),
        (18, "Two."),
        (19, "One."),
    ]


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (19, [(14, "Five seconds left.")]),
        (15, [(10, "Five seconds left.")]),
        (8, [(3, "Five seconds left.")]),
        (6, [(1, "Five seconds left.")]),
        (5, []),
        (1, []),
    ],
)
def test_down_gives_a_hold_shorter_than_20_seconds_at_most_one_count(
    seconds: float, expected: list[tuple[int, str]]
) -> None:
    """No "Halfway." and countdown in a 15 s hold: seven cues in 15 seconds crowd it."""
    assert counts_in(compiled(Say("Hold.", 1, hold=seconds))) == expected


def test_down_says_ten_seconds_left_on_holds_of_20_seconds_or_more() -> None:
    assert counts_in(compiled(Say("Hold.", 1, hold=30)))[0] == (20, "Ten seconds left.")
    # The rule follows the hold as the user lives it: 10 s at pace 2 is a 20 s hold.
    assert counts_in(compiled(Say("Hold.", 1, hold=10), pace=2))[0] == (10, "Ten seconds left.")
    assert counts_in(compiled(Say("Hold.", 1, hold=10), pace=1.9)) == [(14, "Five seconds left.")]


def test_down_with_a_pace_that_leaves_a_fraction_counts_on_whole_seconds() -> None:
    script = compiled(Say("Hold.", 1, hold=15), pace=1.5)  # a 22.5 s hold
    assert counts_in(script) == [
        (12, "Ten seconds left."),
        (17, "Five."),
        (18, "Four."),
        (19, "Three."),
        (20, "Two."),
        (21, "One."),
    ]
    assert counts_in(compiled(Say("Hold.", 1, hold=5), pace=1.5)) == [(2, "Five seconds left.")]


def test_up_counts_every_second_from_the_start_of_the_hold() -> None:
    script = compiled(Say("Hold.", 1, hold=5, count="up"))
    assert counts_in(script) == [(1, "One."), (2, "Two."), (3, "Three."), (4, "Four.")]


def test_none_keeps_the_hold_silent() -> None:
    assert counts_in(compiled(Say("Hold.", 1, hold=15, count="none"))) == []


@pytest.mark.parametrize("style", ["down", "up", "none"])
def test_the_count_option_replaces_every_holds_counting_style(style: str) -> None:
    steps = (Say("Hold.", 1, hold=20, count="none"), Say("Again.", 2, hold=6, count="up"))
    script = compile_script(routine(*steps), CompileOptions(count=style), per_char)  # type: ignore[arg-type]
    by_hold = [
        [c.text for c in script.cues if c.kind == "count" and p.start < c.start < p.end]
        for p in script.phases
        if p.kind == "hold"
    ]
    expected = {
        "down": [
            ["Ten seconds left.", "Five.", "Four.", "Three.", "Two.", "One."],
            ["Five seconds left."],
        ],
        "up": [
            [phrasing.count_text(n) for n in range(1, 20)],
            ["One.", "Two.", "Three.", "Four.", "Five."],
        ],
        "none": [[], []],
    }[style]
    assert by_hold == expected


def test_a_count_that_would_run_into_the_next_is_dropped_keeping_those_nearest_the_end() -> None:
    def slow_five(text: str) -> float:
        return 1.5 if text == "Five." else per_char(text)

    script = compiled(Say("Hold.", 1, hold=20), duration_of=slow_five)
    assert [text for _, text in counts_in(script)] == [
        "Ten seconds left.",
        "Four.",
        "Three.",
        "Two.",
        "One.",
    ]
    (notice,) = script.notices
    assert "test.yaml:1" in notice
    assert "1 of 6 counts" in notice
    assert "'Five.'" in notice


def test_a_breath_count_is_dropped_rather_than_overlap_the_prompt_before_it() -> None:
    def slow_in(text: str) -> float:
        return 1.5 if text == "Breathe in." else per_char(text)

    script = compiled(Breathe(inhale=4, exhale=2, line=3, count=True), duration_of=slow_in)
    inhale = script.phases[0]
    counted = [(round(c.start - inhale.start, 9), c.text) for c in script.cues if c.kind == "count"]
    # "Two." would start while "Breathe in." is still being said; the exhale's is fine.
    assert counted == [(2, "Three."), (3, "Four."), (5, "Two.")]
    (notice,) = script.notices
    assert "test.yaml:3" in notice and "1 of 3 counts in the inhale" in notice


# -- breathing ---------------------------------------------------------------------------


def test_breath_phases_are_exact_each_starting_with_its_prompt() -> None:
    step = Breathe(inhale=4, exhale=6, hold_in=2, hold_out=1, cycles=2, line=1, say="Breathe.")
    script = compiled(step, pace=1.5)
    phases = [p for p in script.phases if p.step == 1]
    assert [p.kind for p in phases] == ["inhale", "hold-in", "exhale", "hold-out"] * 2
    for phase, seconds in zip(phases, [4, 2, 6, 1] * 2, strict=True):
        assert phase.end - phase.start == pytest.approx(seconds * 1.5, abs=1e-9)
        prompt = next(c for c in script.cues if c.start == phase.start)
        assert (prompt.kind, prompt.text) == {
            "inhale": ("inhale", "Breathe in."),
            "hold-in": ("say", "Hold."),
            "exhale": ("exhale", "Breathe out."),
            "hold-out": ("say", "Hold."),
        }[phase.kind]
    for before, following in itertools.pairwise(phases):
        assert following.start == before.end
    assert phases[0].start == pytest.approx(cue(script, "Breathe.").end + GAP)


def test_breath_counts_land_on_the_following_whole_seconds_of_each_phase() -> None:
    script = compiled(Breathe(inhale=4, exhale=3, line=1, count=True))
    inhale, exhale = [p for p in script.phases if p.step == 1]
    counted = [(c.start, c.text) for c in script.cues if c.kind == "count"]
    assert counted == [
        (inhale.start + 1, "Two."),
        (inhale.start + 2, "Three."),
        (inhale.start + 3, "Four."),
        (exhale.start + 1, "Two."),
        (exhale.start + 2, "Three."),
    ]


def test_count_none_also_silences_breath_numbers() -> None:
    steps = (Breathe(inhale=4, exhale=4, line=1, count=True),)
    script = compile_script(routine(*steps), CompileOptions(count="none"), per_char)
    assert texts(script, "count") == []


def test_a_prompt_longer_than_its_phase_pushes_the_next_phase_later() -> None:
    def slow_in(text: str) -> float:
        return 3.0 if text == "Breathe in." else per_char(text)

    script = compiled(Breathe(inhale=2, exhale=4, line=7), duration_of=slow_in)
    inhale, exhale = [p for p in script.phases if p.step == 1]
    assert inhale.end - inhale.start == pytest.approx(2)
    assert exhale.end - exhale.start == pytest.approx(4)
    assert exhale.start == pytest.approx(inhale.start + 3.0 + COUNT_GAP)
    (notice,) = script.notices
    assert "test.yaml:7" in notice and "'Breathe in.'" in notice and "late" in notice


# -- pauses, rests, cautions, spacing -------------------------------------------------


def test_pauses_and_rests_are_exact_silences_after_their_words() -> None:
    script = compiled(Say("Get ready.", 1, pause=4), Rest(5, 2), Rest(3, 3, say="Relax."), pace=2)
    pause, rest, said_rest = script.phases
    assert pause.kind == "pause" and pause.start == cue(script, "Get ready.").end
    assert pause.end - pause.start == pytest.approx(8)
    assert rest.kind == "rest" and rest.end - rest.start == pytest.approx(10)
    assert rest.start == next(c for c in script.cues if c.text == "Rest.").end
    assert said_rest.start == cue(script, "Relax.").end
    assert cue(script, "Relax.").kind == cue(script, "Rest.").kind == "rest"
    # What follows a silence starts as soon as it ends.
    following = next(c for c in script.cues if c.start >= pause.end)
    assert following.start == pause.end


def test_a_caution_step_is_spoken_where_it_stands_after_a_caution_tone() -> None:
    script = compiled(Say("One.", 1), Caution("Careful now.", 2), Say("Two.", 3))
    spoken = [c for c in script.cues if c.step == 2]
    assert [(c.kind, c.tone, c.text) for c in spoken] == [
        ("tone", "caution", "caution"),
        ("caution", None, "Careful now."),
    ]


def test_a_step_tone_marks_only_the_first_exercise_not_every_step() -> None:
    script = compiled(Say("First line.", 1), Say("Second line.", 2))
    first, second = cue(script, "First line."), cue(script, "Second line.")
    tone = script.cues[script.cues.index(first) - 1]
    assert (tone.kind, tone.tone) == ("tone", "step")
    assert first.start == pytest.approx(tone.end + TONE_GAP)
    assert script.steps[1].start == tone.start
    # The second step is one to skip to, but it is not a new exercise: no tone.
    assert second.start == pytest.approx(first.end + GAP)
    assert script.steps[2].start == second.start
    assert [c.tone for c in script.cues if c.kind == "tone"].count("step") == 1


def test_step_tones_mark_each_side_and_each_included_routine() -> None:
    inner = routine(Say("Hug.", 1), Say("Let go.", 2), title="Knees", routine_id="knees")
    block = Sides(("right", "left"), (Say("Turn {side}.", 2),), 1)
    script = compiled(Say("Welcome.", 1), block, Include(inner, 2), Say("Rest now.", 3))
    toned = [
        script.cues[i + 1].text
        for i, c in enumerate(script.cues[:-1])
        if c.kind == "tone" and c.tone == "step"
    ]
    assert toned == ["Welcome.", "Right side first.", "Now the left side.", "Hug."]


# -- repeats, sides and steps ------------------------------------------------------------


def test_repeat_rounds_are_phrased_naturally_and_each_is_a_step() -> None:
    script = compiled(Repeat(5, (Say("Lift.", 2, pause=1),), 1), title="Lifts")
    assert texts(script, "say")[1:] == [
        "Lift.",
        "Again.",
        "Lift.",
        "Three more.",
        "Lift.",
        "Two more.",
        "Lift.",
        "Last one.",
        "Lift.",
        phrasing.CLOSING,
    ]
    assert [s.title for s in script.steps[1:-1]] == [f"Lifts, round {n} of 5" for n in range(1, 6)]


def test_a_single_round_is_one_step_without_a_round_number() -> None:
    script = compiled(Repeat(1, (Say("Lift.", 2),), 1), title="Lifts")
    assert [s.title for s in script.steps] == ["Before you start", "Lifts", "Closing"]


def test_sides_fill_in_side_and_other_with_a_switch_cue_each() -> None:
    turn = Say("Turn to the {side}, away from the {other}.", 2)
    block = Sides(("right", "left"), (turn,), 1, title="Twist")
    script = compiled(block, title="My evening stretch")
    assert [(c.kind, c.text) for c in script.cues if c.kind in ("side", "say")][1:-1] == [
        ("side", "Right side first."),
        ("say", "Turn to the right, away from the left."),
        ("side", "Now the left side."),
        ("say", "Turn to the left, away from the right."),
    ]
    assert [s.title for s in script.steps[1:-1]] == ["Twist (right)", "Twist (left)"]


def test_a_repeat_of_sides_is_a_step_per_side_per_round_phrased_once_per_round() -> None:
    block = Repeat(2, (Sides(("right", "left"), (Say("Knees {side}.", 3),), 2, "Rotation"),), 1)
    script = compiled(block, title="My evening stretch")
    assert [s.title for s in script.steps[1:-1]] == [
        "Rotation, round 1 of 2 (right)",
        "Rotation, round 1 of 2 (left)",
        "Rotation, round 2 of 2 (right)",
        "Rotation, round 2 of 2 (left)",
    ]
    assert [c.text for c in script.cues if c.step == 3 and c.kind != "tone"] == [
        "Last one.",
        "Right side.",
        "Knees right.",
    ]
    assert texts(script, "side").count("Right side first.") == 1
    assert [c.text for c in script.cues if c.step == 4 and c.kind != "tone"] == [
        "Now the left side.",
        "Knees left.",
    ]


def test_sides_without_a_title_are_named_after_their_first_instruction() -> None:
    # Not after the routine: two blocks of "My evening stretch" would be named alike.
    hips = Sides(("right", "left"), (Say("Cross your {side} knee over. Hold it.", 2),), 1)
    neck = Sides(("left", "right"), (Rest(5, 3, say="Tilt your head."),), 3)
    script = compiled(hips, neck, title="My evening stretch")
    assert [s.title for s in script.steps[1:-1]] == [
        "Cross your right knee over",
        "Cross your left knee over",
        "Tilt your head (left)",
        "Tilt your head (right)",
    ]


def test_a_sides_title_may_say_the_side_itself() -> None:
    block = Sides(("right", "left"), (Say("Turn.", 2),), 1, title="Twist to the {side}")
    script = compiled(block, title="My evening stretch")
    assert [s.title for s in script.steps[1:-1]] == ["Twist to the right", "Twist to the left"]


def test_every_sides_block_of_the_builtin_routines_is_named_by_its_title_and_side() -> None:
    named = 0
    for found in all_routines():
        script = compile_script(found, CompileOptions(), estimated_duration(160))
        for block in (s for r in with_included(found) for s in walk(r.steps)):
            if isinstance(block, Sides):
                assert block.title, f"{found.id}:{block.line}: a sides block without a title"
                for side in block.sides:
                    assert any(
                        s.title.startswith(block.title) and f"({side})" in s.title
                        for s in script.steps
                    ), (found.id, block.title, side)
                    named += 1
    assert named >= 10


def test_blocks_inside_a_step_are_phrased_but_not_split() -> None:
    inner = Repeat(2, (Say("Roll up.", 4),), 3)
    block = Sides(("left", "right"), (Say("Set up on the {side}.", 2), inner), 1, "Roller")
    script = compiled(block, title="My evening stretch")
    assert [s.title for s in script.steps[1:-1]] == ["Roller (left)", "Roller (right)"]
    assert texts(script, "say").count("Last one.") == 2


def test_included_routines_become_steps_titled_by_their_own_title() -> None:
    inner = routine(
        Say("Lie down.", 1), Repeat(2, (Say("Hug.", 3),), 2), title="Knees", routine_id="knees"
    )
    script = compiled(Say("Welcome.", 1), Include(inner, 2), title="Session")
    assert [s.title for s in script.steps] == [
        "Before you start",
        "Welcome",
        "Lie down",
        "Knees, round 1 of 2",
        "Knees, round 2 of 2",
        "Closing",
    ]


def test_long_step_labels_keep_the_whole_first_sentence() -> None:
    text = "Keep your knees where they are, and turn your upper body until both shoulders rest."
    assert compiled(Say(text, 1)).steps[1].title == text.rstrip(".")


def test_steps_are_contiguous_and_every_cue_and_phase_lies_in_its_step() -> None:
    script = compiled(
        Say("Hold.", 1, hold=12),
        Repeat(2, (Sides(("right", "left"), (Rest(2, 3),), 2),), 4),
        Breathe(inhale=3, exhale=3, line=5, count=True),
        kind="crack",
    )
    spans = script.steps
    assert spans[0].start == 0 and spans[-1].end == script.duration
    for before, following in itertools.pairwise(spans):
        assert before.end == following.start
    items: list[Cue | Phase] = [*script.cues, *script.phases]
    for item in items:
        assert spans[item.step].start <= item.start <= item.end <= spans[item.step].end


def test_the_duration_is_the_end_of_the_last_cue_or_phase() -> None:
    script = compiled(Say("Hold.", 1, hold=5))
    assert script.duration == script.cues[-1].end
    assert script.duration == max(
        end for end in [c.end for c in script.cues] + [p.end for p in script.phases]
    )


# -- options and inputs ------------------------------------------------------------------


@pytest.mark.parametrize("pace", [0.49, 3.01, 0.0, -1.0, math.nan, math.inf])
def test_a_pace_outside_half_to_three_is_refused(pace: float) -> None:
    with pytest.raises(CompileError, match=r"pace must be from 0\.5 to 3"):
        compiled(Say("Hold.", 1), pace=pace)


def test_a_duration_function_that_gives_nonsense_is_a_bug_not_a_silent_timing() -> None:
    with pytest.raises(ValueError, match="duration_of"):
        compiled(Say("Hold.", 1), duration_of=lambda _text: -1.0)


def test_compiling_is_pure() -> None:
    steps = (Say("Hold.", 1, hold=12), Breathe(inhale=3, exhale=3, line=2, count=True))
    assert compiled(*steps) == compiled(*steps)


def test_spoken_texts_holds_every_cue_text_and_no_tone() -> None:
    r = routine(
        Say("Hold {side}.", 2, hold=25, count="up"),
        Breathe(inhale=4, exhale=4, line=3, count=True),
        kind="crack",
        cautions=("Careful.",),
    )
    r = routine(Sides(("right", "left"), r.steps, 1), kind="crack", cautions=("Careful.",))
    options = CompileOptions(pace=1.7)
    said = spoken_texts(r, options)
    script = compile_script(r, options, per_char)
    assert {c.text for c in script.cues if c.kind != "tone"} <= said
    assert {"Hold right.", "Hold left.", "Forty-one.", "Careful.", "Six."} <= said
    assert "step" not in said and "caution" not in said


def test_estimated_duration_scales_with_the_rate_and_adds_a_breath_at_inner_stops() -> None:
    seven_words = "x" * 49  # CHARS_PER_WORD characters make a word
    assert estimated_duration(120)(seven_words) == pytest.approx(3.5)
    assert estimated_duration(240)(seven_words) == pytest.approx(1.75)
    with_stops = "One, two. Three four."  # two stops inside; the last one does not count
    expected = (len(with_stops) / 7 + 2 * 0.67) * 0.5
    assert estimated_duration(120)(with_stops) == pytest.approx(expected)


@pytest.mark.parametrize("rate", [79, 301, 0])
def test_estimated_duration_refuses_a_rate_out_of_range(rate: int) -> None:
    with pytest.raises(CompileError, match="80 to 300 words per minute"):
        estimated_duration(rate)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0:00.0"), (59.96, "1:00.0"), (61.25, "1:01.2"), (754.3, "12:34.3")],
)
def test_clock_writes_minutes_and_tenths(seconds: float, text: str) -> None:
    assert clock_tenths(seconds) == text


# -- golden cue lists for built-in routines ----------------------------------------------

GOLDEN_DIR = Path(__file__).parent.parent / "data" / "golden"
GOLDEN_ROUTINES = [
    "floor-option1",  # sides, holds with counts, breaths with a spoken lead-in
    "floor-option3",  # a repeat of holds and rests
    "chair-lean-back",  # several breath cycles; a crack routine's closing reminders
    "lower-back-rotation",  # a repeat of sides: a step per side per round
    "gentle-floor-session",  # includes: merged warnings, steps titled by each routine
]


def golden_text(data: dict[str, Any]) -> str:
    """JSON with one cue, phase or step a line, so that a change reads well in a diff."""
    fields = []
    for key, value in data.items():
        if isinstance(value, list):
            rows = ",\n".join(f"  {json.dumps(row, ensure_ascii=False)}" for row in value)
            fields.append(f" {json.dumps(key)}: [\n{rows}\n ]")
        else:
            fields.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


@pytest.mark.parametrize("routine_id", GOLDEN_ROUTINES)
def test_built_in_routines_compile_to_their_golden_cue_lists(routine_id: str) -> None:
    """Set VOICEGUIDE_UPDATE_GOLDEN=1 to rewrite the files after an intended change,
    then read the diff before committing it."""
    found = load_routine(builtin_routines_dir() / f"{routine_id}.yaml")
    script = compile_script(found, CompileOptions(), per_char)
    assert script.notices == ()
    actual = golden_text(script.to_json())
    golden = GOLDEN_DIR / f"{routine_id}.json"
    if os.environ.get("VOICEGUIDE_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), (
        f"no golden file; run with VOICEGUIDE_UPDATE_GOLDEN=1 to write {golden}"
    )
    assert json.loads(actual) == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("pace", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("count", [None, "down", "up", "none"])
def test_every_built_in_routine_compiles_without_giving_way_at_the_usual_rate(
    pace: float, count: CountStyle | None
) -> None:
    for found in all_routines():
        options = CompileOptions(pace=pace, count=count)
        script = compile_script(found, options, estimated_duration(160))
        assert script.notices == (), found.id
        assert {c.text for c in script.cues if c.kind != "tone"} <= spoken_texts(found, options)
