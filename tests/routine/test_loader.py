from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.routines import write_file
from voiceguide.errors import RoutineError
from voiceguide.paths import builtin_routines_dir, user_routines_dir
from voiceguide.routine.format import (
    MAX_DEPTH,
    MAX_EXPANDED,
    MAX_FILE_BYTES,
    MAX_SECONDS,
)
from voiceguide.routine.library import load_routine
from voiceguide.routine.records import (
    Breathe,
    Caution,
    Include,
    Repeat,
    Rest,
    Routine,
    Say,
    Sides,
    Step,
)
from voiceguide.text import CONTROL

BUILTINS = sorted(builtin_routines_dir().glob("*.yaml"))
HEAD = "title: Test\nkind: stretch\nsteps:\n"


def error_of(path: Path) -> str:
    with pytest.raises(RoutineError) as caught:
        load_routine(path)
    return str(caught.value)


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_every_builtin_routine_loads(path: Path) -> None:
    routine = load_routine(path)
    assert routine.id == path.stem
    assert routine.steps
    assert routine.title
    assert routine.kind in ("crack", "stretch")


def test_every_kind_of_step_becomes_its_record(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "all.yaml",
        """\
title: "  Every step  "
kind: crack
summary: All of them.
equipment: [mat, towel]
contraindications: [disc problems]
cautions:
  - Stop if it hurts.
notes: Written for a test.
steps:
  - say: Lie down.
    pause: 4
  - say: Hold it.
    hold: 20.5
    count: up
    then: Let go.
  - say: Just words.
  - breathe: {in: 4, out: 6, hold: 2, hold_out: 0, cycles: 3, count: true}
    say: Breathe.
  - rest: 10
    say: Rest now.
  - caution: Go gently.
  - repeat: 2
    steps:
      - rest: 1
  - sides:
    steps:
      - say: Lift your {side} arm, not your {other} arm.
  - sides: [left, right]
    steps:
      - caution: Gently on the {side}.
""",
    )
    routine = load_routine(path)
    assert routine == Routine(
        id="all",
        title="Every step",
        kind="crack",
        path=path,
        summary="All of them.",
        equipment=("mat", "towel"),
        contraindications=("disc problems",),
        cautions=("Stop if it hurts.",),
        notes="Written for a test.",
        steps=(
            Say("Lie down.", 10, pause=4.0),
            Say("Hold it.", 12, hold=20.5, count="up", then="Let go."),
            Say("Just words.", 16),
            Breathe(4.0, 6.0, 17, hold_in=2.0, hold_out=0.0, cycles=3, count=True, say="Breathe."),
            Rest(10.0, 19, say="Rest now."),
            Caution("Go gently.", 21),
            Repeat(2, (Rest(1.0, 24),), 22),
            Sides(("right", "left"), (Say("Lift your {side} arm, not your {other} arm.", 27),), 25),
            Sides(("left", "right"), (Caution("Gently on the {side}.", 30),), 28),
        ),
    )


def test_defaults_fill_in_what_is_left_out(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "my-stretch.yml",
        HEAD + "  - say: Hold.\n    hold: 5\n  - breathe: {in: 2, out: 3}\n",
    )
    routine = load_routine(path)
    assert routine.id == "my-stretch"
    assert routine.equipment == routine.cautions == routine.contraindications == ()
    assert routine.steps == (
        Say("Hold.", 4, hold=5.0, count="down", then=None),
        Breathe(2.0, 3.0, 6, hold_in=0.0, hold_out=0.0, cycles=1, count=False, say=None),
    )


def test_a_sides_block_takes_a_title_that_may_say_the_side(tmp_path: Path) -> None:
    text = HEAD + (
        "  - sides: [right, left]\n    title: Twist to the {side}\n    steps:\n      - say: Turn.\n"
    )
    (block,) = load_routine(write_file(tmp_path, "t.yaml", "id: t\n" + text)).steps
    assert block == Sides(("right", "left"), (Say("Turn.", 8),), 5, title="Twist to the {side}")
    bad = text.replace("{side}", "{knee}")
    message = error_of(write_file(tmp_path, "u.yaml", "id: u\n" + bad))
    assert message.endswith(
        "u.yaml:6:12: 'title' has an unknown placeholder '{knee}' (only {side} and {other} "
        "are filled in)"
    )


