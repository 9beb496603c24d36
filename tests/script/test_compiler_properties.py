"""The timing rules as properties: for any routine, pace, counting style and clip lengths.

Routines are generated as Routine records (any mix of steps, blocks and includes), clip
lengths by a duration function that varies from text to text (some clips run long, so
counts get dropped and breath phases pushed), and every compiled Script is checked
against the rules the player and the exporter rely on.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from voiceguide.routine.movement import MOVE_SECONDS, is_position_change
from voiceguide.routine.records import (
    Breathe,
    Caution,
    CountStyle,
    Include,
    Repeat,
    Rest,
    Routine,
    Say,
    Sides,
    Step,
)
from voiceguide.script.compiler import compile_script, spoken_texts
from voiceguide.script.records import CompileOptions, Cue, Phase, Script

TOLERANCE = 1e-9

words = st.sampled_from(
    ["Lie down.", "Turn to the {side}.", "Knee to the {other}, slowly.", "Hold it."]
)
seconds = st.one_of(
    st.integers(1, 40).map(float),
    st.floats(0.1, 40, allow_nan=False),
    st.sampled_from([0.1, 600.0]),
)
count_styles: st.SearchStrategy[CountStyle] = st.sampled_from(["down", "up", "none"])


@st.composite
def say_steps(draw: st.DrawFn) -> Say:
    text = draw(words)
    timing = draw(st.sampled_from(["none", "pause", "hold"]))
    if timing == "pause":
        return Say(text, 1, pause=draw(seconds))
    if timing == "hold":
        then = draw(st.none() | st.sampled_from(["Let go of the {side} knee.", "Sit up."]))
        return Say(text, 1, hold=draw(seconds), count=draw(count_styles), then=then)
    return Say(text, 1)


@st.composite
def breathe_steps(draw: st.DrawFn) -> Breathe:
    small = st.floats(0.5, 10, allow_nan=False) | st.integers(1, 8).map(float)
    return Breathe(
        inhale=draw(small),
        exhale=draw(small),
        line=2,
        hold_in=draw(st.just(0.0) | small),
        hold_out=draw(st.just(0.0) | small),
        cycles=draw(st.integers(1, 3)),
        count=draw(st.booleans()),
        say=draw(st.none() | words),
    )


leaves: st.SearchStrategy[Step] = st.one_of(
    say_steps(),
    breathe_steps(),
    st.builds(Rest, seconds, st.just(3), st.none() | words),
    st.builds(Caution, words, st.just(4)),
)


def blocks(inner: st.SearchStrategy[Step]) -> st.SearchStrategy[Step]:
    step_lists = st.lists(inner, min_size=1, max_size=3).map(tuple)
    side_names = st.lists(
        st.sampled_from(["right", "left", "front"]), min_size=1, max_size=3, unique=True
    ).map(tuple)
    return st.one_of(
        st.builds(Repeat, st.integers(1, 4), step_lists, st.just(5)),
        st.builds(Sides, side_names, step_lists, st.just(6)),
        st.builds(Include, routines_of(step_lists), st.just(7)),
    )


def routines_of(step_lists: st.SearchStrategy[tuple[Step, ...]]) -> st.SearchStrategy[Routine]:
    texts = st.lists(words, max_size=3).map(tuple)
    return st.builds(
        Routine,
        id=st.sampled_from(["one", "two"]),
        title=st.sampled_from(["Knees to chest", "Twist"]),
        kind=st.sampled_from(["crack", "stretch"]),
        steps=step_lists,
        path=st.just(Path("generated.yaml")),
        contraindications=st.lists(st.sampled_from(["disc problems", "osteopenia"])).map(tuple),
        cautions=texts,
    )


steps = st.recursive(leaves, blocks, max_leaves=12)
routines = routines_of(st.lists(steps, min_size=1, max_size=5).map(tuple))
options = st.builds(
    CompileOptions,
    pace=st.floats(0.5, 3.0, allow_nan=False) | st.sampled_from([0.5, 1.0, 3.0]),
    count=st.none() | count_styles,
)


@st.composite
def duration_functions(draw: st.DrawFn) -> Callable[[str], float]:
    """Clip lengths like a voice's (a base, a rate per character) with a jitter that
    depends on the text, and sometimes a clip far too long for its slot."""
    base = draw(st.floats(0, 0.5))
    per_char = draw(st.floats(0, 0.15))
    jitter = draw(st.floats(0, 3))

    def duration_of(text: str) -> float:
        spread = (zlib.crc32(text.encode()) % 1000) / 1000
        return base + per_char * len(text) + jitter * spread**4

    return duration_of


def expected_phases(steps: tuple[Step, ...], pace: float) -> Iterator[tuple[str, float]]:
    """(kind, length) of every silence and breath the routine asks for, in order."""
    for step in steps:
        if isinstance(step, Say):
            moved = is_position_change(step.text)
            if step.hold is not None:
                yield "hold", max(step.hold * pace, MOVE_SECONDS if moved else 0.0)
                moved = is_position_change(step.then or "")
            if step.pause is not None or moved:
                yield "pause", max((step.pause or 0.0) * pace, MOVE_SECONDS if moved else 0.0)
        elif isinstance(step, Breathe):
            if step.say and is_position_change(step.say):
                yield "pause", MOVE_SECONDS
            cycle = [
                ("inhale", step.inhale),
                ("hold-in", step.hold_in),
                ("exhale", step.exhale),
                ("hold-out", step.hold_out),
            ]
            for _ in range(step.cycles):
                yield from ((kind, s * pace) for kind, s in cycle if s > 0)
        elif isinstance(step, Rest):
            least = MOVE_SECONDS if is_position_change(step.say or "") else 0.0
            yield "rest", max(step.seconds * pace, least)
        elif isinstance(step, Repeat):
            for _ in range(step.times):
                yield from expected_phases(step.steps, pace)
        elif isinstance(step, Sides):
            for _ in step.sides:
                yield from expected_phases(step.steps, pace)
        elif isinstance(step, Include):
            yield from expected_phases(step.routine.steps, pace)


def phase_of(script: Script, cue: Cue) -> Phase:
    return next(p for p in script.phases if p.start - TOLERANCE <= cue.start < p.end)


@settings(max_examples=300)
@given(routines, options, duration_functions())
def test_the_timing_rules_hold_for_any_routine(
    routine: Routine, chosen: CompileOptions, duration_of: Callable[[str], float]
) -> None:
    script = compile_script(routine, chosen, duration_of)

    # Every hold, breath phase, pause and rest lasts exactly its seconds × pace.
    lengths = [(p.kind, p.end - p.start) for p in script.phases]
    expected = list(expected_phases(routine.steps, chosen.pace))
    assert [kind for kind, _ in lengths] == [kind for kind, _ in expected]
    for (_, actual), (_, wanted) in zip(lengths, expected, strict=True):
        assert math.isclose(actual, wanted, abs_tol=TOLERANCE)

    cue_ends = {c.end for c in script.cues}
    for phase in script.phases:
        at_start = [c for c in script.cues if c.start == phase.start and c.kind != "tone"]
        if phase.kind == "hold":
            # Starts when its instruction ends; the release lands exactly on its end.
            assert phase.start in cue_ends
            assert any(c.kind == "release" and c.start == phase.end for c in script.cues)
        elif phase.kind in ("pause", "rest"):
            assert phase.start in cue_ends
        else:
            assert [c.kind for c in at_start] in (["inhale"], ["exhale"], ["say"])

    # Nothing is said in the time to move after words that change position.
    spoken = [c for c in script.cues if c.kind not in ("tone", "caution")]
    for moving, next_words in itertools.pairwise(spoken):
        if is_position_change(moving.text):
            assert next_words.start - moving.end >= MOVE_SECONDS - TOLERANCE

    # Counts land on whole seconds of the hold or breath phase they are in.
    for cue in script.cues:
        if cue.kind == "count":
            offset = cue.start - phase_of(script, cue).start
            assert offset >= 1 - TOLERANCE
            assert abs(offset - round(offset)) < 1e-6

    # Nothing heard overlaps; phases are in order and do not overlap either.
    for earlier, later in itertools.pairwise(script.cues):
        assert earlier.end <= later.start + TOLERANCE
    for first, second in itertools.pairwise(script.phases):
        assert first.end <= second.start + TOLERANCE
    assert all(c.end >= c.start >= 0 for c in script.cues)

    # The total is the end of the last cue or phase.
    ends = [c.end for c in script.cues] + [p.end for p in script.phases]
    assert script.duration == max(ends)

    # Steps are contiguous, in order, cover the session, and hold what points at them.
    spans = script.steps
    assert spans[0].start == 0 and spans[-1].end == script.duration
    assert [s.index for s in spans] == list(range(len(spans)))
    for span, following in itertools.pairwise(spans):
        # Only a step whose every clip is silent can be empty: most steps have no tone.
        assert span.end == following.start and span.start <= span.end
    items: list[Cue | Phase] = [*script.cues, *script.phases]
    for item in items:
        span = spans[item.step]
        assert span.start - TOLERANCE <= item.start and item.end <= span.end + TOLERANCE

    # Every text heard was announced by spoken_texts, so a renderer had it ready.
    said = spoken_texts(routine, chosen)
    assert {c.text for c in script.cues if c.kind != "tone"} <= said


@settings(max_examples=100)
@given(routines, options)
def test_with_silent_clips_nothing_is_dropped_or_pushed(
    routine: Routine, chosen: CompileOptions
) -> None:
    """The reason spoken_texts can compile with silent clips: they never give way."""
    assert compile_script(routine, chosen, lambda _text: 0.0).notices == ()
