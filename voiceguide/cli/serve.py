"""Command: serve, routines to a phone over the local network (a page and a podcast feed)."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import click

from voiceguide.cli.options import (
    BedOptions,
    SpeechOptions,
    bed_options,
    cache_path,
    chosen_routines,
    settings,
    speech_options,
)
from voiceguide.cli.progress import progress_bar
from voiceguide.serve.net import DEFAULT_PORT
from voiceguide.signals import exit_status

if TYPE_CHECKING:
    from voiceguide.app.serve import Serving
    from voiceguide.export.writer import Format


@click.command("serve", short_help="Serve ROUTINEs to a phone: a page and a podcast feed.")
@click.argument("routines", nargs=-1, metavar="ROUTINE...")
@click.option("--all", "every", is_flag=True, help="Serve every routine, built-in and your own.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default=None,
    help="The address to listen on (default: this machine's address on the network with "
    "the default route, usually the Wi-Fi). 127.0.0.1 keeps it on this machine.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mp3", "ogg", "flac", "wav"]),
    default="mp3",
    show_default=True,
    help="Audio format. MP3 plays everywhere; MP3, Ogg and FLAC carry chapters.",
)
@click.option(
    "--keep-token",
    is_flag=True,
    help="Keep the secret in the address from one run to the next (saved in the data "
    "folder), so a podcast app stays subscribed.",
)
@speech_options
@bed_options
@click.pass_context
def serve(
    ctx: click.Context,
    routines: tuple[str, ...],
    every: bool,
    port: int,
    host: str | None,
    fmt: Format,
    keep_token: bool,
    speech: SpeechOptions,
    bed: BedOptions,
) -> None:
    """Serve ROUTINEs to a phone on the same network: a page and a podcast feed.

    Renders each ROUTINE (a few seconds once its clips are cached; the files are kept
    in the cache, so serving it again unchanged starts at once), then prints an
    address and a QR code for the phone's camera. The page plays the routine with its words shown
    large, the steps to jump between, lock-screen and headset controls, and download
    links to keep the files on the phone. The podcast feed (feed.xml) gives podcast apps
    every routine with chapters and text.

    Every address carries a secret token, new each run (or kept with --keep-token):
    without it, every path is "not found". Nothing can be uploaded or listed. Ctrl-C
    stops the server and removes the files it made.
    """
    from voiceguide.app.serve import serve_routines

    selected = chosen_routines(routines, every, "serve")
    chosen = settings(ctx, speech, bed)
    try:
        with contextlib.ExitStack() as rendering:
            report = rendering.enter_context(progress_bar())

            def ready(serving: Serving) -> None:
                rendering.close()  # the bar goes before the address is shown
                _announce(serving)

            serve_routines(
                selected,
                chosen.render_options(),
                cache_path(ctx),
                host=host,
                port=port,
                fmt=fmt,
                keep_token=keep_token,
                progress=report,
                ready=ready,
                notice=lambda message: click.echo(f"Warning: {message}.", err=True),
            )
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP, rendering or serving
        click.echo("Stopped serving.", err=True)
        ctx.exit(exit_status(exc))


def _announce(serving: Serving) -> None:
    if serving.warning:
        click.echo(f"Warning: {serving.warning}.", err=True)
    if serving.local_only:
        # A phone cannot reach a loopback address: no code to scan, and the way to a phone.
        click.echo(
            "Open this address in a browser on this computer (only this computer can "
            "reach it; for a phone, leave --host out or give your Wi-Fi address):",
            err=True,
        )
    else:
        import segno

        segno.make(serving.url, error="m").terminal(out=sys.stderr, compact=True)
        click.echo(
            "Open this address on your phone (on the same Wi-Fi), or scan the code:", err=True
        )
    click.echo(serving.url)
    click.echo(f"Podcast feed, for a podcast app: {serving.feed_url}", err=True)
    click.echo("Press Ctrl-C to stop.", err=True)


commands: list[click.Command] = [serve]
