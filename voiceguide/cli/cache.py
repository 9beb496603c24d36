"""Command: cache, the clip cache: its size, clearing it, warming it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import (
    SpeechOptions,
    cache_path,
    confirm,
    settings,
    speech_options,
)
from voiceguide.cli.progress import progress_bar
from voiceguide.errors import CacheError

if TYPE_CHECKING:
    pass


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


def _served(count: int) -> str:
    return f"the served files of {count} routine{'' if count == 1 else 's'}"


@click.group("cache", short_help="Spoken clips and served files: size, warming, clearing.")
def cache() -> None:
    """The cache of spoken clips (and of the files serve made): its size, warming it
    ahead of time, and clearing it.

    Clips are made once per text, voice and rate and reused; so are the files serve
    makes of a routine. Clearing the cache only costs the time to make them again.
    """


@cache.command("info", short_help="Where the clip cache is, its clips and its size.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def cache_info(ctx: click.Context, as_json: bool) -> None:
    """Where the cache is, how many clips and served routines' files it holds, and how
    big it is."""
    from voiceguide.render.clips import cache_info as measure
    from voiceguide.serve.kept import kept_info

    info = measure(cache_path(ctx))
    kept = kept_info(info.path)
    size = info.size + kept.size
    if as_json:
        payload = {
            "path": str(info.path),
            "entries": info.entries,
            "served_routines": kept.routines,
            "size": size,
        }
        echo_json(payload)
        return
    click.echo(f"Path:    {info.path}")
    click.echo(f"Entries: {_clips(info.entries)}")
    if kept.routines:
        click.echo(f"Served:  {_served(kept.routines)} ({human_size(kept.size)})")
    click.echo(f"Size:    {human_size(size)}")


@cache.command("clear", short_help="Delete the cached clips and served files.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def cache_clear(ctx: click.Context, yes: bool) -> None:
    """Delete every cached clip and served routine's files (they are made again when
    next needed)."""
    from voiceguide.render.clips import cache_info as measure
    from voiceguide.render.clips import clear_cache
    from voiceguide.serve.kept import clear_kept, kept_info

    path = cache_path(ctx)
    before = measure(path)
    kept = kept_info(path)
    if before.size + kept.size == 0:
        click.echo(f"The clip cache is already empty ({path}).")
        return
    what = _clips(before.entries) + (f" and {_served(kept.routines)}" if kept.routines else "")
    question = f"Delete {what} ({human_size(before.size + kept.size)}) from {path}?"
    if not yes and not confirm(question):
        click.echo("Nothing was deleted.", err=True)
        return
    freed = clear_cache(path)
    freed_kept = clear_kept(path)
    click.echo(f"Freed {human_size(freed.size + freed_kept.size)} ({what}) from {path}.")


@cache.command("warm", short_help="Make every clip the routines need, ahead of playing.")
@click.argument("routines", nargs=-1, metavar="[ROUTINE...]")
@click.option(
    "--all", "every", is_flag=True, help="Every routine, built-in and your own (the default)."
)
@speech_options
@click.pass_context
def cache_warm(
    ctx: click.Context,
    routines: tuple[str, ...],
    every: bool,
    speech: SpeechOptions,
) -> None:
    """Make every clip the routines need now, so that playing them starts at once.

    ROUTINE is a routine id (see `voiceguide list`) or a path to a .yaml file; with none
    (or --all), every routine. The clips are made with the voice, rate, pace and counting
    that play would use (the config file's, or the options given): every cue, and every
    answer to the controls and to "where am I?".
    """
    from voiceguide.app.warm import warm_cache
    from voiceguide.routine.library import all_routines, find_routine

    if every and routines:
        raise click.UsageError("give routines to warm the cache for or --all, not both")
    chosen = settings(ctx, speech)
    selected = [find_routine(name) for name in routines] if routines else all_routines()
    with progress_bar() as report:
        warmed = warm_cache(
            selected,
            chosen.render_options(),
            cache_path(ctx),
            report,
        )
    what = f"{warmed.routines} routine{'' if warmed.routines == 1 else 's'}"
    if warmed.missing:
        raise CacheError(
            f"the cache could not keep {_clips(warmed.missing)} of the {warmed.clips} for "
            f"{what} ({warmed.engine}); play and export will make them again"
        )
    click.echo(
        f"The cache holds every clip for {what} ({warmed.engine}): {_clips(warmed.clips)},"
        f" {warmed.made} made now, {warmed.found} already there."
    )


commands: list[click.Command] = [cache]
