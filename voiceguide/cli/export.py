"""Command: export, routines written as audio files for a phone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.options import (
    BedOptions,
    MixOptions,
    SpeechOptions,
    bed_options,
    cache_path,
    chosen_routines,
    mix_options,
    settings,
    speech_options,
)
from voiceguide.cli.progress import progress_bar
from voiceguide.text import one_line

if TYPE_CHECKING:
    from voiceguide.export.writer import ExportedRoutine, Format


@click.command("export")
@click.argument("routines", nargs=-1, metavar="ROUTINE...")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="The folder to write the files in, created if needed (default: the current folder).",
)
@click.option("--all", "every", is_flag=True, help="Export every routine, built-in and your own.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["wav", "flac", "ogg", "mp3"]),
    default="wav",
    show_default=True,
    help="Audio format. MP3, Ogg and FLAC files get one chapter per step, for skipping.",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option(
    "--split",
    is_flag=True,
    help="One track per step (ID-00, ID-01... with ID.m3u8), so a headset's next button "
    "moves a step in any player.",
)
@speech_options
@mix_options
@bed_options
@click.pass_context
def export(
    ctx: click.Context,
    routines: tuple[str, ...],
    output_dir: Path,
    every: bool,
    fmt: Format,
    force: bool,
    split: bool,
    speech: SpeechOptions,
    mix: MixOptions,
    bed: BedOptions,
) -> None:
    """Write each ROUTINE as an audio file to play from a phone.

    ROUTINE is a routine id (see `voiceguide list`) or a path to a .yaml file. For each
    routine, the folder gets ID.wav (or the --format chosen), ID.cues.json (the cue list
    with exact times, as `show --json` prints it, plus the sample rate), ID.lrc (synced
    lyrics, shown line by line by many phone players), ID.vtt (captions) and
    ID.chapters.json (the steps as Podcasting 2.0 chapters). MP3, Ogg and FLAC files carry
    a chapter per step too. A playlist comes with them: ID.m3u8 for one routine, or
    voiceguide.m3u8 playing several in the order given. With --split, each step is a track
    of its own, named by its number (ID-00.mp3 with ID-00.lrc for "Before you start",
    ID-01.mp3 and so on) and ID.m3u8 plays them in order, beside ID.cues.json and
    ID.chapters.json.

    Files appear only when complete: an interrupted export leaves none half-written.
    Existing files are replaced only with --force. The path of each file written is
    printed on stdout, one a line; progress and messages go to stderr.
    """
    from voiceguide.app.export import ExportInterrupted, export_routines, make_output_dir
    from voiceguide.export.writer import playlist_path

    selected = chosen_routines(routines, every, "export")
    chosen = settings(ctx, speech, mix, bed)
    if make_output_dir(output_dir):
        click.echo(f"Created the folder {one_line(str(output_dir))}.", err=True)
    try:
        with progress_bar() as report:
            finished = export_routines(
                selected,
                output_dir,
                chosen.render_options(),
                cache_path(ctx),
                fmt=fmt,
                force=force,
                split=split,
                progress=report,
            )
    except ExportInterrupted as exc:
        _list_files(exc.finished)
        click.echo(str(exc), err=True)
        ctx.exit(exc.exit_status)
    _list_files(finished)
    playlist = playlist_path([item.routine_id for item in finished], output_dir, split=split)
    if playlist:
        click.echo(str(playlist))
    count_text = f"{len(finished)} routine{'s' if len(finished) != 1 else ''}"
    click.echo(f"Exported {count_text} as {fmt.upper()} to {output_dir}", err=True)


def _list_files(finished: Sequence[ExportedRoutine]) -> None:
    for item in finished:
        for path in item.files:
            click.echo(str(path))


commands: list[click.Command] = [export]
