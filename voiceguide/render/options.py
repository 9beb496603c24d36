"""What render is told about the sound it makes: the voice, and how a Timeline is timed
and mixed. ``config.Settings`` projects the user's settings onto these records, so render
never sees settings it does not use (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from voiceguide.errors import SpeechError
from voiceguide.routine.records import CountStyle, Routine
from voiceguide.script.records import DEFAULT_RATE, CompileOptions

if TYPE_CHECKING:
    from voiceguide.speech import EngineChoice, Voice

T = TypeVar("T")


@dataclass(frozen=True)
class VoiceOptions:
    """Which voice speaks and how fast: what a clip cache is opened for."""

    engine: str = "auto"  # Piper where installed, else pyttsx3 (speech.choose_engine)
    voice: str | None = None  # the engine's default voice when None
    rate: int = DEFAULT_RATE  # words per minute
    # Where the engine and the voice were set ("--voice", "/home/a/config.yaml, line 3"),
    # None for a default: a message about either says where to change it.
    engine_from: str | None = field(default=None, compare=False)
    voice_from: str | None = field(default=None, compare=False)

    def choice(self) -> EngineChoice:
        """The engine that speaks, and why; only looks, loads nothing."""
        from voiceguide.speech import AUTO, choose_engine

        choice = self._traced(lambda: choose_engine(self.engine))
        if self.engine != AUTO and self.engine_from:
            return replace(choice, reason=f"from {self.engine_from}")
        return choice

    def open(self) -> Voice:
        """The voice, opened (``SpeechError`` saying where a missing one was set)."""
        from voiceguide.speech import open_voice

        return self._traced(lambda: open_voice(self.engine, self.voice, self.rate))

    def _traced(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except SpeechError as exc:
            given = [
                f"{what} '{value}' from {where}"
                for what, value, where in (
                    ("engine", self.engine, self.engine_from),
                    ("voice", self.voice, self.voice_from),
                )
                if where
            ]
            if not given:
                raise
            raise SpeechError(f"{exc} ({'; '.join(given)})") from exc


DEFAULT_BED_LEVEL = -36.0  # dB full scale (RMS) between words: about 20 dB under the voice
# Louder, a bed between words would count in the session's loudness (BS.1770 gates out
# only what is 10 LU under the mean) and take it under its target (audio/loudness.py).
BED_LEVEL_RANGE = (-60.0, -30.0)


@dataclass(frozen=True)
class BedChoice:
    """A soundscape under the voice: a built-in one's name (``audio.beds.BUILT_IN``) or an
    audio file's path, and its level between words. ``source`` None: each routine's own
    ``bed:``, where it has one (nothing was chosen on the command line or in the config)."""

    source: str | None
    level: float = DEFAULT_BED_LEVEL

    def source_for(self, routine: Routine) -> str | None:
        """The soundscape under ``routine``: the one chosen, else the routine's own."""
        return self.source if self.source is not None else routine.bed


@dataclass(frozen=True)
class RenderOptions:
    """Everything that decides how a routine sounds: the voice, the timing the compiler
    is given, and the mixing (side cues panned to their ear, tones under the breaths, a
    soundscape under it all)."""

    voice: VoiceOptions = field(default_factory=VoiceOptions)
    pace: float = 1.0  # multiplies every timed silence
    count: CountStyle | None = None  # the counting style, overriding the routine's
    pan_sides: bool = False
    breath_tones: bool = False
    bed: BedChoice | None = None  # a soundscape, ducked under every cue; None: none at all

    def compile_options(self) -> CompileOptions:
        """The compiler's part. Its rate is the voice's: the compiler estimates how long
        the voice speaks with the rate the voice really speaks at."""
        return CompileOptions(pace=self.pace, rate=self.voice.rate, count=self.count)
