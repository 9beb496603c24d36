"""Settings: defaults, overridden by the config file, overridden by command-line options.

The config file is ``config.yaml`` in the platform config dir (``paths.config_file``). A bad
file is a ``ConfigError`` naming the file and line. ``Settings`` is frozen; the CLI makes a
changed copy with ``dataclasses.replace`` for the options the user gave.

Only the use cases (``app/``) and the command line see ``Settings``. Each stage is given
the small record of the settings it uses, made here (``render_options``,
``frequency_limits``, ...), so that what a stage depends on is in its signature.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voiceguide.errors import ConfigError, SourcePosition, SpeechError
from voiceguide.paths import config_file
from voiceguide.render.options import (
    BED_LEVEL_RANGE,
    DEFAULT_BED_LEVEL,
    BedChoice,
    RenderOptions,
    VoiceOptions,
)
from voiceguide.routine.records import COUNT_STYLES, CountStyle
from voiceguide.script.records import DEFAULT_RATE, PACE_RANGE, RATE_RANGE, CompileOptions
from voiceguide.text import did_you_mean
from voiceguide.yamlfile import YamlMap, read_yaml
from voiceguide.yamlvalues import ValueReader, shown

if TYPE_CHECKING:
    from voiceguide.player.commands import AckStyle
    from voiceguide.practice.safety import FrequencyLimits

MAX_CONFIG_BYTES = 64 * 1024
NO_BED = "none"  # as a soundscape's name: none, overriding the config file's


@dataclass(frozen=True)
class Settings:
    """Everything a user can set once instead of on every command."""

    engine: str = "auto"  # Piper where installed, else pyttsx3 (speech.choose_engine)
    voice: str | None = None  # --voice: for the engine that speaks, whichever it is
    # The config's voice for each engine: a voice belongs to one engine, and `auto` may
    # choose either of two, so the file names one per engine (`voices: {piper: ...}`).
    voices: Mapping[str, str] = field(default_factory=dict)
    rate: int = DEFAULT_RATE
    pace: float = 1.0
    count: CountStyle | None = None
    backend: str = "auto"  # pulse where a PulseAudio server answers, else sounddevice
    device: str | None = None
    pan_sides: bool = False  # side cues panned to that ear (stereo output)
    breath_tones: bool = False  # rising and falling tones under breath phases
    bed: str | None = None  # a soundscape under the voice: a built-in name or a file
    bed_level: float = DEFAULT_BED_LEVEL  # its level between words, dB full scale
    # How controls are answered: "tones" or "words" for keys and buttons alike; unset,
    # headset buttons and media keys are answered in words and keys with tones.
    acknowledge: AckStyle | None = None
    assume_yes: bool = False  # skip the safety question before routines with warnings
    listen: bool = False  # voice commands while playing (the `listen` extra)
    input: str | None = None  # the microphone: its number or part of its name
    rating: bool = True  # ask "how is your back, 0 to 10?" at the start and the end
    crack_min_hours: float = 4.0  # frequency guard: hours between crack routines
    crack_max_per_day: int = 2  # frequency guard: crack routines per calendar day
    # Where each value given was set ("--engine", "/home/a/config.yaml, line 2"; a voice
    # of `voices` under "voices: ENGINE"), so that a message about it says where to change
    # it; and what the config file held that is not used, said once by the command.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def compile_options(self) -> CompileOptions:
        """The part of the settings that the compiler takes."""
        return self.render_options().compile_options()

    def voice_options(self) -> VoiceOptions:
        """The voice clips are made in (render's clip cache, the player's spoken answers):
        ``--voice``, else the config's voice for the engine that speaks, else its default."""
        voice, voice_from = self.voice, self.origins.get("voice")
        if voice is None and self.voices:
            # Imported here: the engines are looked at (not loaded) only when needed.
            from voiceguide.speech import choose_engine

            try:
                engine = choose_engine(self.engine).engine
            except SpeechError:  # an unknown engine: opening it says so, and where it was set
                engine = self.engine
            voice, voice_from = self.voices.get(engine), self.origins.get(f"voices: {engine}")
        return VoiceOptions(
            engine=self.engine,
            voice=voice,
            rate=self.rate,
            engine_from=self.origins.get("engine"),
            voice_from=voice_from,
        )

    def render_options(self) -> RenderOptions:
        """The part render takes: the voice, the timing and the mixing."""
        return RenderOptions(
            voice=self.voice_options(),
            pace=self.pace,
            count=self.count,
            pan_sides=self.pan_sides,
            breath_tones=self.breath_tones,
            # Unset, each routine's own ``bed:`` is used (the command line's, then the
            # config file's choice comes before it).
            bed=None if self.bed == NO_BED else BedChoice(self.bed, self.bed_level),
        )

    def frequency_limits(self) -> FrequencyLimits:
        """The frequency guard's part (``practice.safety``)."""
        # Imported here: the safety module loads the journal's SQLite, which only play needs.
        from voiceguide.practice.safety import FrequencyLimits

        return FrequencyLimits(min_hours=self.crack_min_hours, max_per_day=self.crack_max_per_day)


# Settings that are one of a few words, and those that are true or false.
_FLAGS = ("pan_sides", "breath_tones", "assume_yes", "listen", "rating")
# The engines a voice can be named for (speech.ENGINES, written out: importing the
# engines' package here would slow every command's start).
VOICE_ENGINES = ("pyttsx3", "espeak-ng", "piper")


def _where(position: SourcePosition) -> str:
    """A value's place in the config file, for messages about it."""
    return f"{position.path}, line {position.line}"


