"""The checkout's setup (scripts/lib/bootstrap.sh) shows pip's progress while it builds
the environment, short enough for a CI log: run for real, on a small project of its own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = """\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "setup-check"
version = "0.1"
dependencies = ["pyyaml"]

[tool.hatch.build.targets.wheel]
packages = ["setup_check"]
"""


@pytest.mark.slow
def test_the_setup_shows_each_package_without_progress_bars_in_a_log(tmp_path: Path) -> None:
    (tmp_path / "scripts" / "lib").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "lib" / "bootstrap.sh", tmp_path / "scripts" / "lib")
    (tmp_path / "pyproject.toml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "setup_check").mkdir()
    (tmp_path / "setup_check" / "__init__.py").write_text("", encoding="utf-8")
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"set -euo pipefail; source {tmp_path}/scripts/lib/bootstrap.sh; bootstrap run",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,  # stderr is a pipe, as in CI
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    ours = [line for line in done.stderr.splitlines() if not line.startswith("WARNING: ")]
    assert any(line.startswith("Collecting pyyaml") for line in ours), done.stderr
    assert any(
        line.startswith("Successfully installed") and "setup-check-0.1" in line for line in ours
    ), done.stderr
    assert "━" not in done.stderr  # pip's progress bar: only on a terminal
    assert len(ours) < 20, done.stderr
    assert (tmp_path / ".venv" / ".voiceguide-setup").is_file()
