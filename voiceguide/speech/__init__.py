"""Speech engines behind one interface: ``open_voice`` gives a ``Voice`` whose
``synthesize(text)`` returns mono float32 samples and their rate.

Engines: ``piper`` (neural voices, the optional extra ``voiceguide[piper]``), ``pyttsx3``
(the platform's own voice: libespeak-ng on Linux, each text from a fresh start) and
``espeak-ng`` (the command). ``auto``, the default, is Piper with its packaged voice
where that is installed and pyttsx3 otherwise (``choose_engine`` says which and why).
Nothing is loaded at import: each engine starts when a voice is opened or listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voiceguide.errors import SpeechError
from voiceguide.speech import espeak_command, piper_engine, pyttsx3_engine
from voiceguide.speech.base import EngineInfo, Parallelism, Voice, VoiceInfo, find_voice
from voiceguide.text import word_list

__all__ = [
    "AUTO",
    "ENGINES",
    "EngineChoice",
    "EngineInfo",
    "Parallelism",
    "SpeechError",
    "Voice",
    "VoiceInfo",
    "choose_engine",
    "find_voice",
    "list_engines",
    "open_voice",
]

_OPENERS: dict[str, Callable[[str | None, int], Voice]] = {
    pyttsx3_engine.ENGINE: pyttsx3_engine.open_voice,
    espeak_command.ENGINE: espeak_command.open_voice,
    piper_engine.ENGINE: piper_engine.open_voice,
}
_INFO: dict[str, Callable[[], EngineInfo]] = {
    pyttsx3_engine.ENGINE: pyttsx3_engine.engine_info,
    espeak_command.ENGINE: espeak_command.engine_info,
    piper_engine.ENGINE: piper_engine.engine_info,
}
ENGINES = tuple(_OPENERS)
AUTO = "auto"  # the default: the natural voice where installed, else the portable one


@dataclass(frozen=True)
class EngineChoice:
    """The engine that speaks for the engine asked for (``auto`` or a name), and why."""

    asked: str
    engine: str
    reason: str

    def describe(self) -> str:
        """One line for ``voices``, ``doctor`` and ``show``."""
        if self.asked == AUTO:
            return f"auto chose {self.engine}: {self.reason}"
        return f"{self.engine}: {self.reason}"


def _known(engine: str) -> str:
    if engine not in _OPENERS:
        raise SpeechError(
            f"unknown speech engine '{engine}'; choose {word_list([AUTO, *ENGINES])}"
            f" (`voiceguide voices` shows which are available)"
        )
    return engine


def choose_engine(engine: str) -> EngineChoice:
    """The engine ``engine`` names: itself, or for ``auto`` Piper when its module and
    packaged voice can be imported, pyttsx3 otherwise. Only looks, loads nothing."""
    if engine != AUTO:
        return EngineChoice(engine, _known(engine), "chosen explicitly")
    missing = piper_engine.missing()
    if missing is None:
        return EngineChoice(AUTO, piper_engine.ENGINE, "the Piper voice is installed")
    return EngineChoice(
        AUTO, pyttsx3_engine.ENGINE, f"{missing} (for the natural voice: {piper_engine.EXTRA})"
    )


def open_voice(engine: str, voice: str | None, rate: int) -> Voice:
    """The voice ``voice`` (None: the engine's default) of ``engine`` (or ``auto``) at
    ``rate`` words per minute; ``SpeechError`` saying what to install or choose when it is
    missing."""
    return _OPENERS[choose_engine(engine).engine](voice, rate)


def list_engines(engine: str | None = None) -> tuple[EngineInfo, ...]:
    """Every engine (or just ``engine``): whether it is available, why not and what to do,
    its version and its voices."""
    names = (choose_engine(engine).engine,) if engine else ENGINES
    return tuple(_INFO[name]() for name in names)
