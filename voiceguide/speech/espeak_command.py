"""The ``espeak-ng`` command as a speech engine: one process per text.

Arguments go as a list (never through a shell) and the text goes on standard input, so
no text can be taken for an option. The WAV comes back on standard output.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import decode
from voiceguide.errors import SpeechError
from voiceguide.speech.base import EngineInfo, Parallelism, VoiceInfo, find_voice

ENGINE = "espeak-ng"
DEFAULT_VOICE = "gmw/en"
INSTALL_HINT = "espeak-ng is not installed: apt-get install espeak-ng (or your system's package)"
TIMEOUT = 60.0  # seconds; a phrase takes milliseconds, so this only catches a hung process


def program() -> str:
    """The espeak-ng executable, or ``SpeechError`` saying how to install it."""
    found = shutil.which("espeak-ng")
    if found is None:
        raise SpeechError(INSTALL_HINT)
    return found


def _run(arguments: list[str], text: str | None = None) -> bytes:
    try:
        done = subprocess.run(
            arguments,
            input=None if text is None else text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechError(f"espeak-ng could not be run: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"status {done.returncode}"
        raise SpeechError(f"espeak-ng failed: {message}")
    return done.stdout


def version(executable: str) -> str:
    """``1.51`` from "eSpeak NG text-to-speech: 1.51  Data at: ..."."""
    output = _run([executable, "--version"]).decode("utf-8", "replace")
    found = re.search(r":\s*(\S+)", output)
    return found.group(1) if found else output.strip()


def parse_voice_list(output: str, mbrola: bool) -> tuple[VoiceInfo, ...]:
    """The voices in ``espeak-ng --voices`` output. MBROLA voices are listed there even
    when MBROLA is not installed; they are left out unless ``mbrola``."""
    voices = []
    for line in output.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        _, language, age_gender, name, identifier, *others = fields
        if identifier.startswith("mb/") and not mbrola:
            continue
        extra = [other.strip("()") for other in others if other.startswith("(")]
        gender = {"M": "male", "F": "female"}.get(age_gender.rsplit("/", 1)[-1])
        voices.append(
            VoiceInfo(
                id=identifier,
                name=name.replace("_", " "),
                languages=tuple(dict.fromkeys([language, *extra])),
                gender=gender,
            )
        )
    return tuple(voices)


def list_voices(executable: str) -> tuple[VoiceInfo, ...]:
    output = _run([executable, "--voices"]).decode("utf-8", "replace")
    return parse_voice_list(output, mbrola=shutil.which("mbrola") is not None)


@dataclass
class EspeakCommandVoice:
    """One voice of the espeak-ng command at one rate (words per minute)."""

    voice_id: str
    rate: int
    executable: str
    engine_version: str
    engine: str = field(default=ENGINE, init=False)
    parallelism: Parallelism = field(default="threads", init=False)

    @property
    def name(self) -> str:
        return self.voice_id

    @property
    def identity(self) -> str:
        return f"{ENGINE} {self.engine_version}|{self.voice_id}|{self.rate} wpm"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        wav = _run(
            [self.executable, "--stdout", "-b", "1", "-s", str(self.rate), "-v", self.voice_id],
            text,
        )
        try:
            return decode(wav)
        except RuntimeError as exc:  # soundfile's error for data it cannot read
            raise SpeechError(f"espeak-ng gave no readable audio for {text!r}: {exc}") from exc


def open_voice(voice: str | None, rate: int) -> EspeakCommandVoice:
    executable = program()
    chosen = find_voice(ENGINE, list_voices(executable), voice or DEFAULT_VOICE)
    return EspeakCommandVoice(chosen.id, rate, executable, version(executable))


def engine_info() -> EngineInfo:
    try:
        executable = program()
        return EngineInfo(
            name=ENGINE,
            available=True,
            version=version(executable),
            default_voice=DEFAULT_VOICE,
            voices=list_voices(executable),
        )
    except SpeechError as exc:
        return EngineInfo(name=ENGINE, available=False, problem=str(exc))