def _read(values: ValueReader, data: YamlMap, name: str) -> Any:
    """The value of setting ``name`` in ``data``, checked (``ConfigError`` at its line)."""
    value = data[name]
    if name == "rate":
        return values.number(data, name, *RATE_RANGE, integer=True)
    if name == "pace":
        return float(values.number(data, name, *PACE_RANGE))
    if name == "crack_min_hours":
        return float(values.number(data, name, 0, 168))
    if name == "crack_max_per_day":
        return values.number(data, name, 1, 100, integer=True)
    if name == "bed_level":
        return float(values.number(data, name, *BED_LEVEL_RANGE))
    if name == "count":
        return None if value is None else values.word(data, name, COUNT_STYLES)
    if name == "acknowledge":
        # Imported here: the player's controls are loaded only when the setting is given.
        from voiceguide.player.commands import ACK_STYLES

        return None if value is None else values.word(data, name, ACK_STYLES)
    if name in _FLAGS:
        return values.true_or_false(data, name)
    if name == "bed":
        if value is None or value == NO_BED:
            return NO_BED
        if isinstance(value, str) and value.strip():
            return value
        values.fail(
            f"'bed' must be a soundscape's name or an audio file's path, not {shown(value)}",
            data.value_positions[name],
        )
    if name == "voices":
        if value is not None and not isinstance(value, YamlMap):
            values.fail(
                "'voices' must name a voice for each engine, like 'voices: {pyttsx3: gmw/en}'",
                data.value_positions[name],
            )
        return {} if value is None else _voices(values, value)
    if name in ("voice", "device", "input"):
        if value is None or isinstance(value, str | int):
            return None if value is None else str(value)
        values.fail(f"'{name}' must be a name, not {shown(value)}", data.value_positions[name])
    # engine, backend: non-empty words; which exist is checked where they are used.
    if isinstance(value, str) and value.strip():
        return value
    values.fail(f"'{name}' must be a name, not {shown(value)}", data.value_positions[name])


def load_settings(path: Path | None = None) -> Settings:
    """The settings from ``path`` (default: the user's config file, if it exists)."""
    path = path or config_file()
    if not os.path.lexists(path):  # a link that leads nowhere (or in a loop) is reported
        return Settings()
    if path.is_dir():
        raise ConfigError(
            f"the config file {path} is a folder; point --config or VOICEGUIDE_CONFIG at a file"
        )
    data = read_yaml(path, max_bytes=MAX_CONFIG_BYTES, error=ConfigError)
    if data is None:
        return Settings()
    if not isinstance(data, YamlMap):
        raise ConfigError(
            "the config file must be a mapping of settings, like 'rate: 150'",
            SourcePosition(path, 1, 1),
        )
    known = [f.name for f in dataclasses.fields(Settings) if f.name not in ("origins", "warnings")]
    reader = ValueReader(ConfigError, path)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name in data:
        if name not in known:
            suggestion = did_you_mean(name, known) or f"; known: {', '.join(known)}"
            # Shortened: pointed at a private file, the error must not print its contents.
            reader.fail(f"unknown setting {shown(name)}{suggestion}", data.key_positions[name])
        values[name] = _read(reader, data, name)
        origins[name] = _where(data.value_positions[name])
        if name == "voices":
            origins.update(
                (f"voices: {engine}", _where(data[name].value_positions[engine]))
                for engine in values[name]
            )
    if values.get("bed") not in (None, NO_BED):
        values["bed"] = _bed_source(values["bed"], path)
    warnings = _engine_voice(values, origins, data)
    return Settings(**values, origins=origins, warnings=warnings)


def _bed_source(source: str, config: Path) -> str:
    """A built-in soundscape's name as it is; a file's path from the config file's folder."""
    from voiceguide.audio.beds import BUILT_IN

    if source in BUILT_IN:
        return source
    return str(config.parent / Path(source).expanduser())


def _voices(values: ValueReader, data: YamlMap) -> dict[str, str]:
    """``voices:``, checked: a voice name for each engine named."""
    voices = {}
    for engine, voice in data.items():
        if engine not in VOICE_ENGINES:
            hint = did_you_mean(str(engine), VOICE_ENGINES) or f"; name {', '.join(VOICE_ENGINES)}"
            values.fail(
                f"'voices' names a voice for each engine, and {shown(engine)} is not one{hint}",
                data.key_positions[engine],
            )
        if not isinstance(voice, str | int) or isinstance(voice, bool) or not str(voice).strip():
            values.fail(
                f"the voice for {engine} must be a name from `voiceguide voices --engine "
                f"{engine}` (or for piper the path of a .onnx model)",
                data.value_positions[engine],
            )
        voices[engine] = str(voice)
    return voices


def _engine_voice(
    values: dict[str, Any], origins: dict[str, str], data: YamlMap
) -> tuple[str, ...]:
    """The config's single ``voice`` made the voice of the engine it chooses; with
    ``auto``, which may choose either of two engines, it is not used, and the warning
    returned says so and how to write it."""
    voice = values.pop("voice", None)
    where = origins.pop("voice", "")
    if voice is None:
        return ()
    engine = values.get("engine", "auto")
    if engine == "auto":
        return (
            f"{data.key_positions['voice']}: 'voice: {voice}' is not used: a voice belongs "
            "to one engine, and 'engine: auto' speaks with piper where it is installed, "
            f"else pyttsx3; name the voice for its engine, like 'voices: {{pyttsx3: {voice}}}'",
        )
    voices = values.setdefault("voices", {})
    if voices.get(engine, voice) != voice:
        raise ConfigError(
            f"'voice' and 'voices' both name a voice for {engine}; keep one of them",
            data.key_positions["voice"],
        )
    voices[engine] = voice
    origins[f"voices: {engine}"] = where
    return ()
