"""`voiceguide show`: the cue list as a table or JSON, estimated or timed with real clips."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import voiceguide
from tests.support.routines import write_file
from voiceguide.routine.library import find_routine
from voiceguide.script.compiler import compile_script
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import CompileOptions

ONE_HOLD = """\
title: One hold
kind: stretch
steps:
  - say: Hug your knees.
    hold: 10
"""

TOO_FAST = """\
title: Quick breaths
kind: stretch
steps:
  - breathe: {in: 0.5, out: 0.5}
"""


def shown_json(*args: str) -> dict[str, Any]:
    result = voiceguide("show", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_table_lists_every_cue_with_its_time_and_ends_with_the_total() -> None:
    result = voiceguide("show", "floor-option3")
    assert result.exit_code == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Knees to chest (floor-option3), pace 1, estimated at 160 wpm"
    assert lines[1] == "-- 0. Before you start"
    assert lines[2] == " 0:00.0  say      Knees to chest."
    assert "-- 2. Knees to chest, round 1 of 4" in lines
    assert any(line.endswith("  hold     (15.0 s)") for line in lines)
    script = compile_script(
        find_routine("floor-option3"), CompileOptions(), estimated_duration(160)
    )
    assert lines[-1] == f"Total {int(script.duration // 60)}:{script.duration % 60:04.1f}"
    rows = [line for line in lines if re.match(r" *\d+:\d\d\.\d  \S", line)]
    assert len(rows) == len(script.cues) + sum(
        p.kind in ("hold", "pause", "rest") for p in script.phases
    )


def test_json_is_the_compiled_script_and_stdout_holds_nothing_else() -> None:
    data = shown_json("floor-option3")
    script = compile_script(
        find_routine("floor-option3"), CompileOptions(), estimated_duration(160)
    )
    assert data == json.loads(json.dumps(script.to_json()))
    assert set(data) == {"routine", "title", "duration", "cues", "phases", "steps"}


def holds(data: dict[str, Any]) -> list[float]:
    return [round(p["end"] - p["start"], 6) for p in data["phases"] if p["kind"] == "hold"]


def test_pace_stretches_every_hold() -> None:
    assert holds(shown_json("floor-option3")) == [15.0] * 4
    assert holds(shown_json("floor-option3", "--pace", "2")) == [30.0] * 4
    assert holds(shown_json("floor-option3", "--pace", "0.5")) == [7.5] * 4


def test_the_rate_changes_the_estimate() -> None:
    slow = shown_json("floor-option3", "--rate", "100")["duration"]
    fast = shown_json("floor-option3", "--rate", "250")["duration"]
    assert slow > fast


def test_count_overrides_every_holds_counting() -> None:
    up = shown_json("floor-option3", "--count", "up")
    silent = shown_json("floor-option3", "--count", "none")
    assert [c["text"] for c in up["cues"] if c["kind"] == "count"][:3] == ["One.", "Two.", "Three."]
    assert [c for c in silent["cues"] if c["kind"] == "count"] == []


def test_settings_from_the_config_file_apply_and_options_override_them(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("pace: 2\n", encoding="utf-8")
    result = voiceguide("--config", str(config), "show", "floor-option3", "--json")
    assert holds(json.loads(result.stdout)) == [30.0] * 4
    result = voiceguide("--config", str(config), "show", "floor-option3", "--json", "--pace", "1")
    assert holds(json.loads(result.stdout)) == [15.0] * 4


def test_a_path_to_a_routine_file_works_like_an_id(tmp_path: Path) -> None:
    data = shown_json(str(write_file(tmp_path, "mine.yaml", ONE_HOLD)))
    assert (data["routine"], data["title"]) == ("mine", "One hold")
    assert holds(data) == [10.0]


def test_notices_go_to_stderr_and_leave_the_json_clean(tmp_path: Path) -> None:
    path = str(write_file(tmp_path, "mine.yaml", TOO_FAST))
    result = voiceguide("show", path, "--json", "--pace", "0.5")
    assert result.exit_code == 0
    json.loads(result.stdout)
    notices = result.stderr.splitlines()
    assert notices and all(line.startswith("Notice: ") for line in notices)
    assert "mine.yaml:4: 'Breathe in.' lasts" in notices[0]
    assert "what follows starts" in notices[0]


def test_an_unknown_routine_is_one_line_of_error() -> None:
    result = voiceguide("show", "floor-option33")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no routine 'floor-option33'; did you mean 'floor-option3'? "
        "(voiceguide list shows them all)\n"
    )


@pytest.mark.parametrize("pace", ["0.4", "3.5", "fast", "nan", "inf"])
def test_a_pace_out_of_range_is_a_usage_error(pace: str) -> None:
    result = voiceguide("show", "floor-option3", "--pace", pace)
    assert result.exit_code == 2
    assert "--pace" in result.stderr


# -- --exact: the real voice and the real clip cache -------------------------------------


@pytest.mark.parametrize("engine", ["espeak-ng", "pyttsx3"])
def test_exact_times_every_cue_with_the_length_of_its_real_clip(
    engine: str, shared_cache_dir: Path
) -> None:
    from voiceguide.render.assembly import SAMPLE_RATE
    from voiceguide.render.clips import ClipStore
    from voiceguide.speech import open_voice

    data = shown_json("floor-option3", "--exact", "--engine", engine)
    store = ClipStore(shared_cache_dir, open_voice(engine, None, 160), SAMPLE_RATE)
    spoken = [c for c in data["cues"] if c["kind"] != "tone"]
    for cue in spoken:
        length = len(store.get(cue["text"])) / SAMPLE_RATE
        assert cue["end"] - cue["start"] == pytest.approx(length, abs=2e-6)
    # The clips were made by `show` and cached: reading them back synthesized nothing.
    assert store.rendered == 0
    # Real clips and the estimate disagree in detail but not by much over a routine.
    estimate = shown_json("floor-option3")["duration"]
    assert abs(data["duration"] - estimate) / data["duration"] < 0.1


def test_exact_table_says_it_is_timed_with_the_voice() -> None:
    result = voiceguide("show", "floor-option3", "--exact", "--engine", "espeak-ng")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Knees to chest (floor-option3), pace 1, timed with the voice's clips"
    )


def test_exact_says_which_engine_auto_chose() -> None:
    result = voiceguide("show", "floor-option3", "--exact")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "Engine: auto chose piper: the Piper voice is installed"


def test_exact_with_an_unknown_engine_is_one_line_of_error() -> None:
    result = voiceguide("show", "floor-option3", "--exact", "--engine", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_broken_routine_file_is_one_line_naming_the_file_and_line(tmp_path: Path) -> None:
    path = str(write_file(tmp_path, "mine.yaml", ONE_HOLD.replace("hold: 10", "hold: 700")))
    result = voiceguide("show", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}:5:")
    assert "600" in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_id_longer_than_a_file_name_can_be_is_unknown() -> None:
    result = voiceguide("show", "a" * 300)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no routine 'aaaa")


def test_exact_with_an_unusable_cache_warns_once_and_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(blocker))
    result = voiceguide("show", "floor-option3", "--exact")
    assert result.exit_code == 0, result.output
    assert "timed with the voice's clips" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: cannot write to the clip cache {blocker} (Not a directory); the clips are kept"
        " in memory this time and made again next time: choose a folder you can write in with"
        " --cache-dir or VOICEGUIDE_CACHE_DIR"
    ]