def test_whole_number_floats_count_as_whole_numbers(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", HEAD + "  - repeat: 2.0\n    steps: [rest: 1]\n")
    step = load_routine(path).steps[0]
    assert isinstance(step, Repeat)
    assert step.times == 2
    assert isinstance(step.times, int)


def test_include_by_id_keeps_the_whole_routine(tmp_path: Path) -> None:
    path = write_file(
        tmp_path, "session.yaml", HEAD + "  - say: First.\n  - routine: floor-option3\n"
    )
    routine = load_routine(path)
    include = routine.steps[1]
    assert isinstance(include, Include)
    assert include.line == 5
    assert include.routine == load_routine(builtin_routines_dir() / "floor-option3.yaml")


def test_include_finds_the_users_routine_before_the_builtin(tmp_path: Path) -> None:
    own = write_file(
        user_routines_dir(),
        "floor-option3.yaml",
        "title: My own knees\nkind: stretch\nsteps: [say: Mine.]\n",
    )
    path = write_file(tmp_path, "session.yaml", HEAD + "  - routine: floor-option3\n")
    include = load_routine(path).steps[0]
    assert isinstance(include, Include)
    assert include.routine.title == "My own knees"
    assert include.routine.path == own


def test_include_by_file_name_next_to_the_including_file(tmp_path: Path) -> None:
    write_file(
        tmp_path / "parts", "warm-up.yaml", "title: Warm up\nkind: stretch\nsteps: [say: Warm.]\n"
    )
    path = write_file(tmp_path / "parts", "session.yaml", HEAD + "  - routine: warm-up.yaml\n")
    include = load_routine(path).steps[0]
    assert isinstance(include, Include)
    assert include.routine.id == "warm-up"


@pytest.mark.parametrize("name", ["../warm-up.yaml", "sub/warm-up.yaml", "/tmp/warm-up.yaml"])
def test_include_by_file_name_stays_in_the_same_folder(tmp_path: Path, name: str) -> None:
    write_file(tmp_path, "warm-up.yaml", "title: Warm up\nkind: stretch\nsteps: [say: Warm.]\n")
    write_file(
        tmp_path / "parts" / "sub", "warm-up.yaml", "title: W\nkind: stretch\nsteps: [say: W.]\n"
    )
    path = write_file(tmp_path / "parts", "session.yaml", HEAD + f"  - routine: {name}\n")
    assert error_of(path).endswith(
        "'routine' names a file in the same folder as this one, like 'routine: warm-up.yaml',"
        f" not a path: '{name}'"
    )


def test_an_included_routine_may_be_included_many_times(tmp_path: Path) -> None:
    write_file(tmp_path, "part.yaml", "title: Part\nkind: stretch\nsteps: [say: Part.]\n")
    path = write_file(tmp_path, "s.yaml", HEAD + "  - routine: part.yaml\n" * 3)
    steps = load_routine(path).steps
    assert [s.routine.id for s in steps if isinstance(s, Include)] == ["part"] * 3


def test_advice_and_the_step_that_loads_the_position_are_read(tmp_path: Path) -> None:
    text = (
        "title: T\nkind: crack\nadvice: Best later in the day.\nsteps:\n"
        "  - say: Reach back.\n    pause: 3\n    loads: true\n"
        "  - breathe: {in: 4, out: 6}\n    loads: true\n    attempt: true\n"
    )
    found = load_routine(write_file(tmp_path, "r.yaml", text))
    assert found.advice == "Best later in the day."
    assert found.steps == (
        Say("Reach back.", 5, pause=3.0, loads=True),
        Breathe(4.0, 6.0, 8, loads=True, attempt=True),
    )
    braces = "title: T\nkind: stretch\nadvice: Best on the {side}.\nsteps: [say: Hi.]\n"
    assert "'{side}' is only filled in inside a 'sides' block" in error_of(
        write_file(tmp_path, "b.yaml", braces)
    )


def test_an_included_routine_that_says_nothing_in_a_session_is_an_error(tmp_path: Path) -> None:
    write_file(
        tmp_path,
        "setup.yaml",
        "title: Setup\nkind: stretch\nsteps:\n"
        "  - say: Lie down.\n    pause: 8\n    alone: true\n"
        "  - repeat: 2\n    steps:\n      - rest: 5\n        alone: true\n",
    )
    path = write_file(tmp_path, "s.yaml", HEAD + "  - say: First.\n  - routine: setup.yaml\n")
    assert error_of(path) == (
        f"{path}:5:14: 'setup.yaml' has nothing to say inside a session: every step of it is "
        "marked 'alone: true'; leave 'alone' off the steps the session needs, or do not "
        "include it"
    )


def test_a_repeat_that_is_not_whole_is_shown_as_written(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", HEAD + "  - repeat: 1.0000001\n    steps: [say: Hi.]\n")
    assert error_of(path) == (
        f"{path}:4:13: 'repeat' must be a whole number from 1 to 50, like 'repeat: 3', "
        "not 1.0000001"
    )


def test_a_crack_routine_may_include_both_kinds(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "s.yaml",
        "title: T\nkind: crack\nsteps:\n  - routine: chair\n  - routine: floor-option3\n",
    )
    assert [s.routine.kind for s in load_routine(path).steps if isinstance(s, Include)] == [
        "crack",
        "stretch",
    ]


def blocks(depth: int, leaf: str = "say: Deep.") -> str:
    """``depth`` repeat blocks inside one another around one step, as YAML."""
    text = HEAD
    indent = "  "
    for _ in range(depth):
        text += f"{indent}- repeat: 2\n{indent}  steps:\n"
        indent += "    "
    return text + f"{indent}- {leaf}\n"


def test_blocks_nest_up_to_the_limit(tmp_path: Path) -> None:
    assert load_routine(write_file(tmp_path, "r.yaml", blocks(MAX_DEPTH)))


# Every mistake a user can make in a routine file, one file each, with where it is and what
# to write; the first line of each file says which error it must give.
BAD_FILES = sorted((Path(__file__).parent.parent / "data" / "routines-bad").glob("*.yaml"))


def expected_error(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# error: "), path
    return f"{path.name}:{first.removeprefix('# error: ')}"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_each_mistake_is_named_with_its_position(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(path.parent)
    assert error_of(Path(path.name)) == expected_error(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", "")
    assert error_of(path) == (
        f"{path}:1:1: the file is empty; a routine needs at least 'title:', 'kind:' and 'steps:'"
    )


def test_file_name_that_is_not_an_id_needs_an_id(tmp_path: Path) -> None:
    path = write_file(tmp_path, "My Stretch.yaml", "title: T\nkind: crack\nsteps: [say: a]\n")
    assert error_of(path) == (
        f"{path}:1:1: the file name 'My Stretch' cannot be used as the routine's id; add "
        "'id: my-stretch' (lowercase letters, digits and dashes) or rename the file"
    )
    path.write_text("id: my-stretch\ntitle: T\nkind: crack\nsteps: [say: a]\n")
    assert load_routine(path).id == "my-stretch"


def test_in_a_routines_folder_the_id_is_the_file_name(tmp_path: Path) -> None:
    text = "id: other\ntitle: T\nkind: crack\nsteps: [say: a]\n"
    assert load_routine(write_file(tmp_path, "mine.yaml", text)).id == "other"
    path = write_file(user_routines_dir(), "mine.yaml", text)
    assert error_of(path) == (
        f"{path}:1:5: this file is in a routines folder, where routines are found by file "
        "name: write 'id: mine' (or leave 'id' out), or rename the file to 'other.yaml'"
    )


def test_include_cycle_names_the_chain(tmp_path: Path) -> None:
    folder = user_routines_dir()
    write_file(folder, "a.yaml", HEAD + "  - routine: b\n")
    write_file(folder, "b.yaml", HEAD + "  - say: Between.\n  - routine: c\n")
    c = write_file(folder, "c.yaml", HEAD + "  - routine: a\n")
    assert error_of(folder / "a.yaml") == (
        f"{c}:4:14: including 'a' here makes a cycle: a -> b -> c -> a; a routine cannot "
        "include itself, directly or through others"
    )


def test_error_in_an_included_file_points_into_that_file(tmp_path: Path) -> None:
    part = write_file(tmp_path, "part.yaml", HEAD + "  - say: a\n    hodl: 3\n")
    path = write_file(tmp_path, "s.yaml", HEAD + "  - routine: part.yaml\n")
    assert error_of(path) == f"{part}:5:5: unknown key 'hodl' in a step; did you mean 'hold'?"


def test_nesting_counts_through_includes(tmp_path: Path) -> None:
    write_file(tmp_path, "deep.yaml", blocks(MAX_DEPTH - 1))
    assert load_routine(write_file(tmp_path, "ok.yaml", HEAD + "  - routine: deep.yaml\n"))
    path = write_file(
        tmp_path, "s.yaml", HEAD + "  - repeat: 2\n    steps:\n      - routine: deep.yaml\n"
    )
    assert error_of(path) == (
        f"{path}:6:18: including 'deep.yaml' here nests blocks {MAX_DEPTH + 1} deep; at most "
        f"{MAX_DEPTH} are allowed (repeat, sides, question and routine count)"
    )


def test_size_counts_through_includes(tmp_path: Path) -> None:
    write_file(tmp_path, "big.yaml", HEAD + "  - breathe: {in: 1, out: 1, cycles: 50}\n" * 100)
    path = write_file(tmp_path, "s.yaml", HEAD + "  - repeat: 3\n    steps: [routine: big.yaml]\n")
    assert error_of(path) == (
        f"{path}:4:5: these steps expand to 15000 steps once repeated; at most "
        f"{MAX_EXPANDED} are allowed: lower a 'repeat' or 'cycles'"
    )


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", b"title: T\nkind: crack\nsteps:\n  - say: caf\xe9\n")
    assert error_of(path) == f"{path}:4:13: byte 0xe9 is not UTF-8; save the file as UTF-8"


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = write_file(tmp_path, "r.yaml", "\n".join(lines) + "\n")
    message = error_of(path)
    assert message.startswith(f"{path}:")
    assert message.endswith(
        "aliases expand to more than 50000 values; write the values out instead"
    )


def test_a_long_plain_file_is_not_taken_for_an_alias_bomb(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", HEAD + "  - {say: a, hold: 1}\n" * 9_999)
    assert len(load_routine(path).steps) == 9_999


@pytest.mark.parametrize("routine_id", ["-x", "--help"])
def test_an_id_cannot_start_with_a_dash(tmp_path: Path, routine_id: str) -> None:
    # It names the exported files: "--help.wav" reads as an option to the next command.
    path = write_file(tmp_path, "r.yaml", f"id: '{routine_id}'\n" + HEAD)
    assert "not starting with a dash" in error_of(path)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path, "r.yaml", HEAD + "  - say: a\n" + "#" * (300 * 1024) + "\n")
    assert error_of(path) == (
        f"{path}: the file is 300 KiB; at most {MAX_FILE_BYTES // 1024} KiB is allowed"
    )


def test_missing_file(tmp_path: Path) -> None:
    assert error_of(tmp_path / "none.yaml") == f"no such file: {tmp_path / 'none.yaml'}"


# -- properties ---------------------------------------------------------------------------


def load_or_error(path: Path) -> Routine | RoutineError:
    try:
        return load_routine(path)
    except RoutineError as exc:
        assert str(exc)
        return exc


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
def test_any_text_gives_a_routine_or_a_routine_error(tmp_path: Path, text: str) -> None:
    load_or_error(write_file(tmp_path, "any.yaml", text))


YAMLISH = st.text(
    alphabet=st.sampled_from(list("abkst -:{}[],\n#&*!|>'\"0123456789.") + list(HEAD[:20])),
    max_size=200,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAMLISH)
def test_yaml_like_text_gives_a_routine_or_a_routine_error(tmp_path: Path, text: str) -> None:
    load_or_error(write_file(tmp_path, "any.yaml", HEAD + text))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_routine_or_a_routine_error(tmp_path: Path, data: bytes) -> None:
    load_or_error(write_file(tmp_path, "any.yaml", data))


# Random valid routines, as plain data: each generated document is one a user could write.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="{}"),
    min_size=1,
    max_size=30,
).filter(lambda s: s == s.strip() and bool(s) and not CONTROL.search(s))
SECONDS = st.one_of(
    st.integers(1, MAX_SECONDS),
    st.floats(0, MAX_SECONDS, exclude_min=True, allow_nan=False, allow_infinity=False),
)


def spoken(in_sides: bool) -> st.SearchStrategy[str]:
    if not in_sides:
        return TEXT
    return st.tuples(TEXT, st.sampled_from(["", " {side}", " {other}"])).map("".join)


def optional(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


def say_step(in_sides: bool) -> st.SearchStrategy[dict[str, Any]]:
    text = spoken(in_sides)
    held = st.fixed_dictionaries(
        {"say": text, "hold": SECONDS},
        optional={"count": st.sampled_from(["down", "up", "none"]), "then": text},
    )
    paused = st.fixed_dictionaries({"say": text}, optional={"pause": SECONDS})
    return st.one_of(held, paused)


def leaf(in_sides: bool) -> st.SearchStrategy[dict[str, Any]]:
    text = spoken(in_sides)
    breath = st.fixed_dictionaries(
        {"in": SECONDS, "out": SECONDS},
        optional={
            "hold": st.one_of(st.just(0), SECONDS),
            "hold_out": st.one_of(st.just(0), SECONDS),
            "cycles": st.integers(1, 4),
            "count": st.booleans(),
        },
    )
    return st.one_of(
        say_step(in_sides),
        st.fixed_dictionaries({"breathe": breath}, optional={"say": text}),
        st.fixed_dictionaries({"rest": SECONDS}, optional={"say": text}),
        st.fixed_dictionaries({"caution": text}),
    )


def steps(depth: int, in_sides: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    options = [leaf(in_sides)]
    if depth < MAX_DEPTH:
        options.append(
            st.fixed_dictionaries(
                {"repeat": st.integers(1, 3), "steps": steps(depth + 1, in_sides)}
            )
        )
        options.append(
            st.fixed_dictionaries(
                {
                    "sides": st.sampled_from([None, ["right", "left"], ["left", "right"]]),
                    "steps": steps(depth + 1, True),
                }
            )
        )
    return st.lists(st.one_of(options), min_size=1, max_size=3)


ROUTINES = st.fixed_dictionaries(
    {"title": TEXT, "kind": st.sampled_from(["crack", "stretch"]), "steps": steps(0, False)},
    optional={
        "id": st.from_regex(r"[a-z0-9][a-z0-9-]{0,19}", fullmatch=True),
        "summary": TEXT,
        "equipment": st.lists(TEXT, max_size=3),
        "contraindications": st.lists(TEXT, max_size=3),
        "cautions": st.lists(TEXT, max_size=3),
        "notes": TEXT,
    },
)


def expanded(items: list[dict[str, Any]]) -> int:
    total = 0
    for item in items:
        if "repeat" in item:
            total += item["repeat"] * expanded(item["steps"])
        elif "sides" in item:
            total += 2 * expanded(item["steps"])
        elif "breathe" in item:
            total += item["breathe"].get("cycles", 1)
        else:
            total += 1
    return total


def shape(items: list[dict[str, Any]]) -> list[Any]:
    """What each step should become: its record type, and the same for inner steps."""
    kinds = {"repeat": Repeat, "sides": Sides, "breathe": Breathe, "rest": Rest, "caution": Caution}
    result: list[Any] = []
    for item in items:
        kind = next((k for k in kinds if k in item), "say")
        record = kinds.get(kind, Say)
        result.append((record, shape(item["steps"])) if "steps" in item else record)
    return result


def record_shape(records: tuple[Step, ...]) -> list[Any]:
    return [
        (type(r), record_shape(r.steps)) if isinstance(r, Repeat | Sides) else type(r)
        for r in records
    ]


def spoken_texts(items: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for item in items:
        for key in ("say", "caution", "then"):
            if key in item:
                found.append(item[key])
        if "steps" in item:
            found += spoken_texts(item["steps"])
    return found


def record_texts(records: tuple[Step, ...]) -> list[str]:
    found: list[str] = []
    for r in records:
        if isinstance(r, Say):
            found += [r.text] + ([r.then] if r.then else [])
        elif isinstance(r, Breathe | Rest) and r.say:
            found.append(r.say)
        elif isinstance(r, Caution):
            found.append(r.text)
        elif isinstance(r, Repeat | Sides):
            found += record_texts(r.steps)
    return found


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=ROUTINES, flow=st.booleans())
def test_valid_routines_written_as_yaml_load(
    tmp_path: Path, document: dict[str, Any], flow: bool
) -> None:
    assume(expanded(document["steps"]) <= MAX_EXPANDED)
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=flow))
    routine = load_routine(path)
    assert routine.id == document.get("id", "generated")
    assert routine.title == document["title"]
    assert routine.kind == document["kind"]
    assert routine.cautions == tuple(document.get("cautions", ()))
    assert record_shape(routine.steps) == shape(document["steps"])
    assert sorted(record_texts(routine.steps)) == sorted(spoken_texts(document["steps"]))


def test_steps_remember_their_lines_in_flow_style(tmp_path: Path) -> None:
    path = write_file(
        tmp_path, "flow.yaml", "title: T\nkind: crack\nsteps: [{say: a}, {rest: 2}]\n"
    )
    assert [step.line for step in load_routine(path).steps] == [3, 3]


# Hostile YAML that PyYAML alone turns into other exceptions (ValueError from an impossible
# date or an integer too long to convert, RecursionError from deep nesting or an alias
# inside itself, ConstructorError from a bad merge key): each is a located RoutineError.
HOSTILE = [
    (
        "impossible date",
        HEAD + "  - say: 2024-13-45\n",
        ":4:10: cannot read the value '2024-13-45'",
    ),
    ("integer too long", HEAD + "  - rest: " + "9" * 5000 + "\n", ":4:11: cannot read the value"),
    ("deep nesting", "[" * 5000 + "]" * 5000 + "\n", ":1:1: the file nests more than 64 levels"),
    ("alias inside itself", "&a [*a]\n", ":1:1: an alias refers to the value it stands inside"),
    (
        "bad merge key",
        "title: T\nkind: crack\nsteps:\n  - <<: 5\n    say: a\n",
        ":4:5: a '<<' merge",
    ),
]


@pytest.mark.parametrize(("text", "message"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_yaml_gives_a_routine_error(tmp_path: Path, text: str, message: str) -> None:
    path = write_file(tmp_path, "r.yaml", text)
    with pytest.raises(RoutineError) as caught:
        load_routine(path)
    assert str(caught.value).startswith(f"{path}{message}")
    assert "\n" not in str(caught.value)


def test_an_unknown_key_is_shortened_in_the_error(tmp_path: Path) -> None:
    secret = "password-" * 20
    path = write_file(
        tmp_path, "r.yaml", f"title: T\nkind: stretch\n{secret}: 1\nsteps: [say: Hi.]\n"
    )
    message = error_of(path)
    assert message.startswith(f"{path}:3:1: unknown key '{secret[:37]}...'; ")
    assert secret[:60] not in message


@pytest.mark.parametrize("name", ["a" * 300, "a" * 300 + ".yaml"])
def test_an_include_name_longer_than_a_file_name_can_be(tmp_path: Path, name: str) -> None:
    path = write_file(tmp_path, "r.yaml", HEAD + f"  - routine: {name}\n")
    assert error_of(path).startswith(f"{path}:4:14: no routine")


def test_a_routines_bed_is_a_name_or_a_path_from_its_folder(tmp_path: Path) -> None:
    def bed_of(value: str) -> str | None:
        return load_routine(
            write_file(tmp_path, "r.yaml", f"bed: {value}\n{HEAD}  - say: Hi.\n")
        ).bed

    assert bed_of("waves") == "waves"
    assert bed_of("sounds/rain.ogg") == str(tmp_path / "sounds/rain.ogg")
    assert bed_of("/music/sea.flac") == "/music/sea.flac"
    assert load_routine(write_file(tmp_path, "n.yaml", f"{HEAD}  - say: Hi.\n")).bed is None
    assert error_of(write_file(tmp_path, "b.yaml", f"bed: 3\n{HEAD}  - say: Hi.\n")) == (
        f"{tmp_path / 'b.yaml'}:1:6: 'bed' must be a soundscape's name (like 'waves') or an "
        "audio file's path, not 3 (put it in quotes)"
    )
