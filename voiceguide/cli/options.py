"""Options shared by several commands, and the Settings they produce."""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from voiceguide.cli.context import context
from voiceguide.config import Settings, load_settings
from voiceguide.paths import cache_dir
from voiceguide.routine.records import COUNT_STYLES, Routine
from voiceguide.script.records import PACE_RANGE, RATE_RANGE

F = TypeVar("F", bound=Callable[..., Any])


class FiniteFloatRange(click.FloatRange):
    """A number in a range; ``nan`` (which compares false with both ends) is refused too."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number in the range {self._describe_range()}.")
        return number


def confirm(question: str) -> bool:
    """Ask a y/N question on stderr, once: y or yes is yes; anything else (an empty answer,
    another word, the end of input) is no. Ctrl-C still interrupts."""
    click.echo(f"{question} [y/N]: ", nl=False, err=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        click.echo(err=True)  # the end of input: finish the question's line
    return answer.strip().lower() in ("y", "yes")


def timing_options(func: F) -> F:
    """``--pace``, ``--rate`` and ``--count``: how the script is timed and counted."""
    func = click.option(
        "--count",
        type=click.Choice(COUNT_STYLES),
        default=None,
        help="Counting style for every hold: down (last seconds), up (every second) or none.",
    )(func)
    func = click.option(
        "--rate",
        type=click.IntRange(*RATE_RANGE),
        default=None,
        help="Speech rate in words per minute (default 160, or the config file's).",
    )(func)
    func = click.option(
        "--pace",
        type=FiniteFloatRange(*PACE_RANGE),
        default=None,
        help="Multiply every hold, breath, rest and pause by this (0.5 to 3).",
    )(func)
    return func


def voice_options(func: F) -> F:
    """``--engine`` and ``--voice``: which speech engine and voice render the cues."""
    func = click.option(
        "--voice", default=None, help="Voice name or id (see `voiceguide voices`)."
    )(func)
    func = click.option(
        "--engine",
        default=None,
        help="Speech engine: auto (the default: piper where installed, else pyttsx3), piper, "
        "pyttsx3 or espeak-ng (see `voiceguide voices`).",
    )(func)
    return func


def settings(ctx: click.Context, **overrides: Any) -> Settings:
    """The config file's settings with the options the user gave on the command line."""
    base = load_settings(context(ctx).config_path)
    given = {name: value for name, value in overrides.items() if value is not None}
    return dataclasses.replace(base, **given)


def cache_path(ctx: click.Context) -> Path:
    """The clip cache: ``--cache-dir`` / ``$VOICEGUIDE_CACHE_DIR``, else the platform's."""
    return cache_dir(context(ctx).cache_dir)


def chosen_routines(names: tuple[str, ...], every: bool, verb: str) -> list[Routine]:
    """The routines named on the command line, or every one with ``--all``."""
    from voiceguide.routine.library import all_routines, find_routine

    if every and names:
        raise click.UsageError(f"give routines to {verb} or --all, not both")
    if not every and not names:
        raise click.UsageError(f"name the routines to {verb} (see `voiceguide list`), or use --all")
    return all_routines() if every else [find_routine(name) for name in names]
