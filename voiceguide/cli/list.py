"""Command: list, the routines in the library."""

from __future__ import annotations

import sys
from typing import Any

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import settings
from voiceguide.routine.library import origin_of, scan_routines
from voiceguide.routine.records import KINDS
from voiceguide.script.compiler import estimated_length
from voiceguide.text import clock, one_line

COLUMNS = ("ID", "TITLE", "KIND", "DURATION", "EQUIPMENT")


def _table(rows: list[tuple[str, ...]]) -> None:
    rows = [tuple(one_line(cell) for cell in row) for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold")
        for column in COLUMNS:
            # Ids are typed back in, so they are never cut; titles and equipment may wrap.
            table.add_column(column, no_wrap=column in ("ID", "KIND", "DURATION"))
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))  # Text: brackets are not markup
        Console().print(table)
        return
    # Plain columns, two spaces apart: easy to read, grep and cut.
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS) - 1)]
    for row in [COLUMNS, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@click.command("list", short_help="The routines, built-in and your own, with their length.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--kind", type=click.Choice(KINDS), help="Only crack or only stretch routines.")
@click.pass_context
def list_routines(ctx: click.Context, as_json: bool, kind: str | None) -> None:
    """List the routines: the built-in ones and those in your routines folder.

    A routine of your own with the id of a built-in one takes its place. A file that
    cannot be read is reported on stderr and left out. Durations are estimated at the
    config file's pace and rate, as `voiceguide show` estimates them.
    """
    scan = scan_routines()
    for error in scan.errors:
        click.echo(f"Warning: skipped {one_line(str(error))}", err=True)
    chosen = [r for r in scan.routines if kind is None or r.kind == kind]
    options = settings(ctx).compile_options()
    durations = [estimated_length(r, options) for r in chosen]
    if as_json:
        items: list[dict[str, Any]] = [
            {
                "id": r.id,
                "title": r.title,
                "kind": r.kind,
                "duration": round(seconds, 1),
                "equipment": list(r.equipment),
                "source": origin_of(r),
                "path": str(r.path),
            }
            for r, seconds in zip(chosen, durations, strict=True)
        ]
        echo_json(items)
        return
    _table(
        [
            (r.id, r.title, r.kind, clock(seconds), ", ".join(r.equipment) or "-")
            for r, seconds in zip(chosen, durations, strict=True)
        ]
    )


commands: list[click.Command] = [list_routines]
