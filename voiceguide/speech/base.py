"""What every speech engine provides: the Voice interface and what ``voices`` shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from voiceguide.audio.samples import Samples
from voiceguide.errors import SpeechError

# How a clip store may run several of this voice's syntheses at once: in worker processes
# (an in-process library that is not thread-safe), in threads (each synthesis its own
# process already) or not at all (the engine already uses every core).
Parallelism = Literal["processes", "threads", "serial"]


class Voice(Protocol):
    """A voice ready to speak: ``synthesize`` returns mono float32 samples and their rate.

    ``identity`` names everything that changes the sound (engine and its version, voice,
    rate), so it can key a cache. A voice may also have ``parallelism`` (see above); a
    voice without it is synthesized one text at a time. Voices pickle without their
    loaded engine, so worker processes each load their own.
    """

    @property
    def engine(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def identity(self) -> str: ...

    def synthesize(self, text: str) -> tuple[Samples, int]: ...


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers: ``id`` is what ``--voice`` takes."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


@dataclass(frozen=True)
class EngineInfo:
    """A speech engine as ``voices`` and ``doctor`` show it; ``problem`` says why it is not
    available and what to do."""

    name: str
    available: bool
    version: str | None = None
    default_voice: str | None = None
    voices: tuple[VoiceInfo, ...] = ()
    problem: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _spellings(info: VoiceInfo) -> set[str]:
    """The ways a user may name a voice: its id, the id's last part, its name (with
    spaces or underscores) and its languages."""
    tail = info.id.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    names = {info.id, tail, info.name, info.name.replace("_", " "), *info.languages}
    return {name.casefold() for name in names if name}


def find_voice(engine: str, voices: Iterable[VoiceInfo], wanted: str) -> VoiceInfo:
    """The voice ``wanted`` names (exact id first, then any other spelling)."""
    voices = list(voices)
    key = wanted.strip().casefold()
    for info in voices:
        if info.id.casefold() == key:
            return info
    for info in voices:
        if key in _spellings(info):
            return info
    raise SpeechError(
        f"no voice '{wanted}' for {engine}; `voiceguide voices --engine {engine}` lists them"
    )
