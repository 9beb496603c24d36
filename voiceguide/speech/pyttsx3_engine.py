"""pyttsx3, the default engine: the platform's own speech in-process (libespeak-ng on
Linux, NSSpeechSynthesizer on macOS, SAPI5 on Windows).

On Linux pyttsx3's espeak driver is a ctypes binding of libespeak-ng, and its own way of
speaking to a file costs three times the synthesis: ``runAndWait`` polls with a 10 ms
sleep per turn, so every text waits whole 10 ms steps while the core idles, and the
samples go through a WAV file and back. Worse, libespeak-ng carries its synthesizer's
state from one text to the next, so a text's samples depended on what was said before
it. So with that driver each text is spoken through the same binding and the same calls
(the voice, the rate, ``espeak_Synth`` with the driver's flags) by a libespeak-ng fresh
from initialization, forked for that text alone (``espeak_fork``): the same samples
whatever came before, in memory, in about 5 ms.

Other drivers (macOS, Windows) save each text to a temporary file with one
``save_to_file`` per ``runAndWait`` (queued ones keep only the last file), read back with
soundfile, which reads the WAV that Windows writes and the AIFF that macOS writes
whatever the file is called.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import platform
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import decode
from voiceguide.errors import SpeechError
from voiceguide.speech import espeak_fork
from voiceguide.speech.base import EngineInfo, Parallelism, VoiceInfo, find_voice
from voiceguide.versions import installed_version

ENGINE = "pyttsx3"
FINISH_TIMEOUT = 60.0  # seconds; a phrase takes milliseconds, so this only catches a hang
ATTEMPTS = 3  # times a text is said before an empty result is an error
# With libespeak-ng each text is spoken in a process of its own (a server's child, one
# server per thread speaking), so threads speak in parallel: measured against worker
# processes on `cache warm --all` (1099 texts), 10.6 s of CPU rather than 11.6.
ESPEAK_PARALLELISM: Parallelism = "threads"

# pyttsx3 shares one engine per driver, and the stdout redirection is process-wide.
_LOCK = threading.Lock()
# pyttsx3's espeak driver: what it asks libespeak-ng to speak with, and its sample format.
_ESPEAK_SAMPLE_RATE = espeak_fork.SAMPLE_RATE
_PCM16_FULL_SCALE = 32768  # what soundfile divides 16-bit samples by: the same floats


def _fix() -> str:
    if sys.platform == "darwin":
        return "pip install pyobjc"
    if sys.platform == "win32":
        return "pip install comtypes pywin32"
    return "apt-get install espeak-ng (or your system's espeak-ng package)"


_started: tuple[Any, str] | None = None
_servers = espeak_fork.Servers()  # libespeak-ng fresh for each text (Linux)


def _engine() -> tuple[Any, str]:
    """pyttsx3's engine for this platform and its default voice, made on first use.

    pyttsx3 keeps one engine per driver and process, shared by every voice here; the
    default is noted before any voice is set on it.
    """
    global _started
    if _started is None:
        try:
            import pyttsx3

            with contextlib.redirect_stdout(io.StringIO()):
                tts = pyttsx3.init()
                default = tts.getProperty("voice")
            atexit.register(_release)
        except Exception as exc:  # pyttsx3 raises anything from ImportError to RuntimeError
            raise SpeechError(f"pyttsx3 cannot start the system voice ({exc}): {_fix()}") from exc
        _started = (tts, str(default or ""))
    return _started


def _release() -> None:
    """Let the engine go while the interpreter is whole: pyttsx3's driver cleans up in
    ``__del__``, which fails noisily if it runs during interpreter shutdown."""
    global _started
    _started = None
    _servers.close()


def _is_espeak(tts: Any) -> bool:
    return getattr(tts, "driver_name", None) == "espeak"


def _backend_version(engine: Any) -> str:
    """What actually makes the sound, since it changes the sound: libespeak-ng's version
    on Linux, the system's elsewhere."""
    driver = str(getattr(engine, "driver_name", "") or "")
    if _is_espeak(engine):
        from pyttsx3.drivers import _espeak

        info = _espeak.Info(None)
        return f"espeak-ng {info.decode() if isinstance(info, bytes) else info}"
    if driver == "nsss":
        return f"nsss macOS {platform.mac_ver()[0]}"
    return f"{driver} {platform.system()} {platform.version()}"


def _version(engine: Any) -> str:
    return f"{installed_version('pyttsx3') or 'unknown'} {_backend_version(engine)}"


