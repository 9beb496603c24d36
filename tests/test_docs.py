"""The documentation keeps up with the code: every command and subcommand is in the
README, and every key a routine file can hold is in docs/routine-format.md."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
import pytest

from voiceguide.cli import cli
from voiceguide.routine.format import ALL_STEP_KEYS, BREATHE_KEYS, TOP_KEYS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ROUTINE_FORMAT = (ROOT / "docs" / "routine-format.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's words after ``voiceguide``, subcommands included."""
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def test_the_command_walk_finds_commands_and_subcommands() -> None:
    paths = command_paths(cli)
    assert ("play",) in paths and ("cache",) in paths and ("cache", "clear") in paths


@pytest.mark.parametrize("path", command_paths(cli), ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    # A subcommand may be written after its group in the same cell: `cache info` / `cache clear`.
    written = rf"`(voiceguide )?{re.escape(' '.join(path))}[ `]"
    assert re.search(written, README), f"README.md does not show `voiceguide {' '.join(path)}`"


ROUTINE_KEYS = sorted({*TOP_KEYS, *ALL_STEP_KEYS, *BREATHE_KEYS})


def test_the_routine_keys_include_each_kind_of_key() -> None:
    assert {"title", "steps", "say", "hold", "hold_out", "cycles"} <= set(ROUTINE_KEYS)


@pytest.mark.parametrize("key", ROUTINE_KEYS)
def test_every_routine_key_is_in_the_format_doc(key: str) -> None:
    assert f"`{key}`" in ROUTINE_FORMAT, f"docs/routine-format.md does not describe `{key}`"


def test_the_readmes_first_commands_run_from_a_checkout() -> None:
    # A newcomer types them in a fresh clone, where nothing is on the PATH yet.
    section = README.split("\n## What it does\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block
    for line in block.group(1).splitlines():
        program, command = line.split()[:2]
        assert (ROOT / program).is_file() and os.access(ROOT / program, os.X_OK), line
        assert command in cli.commands, line
