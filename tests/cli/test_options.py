"""The option groups several commands share: each field overrides the setting of its
name, a value not given leaves the config file's, and a field that names no setting
fails loudly instead of being dropped."""

from __future__ import annotations

import dataclasses

import click
import pytest

from voiceguide.cli import cli
from voiceguide.cli.options import MixOptions, OptionGroup, OutputOptions, SpeechOptions
from voiceguide.config import Settings

GROUPS = (SpeechOptions, MixOptions, OutputOptions)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.__name__)
def test_every_field_is_a_setting_and_an_option_of_the_commands_that_take_it(
    group: type[OptionGroup],
) -> None:
    settings = {field.name for field in dataclasses.fields(Settings)}
    names = [field.name for field in dataclasses.fields(group)]
    assert set(names) <= settings
    takers = [
        command
        for command in _commands(cli)
        if set(names) <= {param.name for param in command.params}
    ]
    assert takers, f"no command takes {group.__name__}"


def test_given_values_override_and_the_rest_stay() -> None:
    base = Settings(pace=1.5, rate=140, engine="pyttsx3", pan_sides=True)
    chosen = SpeechOptions(rate=200).applied_to(MixOptions(breath_tones=True).applied_to(base))
    assert chosen == dataclasses.replace(base, rate=200, breath_tones=True)


def test_a_field_that_names_no_setting_is_an_error_not_dropped() -> None:
    @dataclasses.dataclass(frozen=True)
    class Misspelt(OptionGroup):
        pase: float | None = None

    with pytest.raises(TypeError, match="pase"):
        Misspelt(pase=2.0).applied_to(Settings())


def _commands(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    for command in group.commands.values():
        if isinstance(command, click.Group):
            found += _commands(command)
        else:
            found.append(command)
    return found