def _voices(engine: Any) -> tuple[VoiceInfo, ...]:
    found = []
    for voice in engine.getProperty("voices") or ():
        identifier = str(voice.id)
        if identifier.startswith("mb/"):
            continue  # MBROLA voices are listed by libespeak-ng but rarely installed
        languages = tuple(
            item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            for item in (voice.languages or ())
        )
        gender = str(voice.gender).lower() if voice.gender else None
        found.append(VoiceInfo(identifier, str(voice.name or identifier), languages, gender))
    return tuple(found)


@dataclass
class Pyttsx3Voice:
    """One pyttsx3 voice at one rate (words per minute). The process's engine is made on
    the first use and reused after; a voice holds no engine, so it pickles, and each
    worker process makes its own."""

    voice_id: str
    rate: int
    engine_version: str
    engine: str = field(default=ENGINE, init=False)
    parallelism: Parallelism = field(default="processes", init=False)

    @property
    def name(self) -> str:
        return self.voice_id

    @property
    def identity(self) -> str:
        # "fresh": clips cached before each text was spoken by a fresh libespeak-ng
        # depended on the texts before them, and are not used.
        return f"{ENGINE} {self.engine_version}|{self.voice_id}|{self.rate} wpm|fresh"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        # Now and then, on a busy machine, a text came back with no audio at all (seen when
        # pyttsx3's espeak driver wrote the file, which it does from what it has collected
        # when libespeak-ng reports the end; the drivers elsewhere still write files).
        # Saying it again is the remedy: a silent clip must never reach the cache.
        for _ in range(ATTEMPTS):
            samples, rate = self._synthesize_once(text)
            if len(samples) or not text.strip():
                return samples, rate
        raise SpeechError(f"pyttsx3 wrote no audio for {text!r}; try --engine espeak-ng")

    def _synthesize_once(self, text: str) -> tuple[Samples, int]:
        with _LOCK:
            tts = _engine()[0]
            if not _is_espeak(tts):
                # The engine is shared by every voice in the process: set ours each time.
                return _speak_to_file(tts, text, self.voice_id, self.rate)
        # Each thread speaking has a libespeak-ng server of its own.
        return _speak_espeak(text, self.voice_id, self.rate), _ESPEAK_SAMPLE_RATE


def _speak_espeak(text: str, voice_id: str, rate: int) -> Samples:
    """``text`` spoken by libespeak-ng as pyttsx3's espeak driver would speak it (the same
    voice, rate and flags), from the state it has right after initialization."""
    try:
        pcm = _servers.speak(text, voice_id, rate, FINISH_TIMEOUT)
    except espeak_fork.ForkError as exc:
        raise SpeechError(f"{exc}; try --engine espeak-ng") from exc
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
    samples /= _PCM16_FULL_SCALE
    return samples


def _speak_to_file(tts: Any, text: str, voice_id: str, rate: int) -> tuple[Samples, int]:
    """``text`` saved to a file by pyttsx3's own driver (macOS, Windows), read back."""
    with tempfile.TemporaryDirectory(prefix="voiceguide-") as folder:
        path = Path(folder) / "clip.wav"
        with contextlib.redirect_stdout(io.StringIO()):  # drivers announce what they saved
            tts.setProperty("voice", voice_id)
            tts.setProperty("rate", rate)
            tts.save_to_file(text, str(path))
            tts.runAndWait()
        if not path.exists() or path.stat().st_size == 0:
            raise SpeechError(f"pyttsx3 wrote no audio for {text!r}; try --engine espeak-ng")
        try:
            return decode(path)
        except RuntimeError as exc:
            raise SpeechError(f"pyttsx3 wrote audio that cannot be read: {exc}") from exc


def open_voice(voice: str | None, rate: int) -> Pyttsx3Voice:
    with _LOCK:
        tts, default = _engine()
        chosen = voice or default
        info = find_voice(ENGINE, _voices(tts), chosen)
        opened = Pyttsx3Voice(info.id, rate, _version(tts))
        if _is_espeak(tts):
            opened.parallelism = ESPEAK_PARALLELISM
        return opened


def engine_info() -> EngineInfo:
    try:
        with _LOCK:
            tts, default = _engine()
            return EngineInfo(
                name=ENGINE,
                available=True,
                version=_version(tts),
                default_voice=default,
                voices=_voices(tts),
            )
    except SpeechError as exc:
        return EngineInfo(name=ENGINE, available=False, problem=str(exc))
