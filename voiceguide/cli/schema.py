"""Command: schema, the routine format's JSON Schema for editors."""

from __future__ import annotations

import click

from voiceguide.routine.schema import schema_text


@click.command(short_help="Print the JSON Schema of routine files, for editors.")
def schema() -> None:
    """Print the JSON Schema of routine files, for editors to complete and check them.

    Save it (voiceguide schema > routine.schema.json) and point your editor's YAML
    support at it.
    """
    click.echo(schema_text(), nl=False)


commands: list[click.Command] = [schema]
