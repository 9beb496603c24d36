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
from voiceguide.cli.context import Context
from voiceguide.cli.stdout import OutputError, guard_stderr, guard_stdout
from voiceguide.errors import VoiceguideError
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
            raise UserError(one_line(str(exc))) from exc


@click.group(cls=VoiceguideGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="voiceguide")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),  # checked where used, so that doctor can report it
    envvar="VOICEGUIDE_CACHE_DIR",
    help="Where spoken clips are cached (default: the platform's cache directory).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),  # checked where used, so that doctor can report it
    envvar="VOICEGUIDE_CONFIG",
    help="The settings file to read (default: config.yaml in the platform's config directory).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, cache_dir: Path | None, config_path: Path | None) -> None:
    """voiceguide talks you through a back routine, so you can follow it with your eyes closed.

    Start with `voiceguide list`, then `voiceguide play ROUTINE`.
    """
    ctx.obj = Context(cache_dir=cache_dir, config_path=config_path)


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
