"""Command: voices, the speech engines and their voices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from voiceguide.cli.jsonout import echo_json

if TYPE_CHECKING:
    from voiceguide.speech import EngineInfo


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


@click.command("voices", short_help="The voice that speaks, and every other on request.")
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


commands: list[click.Command] = [voices]
