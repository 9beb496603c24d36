"""Command: validate, routine files checked, with their guidance warnings."""

from __future__ import annotations

import click

from voiceguide.errors import RoutineError
from voiceguide.routine.library import load_routine, routine_path
from voiceguide.text import one_line


@click.command(short_help="Check routine files, naming the line of each mistake.")
@click.argument("files", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Treat guidance warnings as errors (exit status 1).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...], strict: bool) -> None:
    """Check routine files: each is OK, or its first error with line and column.

    Each FILE is a path to a routine file, or the id of a routine (as in `voiceguide
    list`), which checks that routine's file.

    A file that loads is also checked for what makes it hard to follow with eyes closed
    (a doubled breath prompt, a repeated crack attempt, too little time to move, too many
    tones...): each finding is a warning with its line and what to change. Every file is
    checked; the exit status is 1 when any has an error, or with --strict a warning.
    """
    from voiceguide.routine.guidance import check

    failed = False
    for path in files:
        try:
            routine = load_routine(routine_path(path))
        except RoutineError as exc:
            click.echo(f"Error: {one_line(str(exc))}", err=True)
            failed = True
            continue
        warnings = check(routine)
        label = "Error" if strict else "Warning"
        for warning in warnings:
            click.echo(f"{label}: {warning}", err=True)
        if warnings and strict:
            failed = True
        elif warnings:
            count = len(warnings)
            click.echo(f"{one_line(path)}: OK, with {count} warning{'s' if count != 1 else ''}")
        else:
            click.echo(f"{one_line(path)}: OK")
    if failed:
        ctx.exit(1)


commands: list[click.Command] = [validate]
