from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide.errors import RoutineError
from voiceguide.paths import builtin_routines_dir, user_routines_dir
from voiceguide.routine.library import (
    all_routines,
    find_routine,
    looks_like_path,
    origin_of,
    routine_file,
    routine_files,
    scan_routines,
    unknown_routine,
)
from voiceguide.routine.records import Include

BUILTIN_IDS = sorted(path.stem for path in builtin_routines_dir().glob("*.yaml"))


def write_user(name: str, text: str) -> Path:
    folder = user_routines_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def simple(title: str, kind: str = "stretch") -> str:
    return f"title: {title}\nkind: {kind}\nsteps:\n  - say: Breathe.\n"


def test_builtins_are_found_by_id() -> None:
    routine = find_routine("chair")
    assert routine.id == "chair"
    assert routine.path == builtin_routines_dir() / "chair.yaml"
    assert origin_of(routine) == "builtin"


def test_the_library_holds_every_builtin() -> None:
    assert [r.id for r in all_routines()] == BUILTIN_IDS
    assert list(routine_files()) == BUILTIN_IDS
    assert len(BUILTIN_IDS) >= 18


def test_unknown_id_suggests_the_closest() -> None:
    with pytest.raises(RoutineError) as caught:
        find_routine("chiar")
    assert str(caught.value) == (
        "no routine 'chiar'; did you mean 'chair'? (voiceguide list shows them all)"
    )


def test_unknown_id_without_a_close_one() -> None:
    assert unknown_routine("zzzzzz") == "no routine 'zzzzzz' (voiceguide list shows them all)"


def test_only_usable_ids_are_suggested() -> None:
    write_user("Chair Two.yaml", simple("Badly named"))
    assert unknown_routine("Chair Tw") == (
        "no routine 'Chair Tw'; did you mean 'chair'? (voiceguide list shows them all)"
    )


def test_a_path_works_as_well_as_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(simple("Mine"))
    assert find_routine(str(path)).title == "Mine"
    monkeypatch.chdir(tmp_path)
    routine = find_routine("mine.yaml")
    assert routine.title == "Mine"
    assert origin_of(routine) == "file"


def test_a_missing_path_says_so(tmp_path: Path) -> None:
    with pytest.raises(RoutineError) as caught:
        find_routine(str(tmp_path / "gone.yaml"))
    assert str(caught.value) == f"no such file: {tmp_path / 'gone.yaml'}"


@pytest.mark.parametrize(
    ("name", "is_path"),
    [
        ("chair", False),
        ("chair.yaml", True),
        ("chair.yml", True),
        ("./chair", True),
        ("routines/chair", True),
        ("floor-option1", False),
    ],
)
def test_what_counts_as_a_path(name: str, is_path: bool) -> None:
    assert looks_like_path(name) is is_path


def test_user_routines_join_the_builtins() -> None:
    write_user("evening.yaml", simple("Evening"))
    write_user("morning.yml", simple("Morning"))
    routines = all_routines()
    assert [r.id for r in routines] == sorted([*BUILTIN_IDS, "evening", "morning"])
    morning = find_routine("morning")
    assert morning.title == "Morning"
    assert origin_of(morning) == "user"


def test_a_user_routine_takes_the_place_of_a_builtin_with_its_id() -> None:
    own = write_user("chair.yaml", simple("My chair", "crack"))
    assert routine_file("chair") == own
    assert find_routine("chair").title == "My chair"
    chairs = [r for r in all_routines() if r.id == "chair"]
    assert [(r.title, origin_of(r)) for r in chairs] == [("My chair", "user")]


def test_yaml_wins_over_yml_and_hidden_files_are_left_out() -> None:
    write_user("twin.yaml", simple("Long suffix"))
    write_user("twin.yml", simple("Short suffix"))
    write_user(".draft.yaml", "not: [a routine")
    assert find_routine("twin").title == "Long suffix"
    assert [r.title for r in all_routines() if r.id == "twin"] == ["Long suffix"]


def test_a_broken_user_file_does_not_hide_the_others() -> None:
    broken = write_user("broken.yaml", simple("Broken") + "    hodl: 5\n")
    write_user("fine.yaml", simple("Fine"))
    scan = scan_routines()
    assert [r.id for r in scan.routines] == sorted([*BUILTIN_IDS, "fine"])
    assert [str(e) for e in scan.errors] == [
        f"{broken}:5:5: unknown key 'hodl' in a step; did you mean 'hold'?"
    ]
    with pytest.raises(RoutineError) as caught:
        all_routines()
    assert str(caught.value) == str(scan.errors[0])


def test_a_user_session_includes_user_and_builtin_routines() -> None:
    write_user("warm.yaml", simple("Warm"))
    write_user(
        "session.yaml",
        "title: Session\nkind: stretch\nsteps:\n  - routine: warm\n  - routine: floor-option3\n",
    )
    steps = find_routine("session").steps
    assert [s.routine.id for s in steps if isinstance(s, Include)] == ["warm", "floor-option3"]


def test_the_user_folder_may_be_missing() -> None:
    assert not user_routines_dir().exists()
    assert [r.id for r in all_routines()] == BUILTIN_IDS
