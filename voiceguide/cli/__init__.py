"""The command line: a thin layer over the library.

Each command parses its options, calls one library function and formats the result.
Library errors (``VoiceguideError``) become one line, ``Error: ...``, exit status 1, in one
place (``VoiceguideGroup.invoke``); usage errors exit 2; Ctrl-C ends quietly with 130
(SIGTERM with 143, SIGHUP with 129: ``voiceguide.signals``);
``--debug`` shows the traceback. Command modules import the heavy parts of the library
(NumPy, speech engines) inside their functions, so that start-up stays fast.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

import click

from voiceguide import __version__
from voiceguide.cli import (
    cache,
    devices,
    doctor,
    export,
    history,
    play,
    schema,
    serve,
    show,
    validate,
    voices,
)
from voiceguide.cli import list as list_command
from voiceguide.cli.context import Context, context
from voiceguide.cli.stdout import OutputError, guard_stderr, guard_stdout
from voiceguide.errors import ConfigError, VoiceguideError
from voiceguide.paths import CACHE_ENV, CONFIG_ENV
from voiceguide.signals import exit_status
from voiceguide.text import one_line


class UserError(click.ClickException):
    """A library error on its way to the terminal as ``Error: ...``."""

    exit_code = 1


class VoiceguideGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoiceguideError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            raise UserError(one_line(str(exc)) + _given_by(ctx, exc)) from exc


def _given_by(ctx: click.Context, error: VoiceguideError) -> str:
    """Where the config file an error is about was chosen, when not by default: an
    option, or a variable set long ago in a shell's profile."""
    config_from = context(ctx).config_from
    return (
        f" (the config file from {config_from})"
        if isinstance(error, ConfigError) and config_from
        else ""
    )


def _given(ctx: click.Context, name: str, option: str, variable: str) -> str | None:
    source = ctx.get_parameter_source(name)
    if source is click.core.ParameterSource.COMMANDLINE:
        return option
    if source is click.core.ParameterSource.ENVIRONMENT:
        return variable
    return None


@click.group(cls=VoiceguideGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="voiceguide")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),  # checked where used, so that doctor can report it
    envvar=CACHE_ENV,
    help="Where spoken clips are cached (default: the platform's cache directory).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),  # checked where used, so that doctor can report it
    envvar=CONFIG_ENV,
    help="The settings file to read (default: config.yaml in the platform's config directory).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, cache_dir: Path | None, config_path: Path | None) -> None:
    """voiceguide talks you through a back routine, so you can follow it with your eyes closed.

    Start with `voiceguide list`, then `voiceguide play ROUTINE`.
    """
    ctx.obj = Context(
        cache_dir=cache_dir,
        config_path=config_path,
        config_from=_given(ctx, "config_path", "--config", CONFIG_ENV),
    )


for _module in (
    list_command,
    validate,
    schema,
    show,
    voices,
    cache,
    export,
    play,
    devices,
    serve,
    history,
    doctor,
):
    for _command in _module.commands:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """The console script: run ``cli`` and turn every way out into an exit status."""
    guard_stdout()
    guard_stderr()
    try:
        result = cli.main(args=argv, prog_name="voiceguide", standalone_mode=False)
    except (KeyboardInterrupt, click.Abort) as exc:
        # click turns KeyboardInterrupt into Abort; the signal's exit status is in its cause.
        sys.stderr.write("\n")
        sys.exit(exit_status(exc))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OutputError as exc:  # raised outside a command: --help or --version output
        sys.stderr.write(f"Error: {one_line(str(exc))}\n")
        sys.exit(1)
    except BrokenPipeError:
        # `voiceguide list | head`: the reader went away; nothing more to say.
        sys.stderr.close()
        sys.exit(1)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.exit(1)
        raise
    sys.exit(result if isinstance(result, int) else 0)
