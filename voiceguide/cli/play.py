"""Commands: play and devices: the hands-free player."""

from __future__ import annotations

from dataclasses import asdict

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import cache_path, confirm, settings, timing_options, voice_options
from voiceguide.text import clock


@click.command("play")
@click.argument("routine")
@click.option(
    "--from",
    "from_step",
    metavar="STEP",
    default=None,
    help="Start at this step: its number as `voiceguide show` counts them, or its title.",
)
@click.option(
    "--backend",
    default=None,
    help="Play through sounddevice (the default) or simpleaudio (an optional extra).",
)
@click.option(
    "--device",
    default=None,
    help="The output device: its number or part of its name (`voiceguide devices`).",
)
@click.option(
    "-y",
    "--yes",
    "assume_yes",
    is_flag=True,
    help="Do not ask before a routine with contraindications (they are still shown).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Play a cracking routine even when the frequency guard says it is too soon.",
)
@timing_options
@voice_options
@click.pass_context
def play(
    ctx: click.Context,
    routine: str,
    from_step: str | None,
    backend: str | None,
    device: str | None,
    assume_yes: bool,
    force: bool,
    pace: float | None,
    rate: int | None,
    count: str | None,
    engine: str | None,
    voice: str | None,
) -> None:
    """Talk you through ROUTINE (an id from `voiceguide list`, or a routine file).

    Keys, no Enter needed: space pauses and resumes, n (or right arrow) skips to the
    next step, p (or left arrow) goes back to the start of the step (twice: the step
    before), r repeats the last instruction, w says where you are, s stops at once if
    something hurts, q quits. Each key answers with a short tone. Headset buttons and
    media keys (MPRIS, on a Linux desktop) do the same, answered in words. Without a
    terminal it just plays.
    """
    from voiceguide.app.play import play_routine
    from voiceguide.practice.safety import PAIN_EXIT

    chosen = settings(
        ctx,
        backend=backend,
        device=device,
        pace=pace,
        rate=rate,
        count=count,
        engine=engine,
        voice=voice,
    )
    script, result = play_routine(
        routine,
        chosen,
        cache_path(ctx),
        from_step=from_step,
        ask=confirm,
        force=force,
        assume_yes=assume_yes,
    )
    where = f"at {clock(result.position, hours=False)} of {clock(script.duration, hours=False)}"
    if result.outcome == "completed":
        click.echo(f"Finished {script.title} ({clock(script.duration, hours=False)}).", err=True)
    elif result.outcome == "quit":
        if result.step >= 0:
            step = result.step
            where += f", in step {step} ({script.steps[step].title}); --from {step} starts there"
        click.echo(f"Quit {script.title} {where}.", err=True)
    else:
        # Stopped because it hurts: the screen says what the voice said, and offers no
        # way straight back into the step that hurt.
        click.echo(f"Stopped {script.title} {where}. {PAIN_EXIT}", err=True)


@click.command("devices")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@click.pass_context
def devices(ctx: click.Context, as_json: bool) -> None:
    """List the audio output devices (for --device) and the playback backends."""
    from voiceguide.output import backends, output_devices

    found_backends = backends(settings(ctx).backend)
    found_devices = output_devices()
    if as_json:
        payload = {
            "devices": [asdict(d) for d in found_devices],
            "backends": [asdict(b) for b in found_backends],
        }
        echo_json(payload)
        return
    click.echo("Output devices (* the default; --device takes the number or part of the name):")
    if not found_devices:
        click.echo("  none found: run `voiceguide doctor`")
    width = max((len(d.name) for d in found_devices), default=0)
    for d in found_devices:
        mark = "*" if d.default else " "
        click.echo(
            f"  {mark} {d.index:>3}  {d.name:<{width}}  {d.host_api}, {d.channels} channels,"
            f" {d.sample_rate:g} Hz"
        )
    click.echo("Playback backends (--backend):")
    for b in found_backends:
        chosen = " (chosen)" if b.default else ""
        if b.available:
            click.echo(f"  {b.name}{chosen}: available, {b.detail}")
        else:
            click.echo(f"  {b.name}{chosen}: not available: {b.detail}; {b.fix}")


commands: list[click.Command] = [play, devices]
