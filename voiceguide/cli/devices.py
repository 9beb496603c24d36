"""Command: devices, the audio backends and output devices."""

from __future__ import annotations

from dataclasses import asdict

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import settings


@click.command("devices", short_help="The audio outputs (--device), inputs (--input) and backends.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@click.pass_context
def devices(ctx: click.Context, as_json: bool) -> None:
    """List the audio output devices (for --device), the inputs (microphones, for
    `play --listen --input`) and the playback backends."""
    from voiceguide.listen.capture import input_devices
    from voiceguide.output.inventory import backends, output_devices

    given = settings(ctx)
    found_backends = backends(given.backend, given.device)
    found_devices = output_devices()
    found_inputs = input_devices()
    if as_json:
        payload = {
            "devices": [asdict(d) for d in found_devices],
            "inputs": [asdict(d) for d in found_inputs],
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
    click.echo(
        "Inputs (microphones for `play --listen`; --input takes the number or part of the name):"
    )
    if not found_inputs:
        click.echo("  none found")
    for i in found_inputs:
        mark = "*" if i.default else " "
        click.echo(f"  {mark} {i.index:>3}  {i.name}  {i.host_api}, {i.channels} channels")
    click.echo("Playback backends (--backend):")
    for b in found_backends:
        chosen = " (chosen)" if b.default else ""
        if b.available:
            click.echo(f"  {b.name}{chosen}: available, {b.detail}")
        else:
            click.echo(f"  {b.name}{chosen}: not available: {b.detail}; {b.fix}")


commands: list[click.Command] = [devices]
