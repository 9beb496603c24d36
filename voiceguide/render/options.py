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


@dataclass(frozen=True)
class RenderOptions:
    """Everything that decides how a routine sounds: the voice, the timing the compiler
    is given, and the mixing (side cues panned to their ear, tones under the breaths)."""

    voice: VoiceOptions = field(default_factory=VoiceOptions)
    pace: float = 1.0  # multiplies every timed silence
    count: CountStyle | None = None  # the counting style, overriding the routine's
    pan_sides: bool = False
    breath_tones: bool = False

    def compile_options(self) -> CompileOptions:
        """The compiler's part. Its rate is the voice's: the compiler estimates how long
        the voice speaks with the rate the voice really speaks at."""
        return CompileOptions(pace=self.pace, rate=self.voice.rate, count=self.count)
