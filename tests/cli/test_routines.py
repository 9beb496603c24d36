from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pexpect
import pytest

from tests.support.cli import PROGRAM, voiceguide
from voiceguide.paths import builtin_routines_dir, user_routines_dir
from voiceguide.routine.library import find_routine
from voiceguide.routine.schema import routine_schema, schema_text
from voiceguide.script.compiler import compile_script
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import CompileOptions

HEAD = "title: Test\nkind: stretch\nsteps:\n"
BUILTIN_IDS = sorted(path.stem for path in builtin_routines_dir().glob("*.yaml"))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty folder, so that messages name files as the user typed them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    return "\n".join(lines) + "\n"


# The mistakes a user makes most, each as the exact line `validate` prints.
MISTAKES: list[tuple[str, str | bytes, str]] = [
    (
        "syntax error",
        HEAD + "  - say: [unclosed\n",
        "r.yaml:5:1: YAML syntax error: expected ',' or ']', but got '<stream end>'",
    ),
    (
        "unknown key",
        HEAD + "  - say: Hold.\n    hodl: 5\n",
        "r.yaml:5:5: unknown key 'hodl' in a step; did you mean 'hold'?",
    ),
    (
        "wrong type",
        HEAD + "  - say: Hold.\n    hold: long\n",
        "r.yaml:5:11: 'hold' must be a number of seconds, like 'hold: 5', not 'long'",
    ),
    (
        "out of range",
        HEAD + "  - rest: 700\n",
        "r.yaml:4:11: 'rest' must be more than 0 and at most 600 seconds, not 700; "
        "split a longer time into several steps",
    ),
    (
        "two actions",
        HEAD + "  - rest: 5\n    caution: Careful.\n",
        "r.yaml:5:5: a step does one thing, but this one has 'rest' and 'caution'; "
        "split it into two steps",
    ),
    (
        "no action",
        HEAD + "  - hold: 5\n",
        "r.yaml:4:5: 'hold' needs 'say:' beside it, with the words to speak first",
    ),
    (
        "unknown routine id",
        HEAD + "  - routine: rocking-strech\n",
        "r.yaml:4:14: no routine 'rocking-strech'; did you mean 'rocking-stretch'? "
        "(voiceguide list shows them all)",
    ),
    (
        "side outside sides",
        HEAD + "  - say: Turn to your {side}.\n",
        "r.yaml:4:10: '{side}' is only filled in inside a 'sides' block; write the side out, "
        "or put this step under 'sides: [right, left]'",
    ),
    (
        "non-UTF-8 bytes",
        b"title: Caf\xe9 stretch\nkind: stretch\nsteps: [say: a]\n",
        "r.yaml:1:11: byte 0xe9 is not UTF-8; save the file as UTF-8",
    ),
    (
        "alias bomb",
        alias_bomb(),
        "r.yaml:1:13: the file's aliases expand to more than 50000 values; "
        "write the values out instead",
    ),
    (
        "huge file",
        HEAD + "  - say: a\n" + "#" * (300 * 1024) + "\n",
        "r.yaml: the file is 300 KiB; at most 256 KiB is allowed",
    ),
    (
        "empty file",
        "",
        "r.yaml:1:1: the file is empty; a routine needs at least 'title:', 'kind:' and 'steps:'",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_validate_names_each_mistake(here: Path, content: str | bytes, message: str) -> None:
    path = here / "r.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = voiceguide("validate", "r.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")


def test_validate_names_an_include_cycle(here: Path) -> None:
    (here / "a.yaml").write_text(HEAD + "  - routine: b.yaml\n")
    (here / "b.yaml").write_text(HEAD + "  - say: Between.\n  - routine: a.yaml\n")
    result = voiceguide("validate", "a.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: b.yaml:5:14: including 'a.yaml' here makes a cycle: a -> b -> a; "
        "a routine cannot include itself, directly or through others\n"
    )


def test_validate_checks_every_file(here: Path) -> None:
    (here / "good.yaml").write_text(HEAD + "  - say: Fine.\n")
    (here / "bad.yaml").write_text(HEAD + "  - say: Fine.\n    pause: 0\n")
    result = voiceguide("validate", "bad.yaml", "good.yaml", "gone.yaml", "good.yaml")
    assert result.exit_code == 1
    assert result.stdout == "good.yaml: OK\ngood.yaml: OK\n"
    assert result.stderr == (
        "Error: bad.yaml:5:12: 'pause' must be more than 0 and at most 600 seconds, not 0\n"
        "Error: no such file: gone.yaml\n"
    )


def test_validate_passes_good_files(here: Path) -> None:
    paths = [str(p) for p in sorted(builtin_routines_dir().glob("*.yaml"))]
    result = voiceguide("validate", "--strict", *paths)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "".join(f"{p}: OK\n" for p in paths)


def test_validate_takes_a_routine_id(here: Path) -> None:
    result = voiceguide("validate", "--strict", "floor-option1", "gentle-floor-session")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "floor-option1: OK\ngentle-floor-session: OK\n"
    unknown = voiceguide("validate", "flor-option1")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "Error: no routine 'flor-option1'; did you mean 'floor-option1'? "
        "(voiceguide list shows them all)\n"
    )


DOUBLED = HEAD + "  - say: Breathe in. As you breathe out, relax.\n    breathe: {in: 4, out: 6}\n"
DOUBLED_WARNING = (
    "mine.yaml:4: the words before this breathing say 'breathe in', and so does the first "
    "breath prompt; leave 'breathe in' out of the words (like 'On the next breath out, ...'): "
    "voiceguide drops the second prompt, so the breath in starts before the words end"
)


def test_validate_warns_with_the_line_and_what_to_change(here: Path) -> None:
    (here / "mine.yaml").write_text(DOUBLED)
    result = voiceguide("validate", "mine.yaml")
    assert result.exit_code == 0
    assert result.stdout == "mine.yaml: OK, with 1 warning\n"
    assert result.stderr == f"Warning: {DOUBLED_WARNING}\n"


def test_validate_strict_makes_warnings_errors(here: Path) -> None:
    (here / "mine.yaml").write_text(DOUBLED)
    (here / "good.yaml").write_text(HEAD + "  - say: Fine.\n")
    result = voiceguide("validate", "--strict", "mine.yaml", "good.yaml")
    assert result.exit_code == 1
    assert result.stdout == "good.yaml: OK\n"
    assert result.stderr == f"Error: {DOUBLED_WARNING}\n"


def test_validate_strict_refuses_a_move_inside_breathing(here: Path) -> None:
    (here / "mine.yaml").write_text(
        HEAD + "  - say: On the breath out, roll onto your side.\n    breathe: {in: 4, out: 6}\n"
    )
    result = voiceguide("validate", "--strict", "mine.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: mine.yaml:4: 'On the breath out, roll onto your side.' asks for a change of "
        "position inside a breathing step"
    )


def test_validate_needs_a_file() -> None:
    result = voiceguide("validate")
    assert result.exit_code == 2
    assert "Missing argument 'FILES...'" in result.stderr


def rows(output: str) -> list[list[str]]:
    """The plain table as cells: columns are two or more spaces apart."""
    return [re.split(r" {2,}", line) for line in output.splitlines()]


def clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def test_list_shows_every_builtin_as_a_plain_table() -> None:
    result = voiceguide("list")
    assert (result.exit_code, result.stderr) == (0, "")
    table = rows(result.stdout)
    assert table[0] == ["ID", "TITLE", "KIND", "DURATION", "EQUIPMENT"]
    assert [row[0] for row in table[1:]] == BUILTIN_IDS
    chair = find_routine("chair")
    duration = compile_script(chair, CompileOptions(), estimated_duration(160)).duration
    assert table[1 + BUILTIN_IDS.index("chair")] == [
        "chair",
        chair.title,
        "crack",
        clock(duration),
        ", ".join(chair.equipment),
    ]


def test_list_shows_a_dash_for_no_equipment(here: Path) -> None:
    user_routines_dir().mkdir(parents=True)
    (user_routines_dir() / "bare.yaml").write_text(HEAD + "  - say: Nothing needed.\n")
    table = rows(voiceguide("list").stdout)
    assert next(row for row in table if row[0] == "bare")[-1] == "-"


def test_list_by_kind() -> None:
    result = voiceguide("list", "--kind", "crack")
    ids = [row[0] for row in rows(result.stdout)[1:]]
    assert ids == [i for i in BUILTIN_IDS if find_routine(i).kind == "crack"]
    assert "chair" in ids
    assert "floor-option3" not in ids


def test_list_json_has_the_fields_and_the_compilers_duration() -> None:
    result = voiceguide("list", "--json", "--kind", "stretch")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert {item["kind"] for item in items} == {"stretch"}
    knees = next(item for item in items if item["id"] == "floor-option3")
    routine = find_routine("floor-option3")
    duration = compile_script(routine, CompileOptions(), estimated_duration(160)).duration
    assert knees == {
        "id": "floor-option3",
        "title": routine.title,
        "kind": "stretch",
        "duration": round(duration, 1),
        "equipment": list(routine.equipment),
        "source": "builtin",
        "path": str(builtin_routines_dir() / "floor-option3.yaml"),
    }


def test_list_times_every_builtin_at_the_configs_pace_and_rate_as_show_does() -> None:
    Path(os.environ["VOICEGUIDE_CONFIG"]).write_text("pace: 1.5\nrate: 140\n", encoding="utf-8")
    listed = {
        item["id"]: item["duration"] for item in json.loads(voiceguide("list", "--json").stdout)
    }
    table = {row[0]: row[3] for row in rows(voiceguide("list").stdout)[1:]}
    assert sorted(listed) == sorted(BUILTIN_IDS)
    for routine_id in BUILTIN_IDS:
        shown = json.loads(voiceguide("show", routine_id, "--json").stdout)["duration"]
        assert listed[routine_id] == round(shown, 1), routine_id
        assert table[routine_id] == clock(shown), routine_id


def test_list_includes_user_routines_and_reports_broken_ones() -> None:
    folder = user_routines_dir()
    folder.mkdir(parents=True)
    (folder / "chair.yaml").write_text("title: My chair\nkind: crack\nsteps: [say: Sit.]\n")
    (folder / "broken.yaml").write_text(HEAD + "  - say: a\n    hold: -5\n")
    (folder / "empty.yaml").write_text("")
    result = voiceguide("list", "--json")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: skipped {folder / 'broken.yaml'}:5:11: 'hold' must be more than 0 and "
        "at most 600 seconds, not -5\n"
        f"Warning: skipped {folder / 'empty.yaml'}:1:1: the file is empty; a routine needs "
        "at least 'title:', 'kind:' and 'steps:'\n"
    )
    items = {item["id"]: item for item in json.loads(result.stdout)}
    assert sorted(items) == BUILTIN_IDS
    assert (items["chair"]["title"], items["chair"]["source"]) == ("My chair", "user")
    assert items["chair"]["path"] == str(folder / "chair.yaml")


