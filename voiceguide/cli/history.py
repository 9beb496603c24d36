"""Command: history, the practice journal."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import confirm
from voiceguide.practice.chart import chart_format, write_chart
from voiceguide.practice.history import (
    CSV_COLUMNS,
    History,
    csv_rows,
    rating_points,
    signed,
    summarize,
)
from voiceguide.practice.journal import Journal, SessionRecord
from voiceguide.practice.textchart import text_chart
from voiceguide.text import clock, one_line

if TYPE_CHECKING:
    from rich.table import Table
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


def _ratings(session: SessionRecord) -> str:
    """Before → after, as far as given."""
    if session.rating_before is None and session.rating_after is None:
        return "-"
    before, after = (
        "-" if rating is None else str(rating)
        for rating in (session.rating_before, session.rating_after)
    )
    return f"{before}→{after}"


def _change(median: float | None) -> str:
    """A median change as a signed number: -2 is two points better after."""
    return "-" if median is None else signed(median)


def _cell(text: str) -> Text:
    """Text from the journal as a table cell: shown as written, never as markup or control."""
    from rich.text import Text

    return Text(one_line(text))


def _table(title: str) -> Table:
    from rich import box
    from rich.table import Table

    # Two spaces between columns, not three: the longest routine id and every column fit
    # 80 characters.
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))


def _print_table(history: History) -> None:
    from rich.console import Console

    console = Console(file=sys.stdout, highlight=False)
    period = f"the last {history.days} days" if history.days else "all time"
    if history.days == 1:
        period = "today"
    if not history.sessions:
        console.print(f"No sessions recorded ({period}).")
    else:
        table = _table(f"Sessions ({period})")
        table.add_column("Started", no_wrap=True)
        table.add_column("Routine", no_wrap=True)
        # "stopped (pain)" may take two lines, "unfinished" never loses its end.
        table.add_column("Outcome", min_width=len("unfinished"))
        table.add_column("Length", justify="right", no_wrap=True)
        table.add_column("Skips", justify="right")
        table.add_column("Pace", justify="right")
        table.add_column("Rating", justify="right", no_wrap=True)
        for s in history.sessions:
            table.add_row(
                s.started.astimezone().strftime("%Y-%m-%d %H:%M"),
                _cell(s.routine_id),
                _cell(_outcome(s)),
                _length(s.duration),
                str(s.steps_skipped),
                f"{s.pace:g}",
                _ratings(s),
            )
        console.print(table)
        counts = _table("Per routine")
        counts.add_column("Routine", no_wrap=True)
        counts.add_column("Sessions", justify="right")
        counts.add_column("Completed", justify="right")
        counts.add_column("Stopped for pain", justify="right")
        counts.add_column("Median change", justify="right")
        for r in history.routines:
            counts.add_row(
                _cell(r.routine_id),
                str(r.sessions),
                str(r.completed),
                str(r.pain_stops),
                _change(r.median_change),
            )
        console.print(counts)
        chart = text_chart(rating_points(history.sessions), console.width)
        if chart:
            console.print()
            for line in chart:
                console.print(line, markup=False, soft_wrap=True)
    streak = history.streak
    plural = "day" if streak.days == 1 else "days"
    console.print(
        f"Streak: {streak.days} {plural}" + (f" (last: {streak.last})" if streak.last else "")
    )


@click.command(short_help="The practice journal: sessions, ratings, counts and your streak.")
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
@click.option(
    "--chart",
    "chart_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Write a chart of the ratings over time to FILE: SVG or PNG, by its extension.",
)
@click.option("--clear", is_flag=True, help="Delete every recorded session, after asking.")
@click.option("--yes", "-y", is_flag=True, help="With --clear: do not ask.")
def history(
    as_json: bool,
    as_csv: bool,
    days: int | None,
    chart_file: Path | None,
    clear: bool,
    yes: bool,
) -> None:
    """Show the practice journal: sessions, counts per routine, and your streak.

    Each session shows how your back felt before and after it (Rating, 0 no pain to 10
    the worst, when you gave one); per routine, the median change over the sessions
    rated both times (-2: two points better after). A rise of 3 or more, or a rating of
    8 or more, means stop for today, and see a doctor or physical therapist if it
    persists. Under the table the ratings are drawn with text (b before, a after, ! a
    stop for pain); --chart FILE draws them as SVG or PNG instead.

    A stop for pain (s while playing) is counted per routine, with the step that hurt;
    the next play of that routine says so once and leaves that step out unless you ask
    for it.

    The streak is the number of days in a row, up to today, with a completed session.
    The table leaves out the engine and voice of each session; --json and --csv have
    them, the ratings, and the step each stop for pain came in.
    """
    journal = Journal()
    if clear:
        if as_json or as_csv or days is not None or chart_file is not None:
            raise click.UsageError(
                "--clear cannot be combined with --json, --csv, --chart or --days"
            )
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
    if as_json + as_csv + (chart_file is not None) > 1:
        raise click.UsageError("give one of --json, --csv or --chart")
    now = datetime.now().astimezone()
    if chart_file is not None:
        chart_format(chart_file)  # a wrong extension is told before anything is read
    summary = summarize(journal.sessions(), now, days)
    if chart_file is not None:
        assert now.tzinfo is not None
        points = rating_points(summary.sessions)
        write_chart(points, chart_file, now.tzinfo)
        noun = "session" if len(points) == 1 else "sessions"
        click.echo(f"Wrote the chart of {len(points)} {noun} to {chart_file}.")
    elif as_json:
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
