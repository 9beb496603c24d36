"""The voice in the config file: the README's own settings work as pasted, a voice named
for one engine is not given to another, and every message about an engine or a voice
says where it was set (the option, or the file and line)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import soundfile

from tests.support.cli import PROGRAM, voiceguide
from tests.support.recording import NEEDS_PULSE, private_sink
from voiceguide.config import load_settings

README = Path(__file__).parents[2] / "README.md"
TINY_ROUTINE = "id: tiny\ntitle: Tiny\nkind: stretch\nsteps:\n  - say: Breathe out.\n"


def readme_settings() -> str:
    """The YAML block of the README's Settings section, as a reader would copy it."""
    section = README.read_text(encoding="utf-8").split("\n## Settings\n", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Settings section has no yaml block"
    return match.group(1)


@pytest.fixture
def config() -> Path:
    return Path(os.environ["VOICEGUIDE_CONFIG"])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROGRAM, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_the_readme_settings_export_a_builtin_routine_as_pasted(
    config: Path, tmp_path: Path
) -> None:
    config.write_text(readme_settings(), encoding="utf-8")
    done = run("export", "floor-option1", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    data, rate = soundfile.read(tmp_path / "floor-option1.wav")
    cues = json.loads((tmp_path / "floor-option1.cues.json").read_text(encoding="utf-8"))
    assert len(data) / rate == pytest.approx(cues["duration"], abs=0.1)


@pytest.mark.slow
@pytest.mark.audio
@pytest.mark.skipif(private_sink() is None, reason=NEEDS_PULSE)
def test_the_readme_settings_play_as_pasted(config: Path, tmp_path: Path) -> None:
    config.write_text(readme_settings(), encoding="utf-8")
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY_ROUTINE, encoding="utf-8")
    done = run("play", str(routine))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"Finished Tiny \(0:\d\d\)\.\n", done.stderr)


@pytest.mark.parametrize("engine", ["piper", "pyttsx3", "espeak-ng"])
def test_each_engine_speaks_with_the_readme_voice_named_for_it(config: Path, engine: str) -> None:
    config.write_text(readme_settings(), encoding="utf-8")
    result = voiceguide("show", "floor-option1", "--exact", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"Engine: {engine}: from --engine"
    options = dataclasses.replace(load_settings(config), engine=engine).voice_options()
    assert options.voice == load_settings(config).voices[engine]
    assert options.open().engine == engine


def test_the_readme_settings_are_ready_for_doctor(config: Path) -> None:
    config.write_text(readme_settings(), encoding="utf-8")
    findings = json.loads(voiceguide("doctor", "--json").stdout)["findings"]
    voice = next(f for f in findings if f["topic"] == "voice")
    assert voice["status"] == "ok"
    assert "from" in voice["detail"]  # the config's voice, named with its line
    assert not [f for f in findings if f["topic"] == "config" and f["status"] != "ok"]


OLD_SAMPLE = "engine: auto\nvoice: gmw/en\nrate: 150\n"


def test_a_single_voice_beside_auto_is_not_used_and_says_so_once(
    config: Path, tmp_path: Path
) -> None:
    config.write_text(OLD_SAMPLE, encoding="utf-8")
    result = voiceguide("show", "floor-option1", "--exact")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning")]
    assert warnings == [
        f"Warning: {config}:2:1: 'voice: gmw/en' is not used: a voice belongs to one engine,"
        " and 'engine: auto' speaks with piper where it is installed, else pyttsx3; name the"
        " voice for its engine, like 'voices: {pyttsx3: gmw/en}'"
    ]


def test_a_single_voice_is_the_voice_of_the_engine_named_beside_it(config: Path) -> None:
    config.write_text("engine: pyttsx3\nvoice: gmw/en-us\n", encoding="utf-8")
    result = voiceguide("show", "floor-option1", "--exact")
    assert result.exit_code == 0, result.output
    assert f"Engine: pyttsx3: from {config}, line 1" in result.stderr
    # --engine chooses another engine: the config's voice was for pyttsx3, not for it.
    result = voiceguide("show", "floor-option1", "--exact", "--engine", "espeak-ng")
    assert result.exit_code == 0, result.output
    assert "Engine: espeak-ng: from --engine" in result.stderr


def test_a_voice_that_is_not_there_says_where_it_was_set(config: Path) -> None:
    config.write_text("engine: pyttsx3\nvoices:\n  pyttsx3: nope\n", encoding="utf-8")
    result = voiceguide("export", "floor-option1", "-o", str(config.parent))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: no voice 'nope' for pyttsx3; `voiceguide voices --engine pyttsx3` lists them"
        f" (engine 'pyttsx3' from {config}, line 1; voice 'nope' from {config}, line 3)"
    ]
    result = voiceguide("show", "floor-option1", "--exact", "--voice", "nada")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: no voice 'nada' for pyttsx3; `voiceguide voices --engine pyttsx3` lists them"
        f" (engine 'pyttsx3' from {config}, line 1; voice 'nada' from --voice)"
    )
    findings = json.loads(voiceguide("doctor", "--json").stdout)
    voice = next(f for f in findings["findings"] if f["topic"] == "voice")
    assert voice["status"] == "problem"
    assert voice["detail"].endswith(f"voice 'nope' from {config}, line 3)")
    assert not findings["can_play"]


def test_a_piper_path_that_is_not_there_names_the_option(tmp_path: Path) -> None:
    result = voiceguide(
        "show", "floor-option1", "--exact", "--engine", "piper", "--voice", "gmw/en"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: no Piper model at gmw/en; give the path of a .onnx file"
        " (engine 'piper' from --engine; voice 'gmw/en' from --voice)"
    )