def test_list_names_the_skipped_file_when_an_include_is_broken() -> None:
    folder = user_routines_dir()
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("title: A\nkind: stretch\nsteps:\n  - routine: b\n")
    (folder / "b.yaml").write_text(
        "title: B\nkind: stretch\nsteps:\n  - say: Hi.\n  - routine: a\n"
    )
    result = voiceguide("list", "--json")
    assert result.exit_code == 0
    cycle = "a routine cannot include itself, directly or through others"
    assert result.stderr.splitlines() == [
        f"Warning: skipped {folder / 'a.yaml'}: an included routine is not valid: "
        f"{folder / 'b.yaml'}:5:14: including 'a' here makes a cycle: a -> b -> a; {cycle}",
        f"Warning: skipped {folder / 'b.yaml'}: an included routine is not valid: "
        f"{folder / 'a.yaml'}:4:14: including 'b' here makes a cycle: b -> a -> b; {cycle}",
    ]


def test_schema_prints_the_packaged_schema() -> None:
    result = voiceguide("schema")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == schema_text()
    assert json.loads(result.stdout) == routine_schema()


def test_list_draws_a_rich_table_on_a_terminal() -> None:
    child = pexpect.spawn(
        sys.executable, ["-m", "voiceguide", "list"], dimensions=(60, 200), encoding="utf-8"
    )
    output = child.read()
    child.wait()
    assert child.exitstatus == 0
    assert "\x1b[1m" in output  # the bold header: rich drew it, not the plain printer
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert re.search(r"ID\s+TITLE\s+KIND\s+DURATION\s+EQUIPMENT", plain)
    for routine_id in BUILTIN_IDS:
        assert re.search(rf"^\s*{re.escape(routine_id)}\s", plain, re.MULTILINE), routine_id


