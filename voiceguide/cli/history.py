"""Command: history, the practice journal."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import confirm
from voiceguide.practice.history import CSV_COLUMNS, History, csv_rows, summarize
from voiceguide.practice.journal import Journal, SessionRecord
from voiceguide.text import clock, one_line

if TYPE_CHECKING:
    from rich.text import Text


MAX_DAYS = 36_500  # a hundred years: further back than any date can go is not an error


def _outcome(session: SessionRecord) -> str:
    if session.outcome is None:
        return "unfinished"
    return f"{session.outcome} ({session.reason})" if session.reason else session.outcome


def _length(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return clock(seconds, hours=False)


def _cell(text: str) -> Text:
    """Text from the journal as a table cell: shown as written, never as markup or control."""
    from rich.text import Text

    return Text(one_line(text))


def _print_table(history: History) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, highlight=False)
    period = f"the last {history.days} days" if history.days else "all time"
    if history.days == 1:
        period = "today"
    if not history.sessions:
        console.print(f"No sessions recorded ({period}).")
    else:
        table = Table(title=f"Sessions ({period})", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("Started", no_wrap=True)
        table.add_column("Routine", no_wrap=True)
        table.add_column("Outcome")
        table.add_column("Length", justify="right", no_wrap=True)
        table.add_column("Skips", justify="right")
        table.add_column("Pace", justify="right")
        for s in history.sessions:
            table.add_row(
                s.started.astimezone().strftime("%Y-%m-%d %H:%M"),
                _cell(s.routine_id),
                _cell(_outcome(s)),
                _length(s.duration),
                str(s.steps_skipped),
                f"{s.pace:g}",
            )
        console.print(table)
        counts = Table(title="Per routine", title_justify="left", box=box.SIMPLE_HEAD)
        counts.add_column("Routine")
        counts.add_column("Sessions", justify="right")
        counts.add_column("Completed", justify="right")
        counts.add_column("Stopped for pain", justify="right")
        for r in history.routines:
            counts.add_row(
                _cell(r.routine_id), str(r.sessions), str(r.completed), str(r.pain_stops)
            )
        console.print(counts)
    streak = history.streak
    plural = "day" if streak.days == 1 else "days"
    console.print(
        f"Streak: {streak.days} {plural}" + (f" (last: {streak.last})" if streak.last else "")
    )


@click.command(short_help="The practice journal: sessions, counts and your streak.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON on stdout.")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Print every session as a CSV row on stdout (to hand to a physical therapist).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=MAX_DAYS),
    default=None,
    help="Only sessions from the last N calendar days (1 is today; default: all).",
)
@click.option("--clear", is_flag=True, help="Delete every recorded session, after asking.")
@click.option("--yes", "-y", is_flag=True, help="With --clear: do not ask.")
def history(as_json: bool, as_csv: bool, days: int | None, clear: bool, yes: bool) -> None:
    """Show the practice journal: sessions, counts per routine, and your streak.

    The streak is the number of days in a row, up to today, with a completed session.
    The table leaves out the engine and voice of each session; --json and --csv have
    them, and the step each stop for pain came in.
    """
    journal = Journal()
    if clear:
        if as_json or as_csv or days is not None:
            raise click.UsageError("--clear cannot be combined with --json, --csv or --days")
        count = len(journal.sessions())
        if count == 0:
            click.echo("The practice journal has no sessions to delete.")
            return
        noun = "session" if count == 1 else "sessions"
        question = f"Delete all {count} {noun} from the practice journal?"
        if not yes and not confirm(question):
            click.echo("Nothing was deleted.", err=True)
            return
        deleted = journal.clear()
        click.echo(f"Deleted {deleted} {'session' if deleted == 1 else 'sessions'}.")
        return
    if yes:
        raise click.UsageError("--yes only goes with --clear")
    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    now = datetime.now().astimezone()
    summary = summarize(journal.sessions(), now, days)
    if as_json:
        echo_json(summary.to_json(now.tzinfo))
    elif as_csv:
        _print_csv(summary, now.tzinfo)
    else:
        _print_table(summary)


def _print_csv(summary: History, tz: Any) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(summary, tz))


commands: list[click.Command] = [history]
