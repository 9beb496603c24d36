"""doctor runs in a fresh process each time: PortAudio reads the device list once, when it
starts, so the audio server a test points at must be set before the process begins."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.support.cli import PROGRAM
from tests.support.recording import needs_pulse


def run_doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROGRAM, "doctor", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@needs_pulse
def test_ready_with_an_audio_server() -> None:
    result = run_doctor("--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["can_play"] is True
    topics = {f["topic"]: f for f in report["findings"]}
    # The dev setup installs the Piper extra, so auto chooses it.
    assert topics["speech: auto"]["detail"] == "auto chose piper: the Piper voice is installed"
    assert topics["speech: piper (chosen)"]["status"] == "ok"
    assert topics["output device"]["status"] == "ok"


def test_no_audio_server_gives_the_fix_and_status_1(tmp_path: Path) -> None:
    result = run_doctor(env={"PULSE_SERVER": f"unix:{tmp_path}/no-such-socket"})
    assert result.returncode == 1
    assert "!!  output device" in result.stdout
    assert "fix: connect or enable a sound output" in result.stdout
    assert "play: not possible (see the fixes above)" in result.stdout
    assert "export: ready" in result.stdout


def test_unknown_engine_in_config_blocks_play_and_export(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("engine: festival\n")
    result = run_doctor("--json", env={"VOICEGUIDE_CONFIG": str(config)})
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["can_export"] is False
    speech = [f for f in report["findings"] if f["topic"] == "speech"]
    assert speech[0]["fix"] == "set engine to auto, piper, pyttsx3 or espeak-ng in the config file"


def test_broken_config_is_reported_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("rate: 150\npace: [1]\n")
    result = run_doctor(env={"VOICEGUIDE_CONFIG": str(config)})
    assert result.returncode == 1
    assert "!!  config" in result.stdout
    assert f"{config}:2:7: 'pace' must be a number from 0.5 to 3" in result.stdout
    # The fix points to what a config file takes, not to the format of routines.
    assert f"fix: correct {config} (the README's Settings section lists" in result.stdout
    assert "routine-format" not in result.stdout


def test_an_engine_with_one_voice_has_one_voice() -> None:
    result = run_doctor()
    piper = next(line for line in result.stdout.splitlines() if "speech: piper" in line)
    assert ", 1 voice, default voice en_US-joe-medium" in piper


def test_unwritable_cache_is_a_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_doctor("--json", env={"VOICEGUIDE_CACHE_DIR": str(blocker / "cache")})
    report = json.loads(result.stdout)
    cache = next(f for f in report["findings"] if f["topic"] == "clip cache")
    assert cache["status"] == "note"  # a cache is only a cache: play and export still work
    assert cache["fix"] == "choose another folder with --cache-dir or VOICEGUIDE_CACHE_DIR"


def test_a_cache_that_is_a_file_and_a_config_that_is_a_folder_are_reported(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {"VOICEGUIDE_CACHE_DIR": str(blocker), "VOICEGUIDE_CONFIG": str(tmp_path)}
    result = run_doctor("--json", env=env)
    assert "Traceback" not in result.stderr and result.stdout, result.stderr
    report = json.loads(result.stdout)
    found = {f["topic"]: f for f in report["findings"]}
    assert (
        found["clip cache"]["detail"]
        == f"{blocker} is a file, not a folder; clips are made again each time"
    )
    assert found["config"]["status"] == "problem"
    assert found["config"]["detail"] == (
        f"the config file {tmp_path} is a folder; point --config or VOICEGUIDE_CONFIG at a file"
    )