def run_as_nobody(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The real program as an unprivileged user: as root, permissions deny nothing."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(sys.path),
        "VOICEGUIDE_DATA_DIR": str(data_dir),
        "VOICEGUIDE_CONFIG": str(data_dir / "none.yaml"),
        "VOICEGUIDE_CACHE_DIR": str(data_dir / "cache"),
        "HOME": str(data_dir),
    }
    setpriv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    command = [*setpriv, *PROGRAM, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root")
def test_an_unreadable_user_routines_folder_leaves_the_built_ins_usable() -> None:
    # pytest's own temporary folders are private to root; this one is open to "nobody".
    with tempfile.TemporaryDirectory(prefix="voiceguide-perm-") as name:
        data_dir = Path(name) / "data"
        folder = data_dir / "routines"
        folder.mkdir(parents=True)
        (folder / "mine.yaml").write_text(HEAD + "  - say: Mine.\n")
        folder.chmod(0)
        for opened in (Path(name), data_dir):
            opened.chmod(0o777)
        try:
            check_unreadable_folder(data_dir, folder)
        finally:
            folder.chmod(0o755)


def check_unreadable_folder(data_dir: Path, folder: Path) -> None:
    listed = run_as_nobody("list", data_dir=data_dir)
    assert listed.returncode == 0, listed.stderr
    assert "floor-option1" in listed.stdout
    assert "Traceback" not in listed.stderr
    assert (
        f"Warning: skipped {folder}: cannot read the routines folder (Permission denied); "
        "its routines are left out until you fix its permissions"
    ) in listed.stderr

    unknown = run_as_nobody("show", "no-such-routine", data_dir=data_dir)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("Error: no routine 'no-such-routine'")
    assert "Traceback" not in unknown.stderr

    shown = run_as_nobody("show", "floor-option1", data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
