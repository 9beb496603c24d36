"""Speech engines behind one interface: ``open_voice`` gives a ``Voice`` whose
``synthesize(text)`` returns mono float32 samples and their rate.

Engines: ``pyttsx3`` (the default: the platform's own voice in-process), ``espeak-ng``
(the command) and ``piper`` (neural voices, the optional extra ``voiceguide[piper]``).
Nothing is loaded at import: each engine starts when a voice is opened or listed.
"""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.errors import SpeechError
from voiceguide.speech import espeak_command, piper_engine, pyttsx3_engine
from voiceguide.speech.base import EngineInfo, Parallelism, Voice, VoiceInfo, find_voice

__all__ = [
    "ENGINES",
    "EngineInfo",
    "Parallelism",
    "SpeechError",
    "Voice",
    "VoiceInfo",
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


def _known(engine: str) -> str:
    if engine not in _OPENERS:
        raise SpeechError(
            f"unknown speech engine '{engine}'; choose {', '.join(ENGINES[:-1])} or {ENGINES[-1]} "
            "(`voiceguide voices` shows which are available)"
        )
    return engine


def open_voice(engine: str, voice: str | None, rate: int) -> Voice:
    """The voice ``voice`` (None: the engine's default) of ``engine`` at ``rate`` words per
    minute; ``SpeechError`` saying what to install or choose when it is missing."""
    return _OPENERS[_known(engine)](voice, rate)


def list_engines(engine: str | None = None) -> tuple[EngineInfo, ...]:
    """Every engine (or just ``engine``): whether it is available, why not and what to do,
    its version and its voices."""
    names = (_known(engine),) if engine else ENGINES
    return tuple(_INFO[name]() for name in names)
