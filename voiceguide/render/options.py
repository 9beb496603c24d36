"""What render is told about the sound it makes: the voice, and how a Timeline is timed
and mixed. ``config.Settings`` projects the user's settings onto these records, so render
never sees settings it does not use (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from voiceguide.routine.records import CountStyle
from voiceguide.script.records import DEFAULT_RATE, CompileOptions


@dataclass(frozen=True)
class VoiceOptions:
    """Which voice speaks and how fast: what a clip cache is opened for."""

    engine: str = "auto"  # Piper where installed, else pyttsx3 (speech.choose_engine)
    voice: str | None = None  # the engine's default voice when None
    rate: int = DEFAULT_RATE  # words per minute


DEFAULT_BED_LEVEL = -36.0  # dB full scale (RMS) between words: 16 dB under the voice
BED_LEVEL_RANGE = (-60.0, -20.0)


@dataclass(frozen=True)
class BedChoice:
    """A soundscape under the voice: a built-in one's name (``audio.beds.BUILT_IN``) or an
    audio file's path, and its level between words."""

    source: str
    level: float = DEFAULT_BED_LEVEL


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
    bed: BedChoice | None = None  # a soundscape, ducked under every cue

    def compile_options(self) -> CompileOptions:
        """The compiler's part. Its rate is the voice's: the compiler estimates how long
        the voice speaks with the rate the voice really speaks at."""
        return CompileOptions(pace=self.pace, rate=self.voice.rate, count=self.count)
