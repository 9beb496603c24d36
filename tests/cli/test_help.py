from __future__ import annotations

import click
import pytest

from tests.support.cli import voiceguide
from voiceguide.cli import cli


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of words to every command, groups included, depth first."""
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def test_there_are_commands() -> None:
    assert {"list", "validate", "schema"} <= {path[0] for path in commands(cli)}


def test_the_program_has_help() -> None:
    result = voiceguide("--help")
    assert result.exit_code == 0
    assert (cli.help or "").strip()
    for name in cli.commands:
        assert name in result.stdout


@pytest.mark.parametrize("path", commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = command_at(path)
    assert (command.help or "").strip(), f"voiceguide {' '.join(path)} has no help text"
    assert (command.get_short_help_str() or "").strip()
    result = voiceguide(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: cli {' '.join(path)}")
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help"


@pytest.mark.parametrize(
    "path", [(), *(path for path in commands(cli) if isinstance(command_at(path), click.Group))]
)
def test_the_command_lists_fit_without_cutting_a_description(path: tuple[str, ...]) -> None:
    # At 80 columns, the width click lays help out in when it cannot ask the terminal.
    group = command_at(path)
    assert isinstance(group, click.Group)
    listed = voiceguide(*path, "--help").stdout.split("\nCommands:\n", 1)[1].splitlines()
    assert len(listed) == len(group.commands)
    for line in listed:
        assert not line.endswith("..."), line
        assert len(line) <= 80, line
