"""Command: doctor, what this machine has for speech and playback, and the fixes."""

from __future__ import annotations

import click

from voiceguide.cli.context import context
from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import cache_path

MARKS = {"ok": "ok", "note": "--", "problem": "!!"}


@click.command(short_help="Check this machine, and how to fix what stops play.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check speech engines, audio output, cache and config, and say how to fix problems.

    Exits with status 1 when playback is impossible.
    """
    from voiceguide.app.doctor import diagnose

    diagnosis = diagnose(context(ctx).config_path, cache_path(ctx))
    if as_json:
        echo_json(diagnosis.to_json())
    else:
        width = max(len(f.topic) for f in diagnosis.findings)
        for finding in diagnosis.findings:
            click.echo(f"{MARKS[finding.status]}  {finding.topic:<{width}}  {finding.detail}")
            if finding.fix and finding.status == "problem":
                click.echo(f"    {'':<{width}}fix: {finding.fix}")
        click.echo("")
        click.echo(
            "play: " + ("ready" if diagnosis.can_play else "not possible (see the fixes above)")
        )
        click.echo(
            "export: " + ("ready" if diagnosis.can_export else "not possible (see the fixes above)")
        )
    if not diagnosis.can_play:
        ctx.exit(1)


commands: list[click.Command] = [doctor]
