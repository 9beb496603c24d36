"""Commands: voices, cache and export: the speech engines and voices, the clip cache, and
routines written as audio files for a phone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide.cli.context import EXIT_INTERRUPTED
from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import (
    cache_path,
    chosen_routines,
    confirm,
    settings,
    timing_options,
    voice_options,
)
from voiceguide.cli.progress import progress_bar
from voiceguide.routine.records import CountStyle
from voiceguide.text import one_line

if TYPE_CHECKING:
    from voiceguide.export.writer import ExportedRoutine, Format
    from voiceguide.speech import EngineInfo


def human_size(size: int) -> str:
    """Bytes as people say them: 512 bytes, 3.4 kB, 45.6 MB (powers of 1000)."""
    if size < 1000:
        return f"{size} byte{'' if size == 1 else 's'}"
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000.0
        if round(value, 1) < 1000.0 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def _clips(count: int) -> str:
    return f"{count} clip{'' if count == 1 else 's'}"


def _engine_text(info: EngineInfo) -> list[str]:
    title = f"{info.name} {info.version}" if info.version else info.name
    if not info.available:
        return [f"{title}: not available: {info.problem}"]
    default = f", default voice {info.default_voice}" if info.default_voice else ""
    lines = [f"{title}: available{default}"]
    width = max((len(voice.id) for voice in info.voices), default=0)
    name_width = max((len(voice.name) for voice in info.voices), default=0)
    for voice in info.voices:
        languages = ", ".join(voice.languages)
        lines.append(f"  {voice.id:<{width}}  {voice.name:<{name_width}}  {languages}".rstrip())
    if info.note:
        lines.append(f"  ({info.note})")
    return lines


@click.command("voices")
@click.option("--engine", default=None, help="Only this engine: auto, piper, pyttsx3 or espeak-ng.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
def voices(engine: str | None, as_json: bool) -> None:
    """List the speech engines, whether each is available, and their voices.

    Give a voice's id (or its language, or its name) to --voice, and the engine to
    --engine, on show, play and export.
    """
    from voiceguide.speech import AUTO, choose_engine, list_engines

    engines = list_engines(engine)
    if as_json:
        payload: dict[str, object] = {"engines": [info.to_json() for info in engines]}
        if engine in (None, AUTO):
            auto = choose_engine(AUTO)
            payload["auto"] = {"engine": auto.engine, "reason": auto.reason}
        echo_json(payload)
        return
    blocks = ["\n".join(_engine_text(info)) for info in engines]
    if engine in (None, AUTO):
        blocks.insert(0, f"Default engine: {choose_engine(AUTO).describe()}")
    click.echo("\n\n".join(blocks))


@click.group("cache")
def cache() -> None:
    """The cache of spoken clips: its size, warming it ahead of time, and clearing it.

    Clips are made once per text, voice and rate and reused; clearing the cache only
    costs the time to make them again.
    """


@cache.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def cache_info(ctx: click.Context, as_json: bool) -> None:
    """Where the clip cache is, how many clips it holds and how big it is."""
    from voiceguide.render.clips import cache_info as measure

    info = measure(cache_path(ctx))
    if as_json:
        payload = {"path": str(info.path), "entries": info.entries, "size": info.size}
        echo_json(payload)
        return
    click.echo(f"Path:    {info.path}")
    click.echo(f"Entries: {_clips(info.entries)}")
    click.echo(f"Size:    {human_size(info.size)}")


@cache.command("clear")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def cache_clear(ctx: click.Context, yes: bool) -> None:
    """Delete every cached clip (they are made again when next needed)."""
    from voiceguide.render.clips import cache_info as measure
    from voiceguide.render.clips import clear_cache

    path = cache_path(ctx)
    before = measure(path)
    if before.size == 0:
        click.echo(f"The clip cache is already empty ({path}).")
        return
    question = f"Delete {_clips(before.entries)} ({human_size(before.size)}) from {path}?"
    if not yes and not confirm(question):
        click.echo("Nothing was deleted.", err=True)
        return
    freed = clear_cache(path)
    click.echo(f"Freed {human_size(freed.size)} ({_clips(freed.entries)}) from {path}.")


@cache.command("warm")
@click.argument("routines", nargs=-1, metavar="[ROUTINE...]")
@click.option(
    "--all", "every", is_flag=True, help="Every routine, built-in and your own (the default)."
)
@timing_options
@voice_options
@click.pass_context
def cache_warm(
    ctx: click.Context,
    routines: tuple[str, ...],
    every: bool,
    pace: float | None,
    rate: int | None,
    count: CountStyle | None,
    engine: str | None,
    voice: str | None,
) -> None:
    """Make every clip the routines need now, so that playing them starts at once.

    ROUTINE is a routine id (see `voiceguide list`) or a path to a .yaml file; with none
    (or --all), every routine. The clips are made with the voice, rate, pace and counting
    that play would use (the config file's, or the options given).
    """
    from voiceguide.app.warm import warm_cache
    from voiceguide.routine.library import all_routines, find_routine

    if every and routines:
        raise click.UsageError("give routines to warm the cache for or --all, not both")
    chosen = settings(ctx, pace=pace, rate=rate, count=count, engine=engine, voice=voice)
    selected = [find_routine(name) for name in routines] if routines else all_routines()
    with progress_bar() as report:
        warmed = warm_cache(
            selected,
            chosen,
            cache_path(ctx),
            lambda done, total: report("Making clips", done, total),
        )
    what = f"{warmed.routines} routine{'' if warmed.routines == 1 else 's'}"
    click.echo(
        f"The cache holds every clip for {what} ({warmed.engine}): {_clips(warmed.clips)},"
        f" {warmed.made} made now, {warmed.found} already there."
    )


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
    help="One track per step (ID-01, ID-02... with ID.m3u8), so a headset's next button "
    "moves a step in any player.",
)
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
    split: bool,
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
    lyrics, shown line by line by many phone players), ID.vtt (captions) and
    ID.chapters.json (the steps as Podcasting 2.0 chapters). MP3, Ogg and FLAC files carry
    a chapter per step too. With several routines, voiceguide.m3u8 plays them in the order
    given. With --split, each step is a track of its own (ID-01.mp3 with ID-01.lrc, and so
    on) and ID.m3u8 plays them in order, beside ID.cues.json and ID.chapters.json.

    Files appear only when complete: an interrupted export leaves none half-written.
    Existing files are replaced only with --force. The path of each file written is
    printed on stdout, one a line; progress and messages go to stderr.
    """
    from voiceguide.export.writer import (
        PLAYLIST,
        ExportInterrupted,
        export_routines,
        make_output_dir,
    )

    selected = chosen_routines(routines, every, "export")
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
    if make_output_dir(output_dir):
        click.echo(f"Created the folder {one_line(str(output_dir))}.", err=True)
    try:
        with progress_bar() as report:
            finished = export_routines(
                selected,
                output_dir,
                chosen,
                cache_path(ctx),
                fmt=fmt,
                force=force,
                split=split,
                progress=report,
            )
    except ExportInterrupted as exc:
        _list_files(exc.finished)
        click.echo(str(exc), err=True)
        ctx.exit(EXIT_INTERRUPTED)
    _list_files(finished)
    if len(finished) > 1:
        click.echo(str(output_dir / PLAYLIST))
    count_text = f"{len(finished)} routine{'s' if len(finished) != 1 else ''}"
    click.echo(f"Exported {count_text} as {fmt.upper()} to {output_dir}", err=True)


def _list_files(finished: Sequence[ExportedRoutine]) -> None:
    for item in finished:
        for path in item.files:
            click.echo(str(path))


commands: list[click.Command] = [voices, cache, export]
