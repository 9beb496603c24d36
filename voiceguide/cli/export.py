"""Commands: export: routines as audio files for a phone, with captions and the cue list."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.options import cache_path, settings, timing_options, voice_options
from voiceguide.routine import CountStyle

if TYPE_CHECKING:
    from voiceguide.export import ExportedRoutine, ExportProgress, Format

INTERRUPTED = 130


@click.command("export")
@click.argument("routines", nargs=-1, metavar="ROUTINE...")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="The folder to write the files in; it must exist (default: the current folder).",
)
@click.option("--all", "every", is_flag=True, help="Export every routine, built-in and your own.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["wav", "flac", "ogg", "mp3"]),
    default="wav",
    show_default=True,
    help="Audio format. MP3 files get one chapter per step, for skipping on a phone.",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@timing_options
@voice_options
@click.option(
    "--pan-sides/--no-pan-sides",
    default=None,
    help="Say side cues in that ear (stereo); default from the config file, else off.",
)
@click.option(
    "--breath-tones/--no-breath-tones",
    default=None,
    help="Play a rising tone under each breath in, a falling one under each breath out; "
    "default from the config file, else off.",
)
@click.pass_context
def export(
    ctx: click.Context,
    routines: tuple[str, ...],
    output_dir: Path,
    every: bool,
    fmt: Format,
    force: bool,
    pace: float | None,
    rate: int | None,
    count: CountStyle | None,
    engine: str | None,
    voice: str | None,
    pan_sides: bool | None,
    breath_tones: bool | None,
) -> None:
    """Write each ROUTINE as an audio file to play from a phone.

    ROUTINE is a routine id (see `voiceguide list`) or a path to a .yaml file. For each
    routine, the folder gets ID.wav (or the --format chosen), ID.cues.json (the cue list
    with exact times, as `show --json` prints it, plus the sample rate), ID.lrc (synced
    lyrics, shown line by line by many phone players) and ID.vtt (captions). With several
    routines, voiceguide.m3u8 plays them in the order given.

    Files appear only when complete: an interrupted export leaves none half-written.
    Existing files are replaced only with --force. The path of each file written is
    printed on stdout, one a line; progress and messages go to stderr.
    """
    from voiceguide.export import PLAYLIST, ExportInterrupted, export_routines
    from voiceguide.library import all_routines, find_routine

    if every and routines:
        raise click.UsageError("give routines to export or --all, not both")
    if not every and not routines:
        raise click.UsageError("name the routines to export (see `voiceguide list`), or use --all")
    chosen = settings(
        ctx,
        pace=pace,
        rate=rate,
        count=count,
        engine=engine,
        voice=voice,
        pan_sides=pan_sides,
        breath_tones=breath_tones,
    )
    selected = all_routines() if every else [find_routine(name) for name in routines]
    try:
        with _progress_bar() as report:
            finished = export_routines(
                selected, output_dir, chosen, cache_path(ctx), fmt=fmt, force=force, progress=report
            )
    except ExportInterrupted as exc:
        _list_files(exc.finished)
        click.echo(str(exc), err=True)
        ctx.exit(INTERRUPTED)
    _list_files(finished)
    if len(finished) > 1:
        click.echo(str(output_dir / PLAYLIST))
    count_text = f"{len(finished)} routine{'s' if len(finished) != 1 else ''}"
    click.echo(f"Exported {count_text} as {fmt.upper()} to {output_dir}", err=True)


def _list_files(finished: Sequence[ExportedRoutine]) -> None:
    for item in finished:
        for path in item.files:
            click.echo(str(path))


@contextlib.contextmanager
def _progress_bar() -> Iterator[ExportProgress]:
    """A progress bar on stderr, shown only on a terminal; stdout is left alone."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        disable=not console.is_terminal,
    )
    task = bar.add_task("Starting", total=None)

    def report(what: str, done: int, total: int) -> None:
        bar.update(task, description=what, completed=done, total=total)

    with bar:
        yield report


commands: list[click.Command] = [export]
