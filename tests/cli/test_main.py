"""The CLI shell: version, error lines, exit statuses, --debug and Ctrl-C."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.support.cli import PROGRAM, voiceguide
from voiceguide import __version__
from voiceguide.cli import cli, main
from voiceguide.practice.journal import Journal, SessionStart
from voiceguide.routine.library import find_routine


def test_version() -> None:
    result = voiceguide("--version")
    assert result.exit_code == 0
    assert result.output == f"voiceguide, version {__version__}\n"


def test_library_error_is_one_line_and_status_1(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("pase: 3\n")
    result = voiceguide("--config", str(config), "show", "floor-option1")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config}:1:1: unknown setting 'pase'; did you mean 'pace'?"
        " (the config file from --config)\n"
    )


def test_an_error_in_the_config_file_says_which_variable_chose_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("pace: 9\n")
    monkeypatch.setenv("VOICEGUIDE_CONFIG", str(config))
    result = voiceguide("show", "floor-option1")
    assert result.stderr == (
        f"Error: {config}:1:7: 'pace' must be from 0.5 to 3, not 9"
        " (the config file from VOICEGUIDE_CONFIG)\n"
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("speed: 3\n")
    result = subprocess.run(
        [*PROGRAM, "--debug", "--config", str(config), "show", "chair"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigError" in result.stderr


def test_usage_error_is_status_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["show", "--pace", "9", "floor-option1"])
    assert caught.value.code == 2


def test_unknown_command_is_status_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fly"])
    assert caught.value.code == 2


def test_ctrl_c_is_quiet_with_status_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "main", interrupted)
    with pytest.raises(SystemExit) as caught:
        main(["list"])
    assert caught.value.code == 130


def test_sigint_at_a_question_ends_quietly() -> None:
    """A real Ctrl-C while a command waits for an answer: no traceback, status 130."""
    journal = Journal()
    session = journal.start_session(
        SessionStart(find_routine("floor-option3"), pace=1.0, engine="x", voice="y")
    )
    journal.finish_session(session, "completed")
    child = pexpect.spawn(
        sys.executable, ["-m", "voiceguide", "history", "--clear"], encoding="utf-8", timeout=30
    )
    child.expect(r"\[y/N\]")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert len(journal.sessions()) == 1
