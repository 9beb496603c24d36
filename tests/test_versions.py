"""The cheap version lookup agrees with importlib.metadata, whatever the name's spelling."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from voiceguide.versions import installed_version


@pytest.mark.parametrize(
    "distribution", ["PyYAML", "pyyaml", "click", "numpy", "pyttsx3", "piper-tts", "piper_tts"]
)
def test_agrees_with_importlib_metadata(distribution: str) -> None:
    assert installed_version(distribution) == metadata.version(distribution)


def test_reads_the_dist_info_folder_of_any_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Some.Odd_Name-2.5.1.dist-info").mkdir()
    (tmp_path / "some_odd_name_extra-9.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path)])
    assert installed_version("some-odd-name") == "2.5.1"
    assert installed_version("some-odd-name-extra") == "9.0"


def test_not_installed_is_none() -> None:
    assert installed_version("no-such-distribution-anywhere") is None
