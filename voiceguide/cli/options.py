"""Options shared by several commands, each group as one typed record, and the Settings
they produce with the config file."""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from voiceguide.cli.context import context
from voiceguide.config import Settings, load_settings
from voiceguide.paths import cache_dir
from voiceguide.render.options import BED_LEVEL_RANGE
from voiceguide.routine.records import COUNT_STYLES, CountStyle, Routine
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
    another word, the end of input) is no. Ctrl-C still interrupts. Keys pressed before
    the question is shown do not answer it."""
    _discard_typed_ahead()
    click.echo(f"{question} [y/N]: ", nl=False, err=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        click.echo(err=True)  # the end of input: finish the question's line
    return answer.strip().lower() in ("y", "yes")


def _discard_typed_ahead() -> None:
    """Drop what was typed on the terminal before now: a "y" pressed while the safety text
    was still being read aloud must not answer a question about who must not play."""
    if not sys.stdin.isatty():
        return  # piped answers are meant in order
    if sys.platform == "win32":
        import msvcrt

        while msvcrt.kbhit():
            msvcrt.getwch()
    else:
        import termios

        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


@dataclass(frozen=True)
class OptionGroup:
    """The values of a group of options shared by several commands, as one typed record:
    each field is an option's value under the name of the setting it overrides, None
    where the user did not give it."""

    def applied_to(self, base: Settings) -> Settings:
        """``base`` with the values that were given (a field that names no setting is a
        TypeError, never dropped)."""
        given = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if getattr(self, field.name) is not None
        }
        # A message about a value (the engine, the voice) names the option that set it.
        options = {name: "--" + name.replace("_", "-") for name in given}
        return dataclasses.replace(base, **given, origins={**base.origins, **options})


G = TypeVar("G", bound=OptionGroup)


def option_group(record: type[G], keyword: str, *options: Callable[[Any], Any]) -> Callable[[F], F]:
    """A decorator that adds ``options`` (click.option decorators, in the order ``--help``
    lists them) to a command, which receives their values as one ``record`` under the
    argument ``keyword``. Each option's name is a field of the record."""
    fields = [field.name for field in dataclasses.fields(record)]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in fields}
            return func(*args, **kwargs, **{keyword: record(**values)})

        for option in reversed(options):
            command = option(command)
        return cast(F, command)

    return decorate


@dataclass(frozen=True)
class SpeechOptions(OptionGroup):
    """``--pace``, ``--rate``, ``--count``, ``--engine`` and ``--voice``: how the script is
    timed and counted, and which voice speaks it."""

    pace: float | None = None
    rate: int | None = None
    count: CountStyle | None = None
    engine: str | None = None
    voice: str | None = None


speech_options = option_group(
    SpeechOptions,
    "speech",
    click.option(
        "--pace",
        type=FiniteFloatRange(*PACE_RANGE),
        default=None,
        help="Multiply every hold, breath, rest and pause by this (0.5 to 3).",
    ),
    click.option(
        "--rate",
        type=click.IntRange(*RATE_RANGE),
        default=None,
        help="Speech rate in words per minute (default 160, or the config file's).",
    ),
    click.option(
        "--count",
        type=click.Choice(COUNT_STYLES),
        default=None,
        help="Counting style for every hold: down (last seconds), up (every second) or none.",
    ),
    click.option(
        "--engine",
        default=None,
        help="Speech engine: auto (the default: piper where installed, else pyttsx3), piper, "
        "pyttsx3 or espeak-ng (see `voiceguide voices`).",
    ),
    click.option("--voice", default=None, help="Voice name or id (see `voiceguide voices`)."),
)


@dataclass(frozen=True)
class MixOptions(OptionGroup):
    """``--pan-sides`` and ``--breath-tones``: how the routine's sound is mixed."""

    pan_sides: bool | None = None
    breath_tones: bool | None = None


mix_options = option_group(
    MixOptions,
    "mix",
    click.option(
        "--pan-sides/--no-pan-sides",
        default=None,
        help="Say side cues in that ear (stereo); default from the config file, else off.",
    ),
    click.option(
        "--breath-tones/--no-breath-tones",
        default=None,
        help="Play a rising tone under each breath in, a falling one under each breath out; "
        "default from the config file, else off.",
    ),
)


@dataclass(frozen=True)
class BedOptions(OptionGroup):
    """``--bed`` and ``--bed-level``: a soundscape under the voice, and how loud."""

    bed: str | None = None  # "none" turns off the config file's
    bed_level: float | None = None


bed_options = option_group(
    BedOptions,
    "bed",
    click.option(
        "--bed",
        default=None,
        metavar="NAME|FILE",
        help="A soundscape under the voice, lowered under every word: brown, waves, drone, "
        "or an audio file (WAV, FLAC, Ogg, MP3), looped; none for no soundscape "
        "(default from the config file, else none).",
    ),
    click.option(
        "--bed-level",
        type=FiniteFloatRange(*BED_LEVEL_RANGE),
        default=None,
        help="The soundscape's level between words in dB full scale (-60 to -30; "
        "default -36, about 20 dB under the voice).",
    ),
)


@dataclass(frozen=True)
class OutputOptions(OptionGroup):
    """``--backend`` and ``--device``: where ``play`` sounds."""

    backend: str | None = None
    device: str | None = None


output_options = option_group(
    OutputOptions,
    "output",
    click.option(
        "--backend",
        default=None,
        help="Play through pulse (a PulseAudio stream of its own: no click when a control"
        " cuts into a soundscape), sounddevice (PortAudio) or simpleaudio (an optional"
        " extra). The default, auto, is pulse where a PulseAudio server answers (PipeWire's"
        " too) and no --device is named, else sounddevice.",
    ),
    click.option(
        "--device",
        default=None,
        help="The output device: its number or part of its name (`voiceguide devices`).",
    ),
)


def settings(ctx: click.Context, *given: OptionGroup) -> Settings:
    """The config file's settings with the options the user gave on the command line."""
    chosen = load_settings(context(ctx).config_path)
    for warning in chosen.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for group in given:
        chosen = group.applied_to(chosen)
    return chosen


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
