"""Command: voices, the voice that will speak first, then the other engines and voices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import SpeechOptions, settings
from voiceguide.errors import SpeechError
from voiceguide.text import count_of

if TYPE_CHECKING:
    from voiceguide.render.options import VoiceOptions
    from voiceguide.speech import EngineInfo


def _title(info: EngineInfo) -> str:
    return f"{info.name} {info.version}" if info.version else info.name


def _engine_text(info: EngineInfo) -> list[str]:
    """An engine with every voice it has, one a line."""
    if not info.available:
        return [f"{_title(info)}: not available: {info.problem}"]
    default = f", default voice {info.default_voice}" if info.default_voice else ""
    lines = [f"{_title(info)}: available{default}"]
    width = max((len(voice.id) for voice in info.voices), default=0)
    name_width = max((len(voice.name) for voice in info.voices), default=0)
    for voice in info.voices:
        languages = ", ".join(voice.languages)
        lines.append(f"  {voice.id:<{width}}  {voice.name:<{name_width}}  {languages}".rstrip())
    if info.note:
        lines.append(f"  ({info.note})")
    return lines


def _engine_line(info: EngineInfo) -> str:
    """An engine in one line: whether it works here, and how many voices it has."""
    if not info.available:
        return f"  {_title(info)}: not available: {info.problem}"
    default = f", default {info.default_voice}" if info.default_voice else ""
    return f"  {_title(info)}: available, {count_of(len(info.voices), 'voice')}{default}"


def _speaking(options: VoiceOptions, info: EngineInfo) -> tuple[list[str], dict[str, Any]]:
    """What will speak (the lines and their JSON): the engine and voice that ``play``
    opens, and where each was chosen."""
    choice = options.choice()
    try:
        voice = options.open()
    except SpeechError as exc:
        lines = [f"Speaking: no voice: {exc}", f"  engine: {choice.describe()}"]
        return lines, {"engine": choice.engine, "voice": None, "problem": str(exc)}
    known = next((v for v in info.voices if v.id.casefold() == voice.name.casefold()), None)
    described = f"{voice.name}, {known.name}" if known else voice.name
    chosen_from = f"from {options.voice_from}" if options.voice_from else "the engine's default"
    lines = [
        f"Speaking: {described}, with {_title(info)}",
        f"  engine: {choice.describe()}",
        f"  voice: {chosen_from}",
    ]
    payload = {
        "engine": choice.engine,
        "engine_reason": choice.reason,
        "voice": voice.name,
        "voice_from": options.voice_from,
    }
    return lines, payload


@click.command("voices", short_help="The voice that speaks, and every other on request.")
@click.option(
    "--engine",
    default=None,
    help="This engine (auto, piper, pyttsx3 or espeak-ng) and every voice it has.",
)
@click.option("--all", "every", is_flag=True, help="Every engine with every voice it has.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@click.pass_context
def voices(ctx: click.Context, engine: str | None, every: bool, as_json: bool) -> None:
    """Show the voice that will speak (the config's engine and voice, or --engine), then
    the other engines in a line each; --engine lists one engine's voices, --all every
    engine's.

    Give a voice's id (or its language, or its name) to --voice, and the engine to
    --engine, on show, play and export; or name a voice for each engine under 'voices:'
    in the config file.
    """
    from voiceguide.speech import AUTO, choose_engine, list_engines

    options = settings(ctx, SpeechOptions(engine=engine)).voice_options()
    speaking = options.choice().engine
    engines = sorted(list_engines(), key=lambda info: info.name != speaking)
    chosen = engines[0]
    lines, payload = _speaking(options, chosen)
    if as_json:
        shown = engines if every or engine is None else [chosen]
        document: dict[str, object] = {
            "speaking": payload,
            "engines": [info.to_json() for info in shown],
        }
        if options.engine == AUTO:
            auto = choose_engine(AUTO)
            document["auto"] = {"engine": auto.engine, "reason": auto.reason}
        echo_json(document)
        return
    if every:
        blocks = ["\n".join(lines), *("\n".join(_engine_text(info)) for info in engines)]
    elif engine:
        blocks = ["\n".join(lines), "\n".join(_engine_text(chosen))]
    else:
        others = [
            "Other engines (`--engine E` lists one engine's voices, `--all` every engine's):",
            *(_engine_line(info) for info in engines[1:]),
        ]
        blocks = ["\n".join([*lines, _engine_line(chosen)]), "\n".join(others)]
    click.echo("\n\n".join(blocks))


commands: list[click.Command] = [voices]
