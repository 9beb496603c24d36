"""pyttsx3, the default engine: the platform's own speech in-process (libespeak-ng on
Linux, NSSpeechSynthesizer on macOS, SAPI5 on Windows).

On Linux pyttsx3's espeak driver is a ctypes binding of libespeak-ng, and its own way of
speaking to a file costs three times the synthesis: ``runAndWait`` polls with a 10 ms
sleep per turn, so every text waits whole 10 ms steps while the core idles, and the
samples go through a WAV file and back. So with that driver the text is given to
libespeak-ng through the same binding and the same calls (the voice, the rate,
``espeak_Synth`` with the driver's flags), and the samples are taken from the synthesis
callback as they come: the same samples, in memory, as soon as the utterance ends. The
voice is set directly on libespeak-ng, and the rate is queued on its synthesis thread
ahead of the text, so each is set while that thread is idle.

Other drivers (macOS, Windows) save each text to a temporary file with one
``save_to_file`` per ``runAndWait`` (queued ones keep only the last file), read back with
soundfile, which reads the WAV that Windows writes and the AIFF that macOS writes
whatever the file is called.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import decode
from voiceguide.errors import SpeechError
from voiceguide.speech.base import EngineInfo, Parallelism, VoiceInfo, find_voice
from voiceguide.versions import installed_version

ENGINE = "pyttsx3"
FINISH_TIMEOUT = 60.0  # seconds; a phrase takes milliseconds, so this only catches a hang
ATTEMPTS = 3  # times a text is said before an empty result is an error

# libespeak-ng keeps one synthesizer per process and is not thread-safe, and pyttsx3
# shares one engine per driver; the stdout redirection is process-wide too.
_LOCK = threading.Lock()
# pyttsx3's espeak driver: what it asks libespeak-ng to speak with, and its sample format.
_ESPEAK_SAMPLE_RATE = 22050
_PCM16_FULL_SCALE = 32768  # what soundfile divides 16-bit samples by: the same floats


def _fix() -> str:
    if sys.platform == "darwin":
        return "pip install pyobjc"
    if sys.platform == "win32":
        return "pip install comtypes pywin32"
    return "apt-get install espeak-ng (or your system's espeak-ng package)"


_started: tuple[Any, str] | None = None


class _Utterance:
    """The samples libespeak-ng makes for one text, handed over on its own thread."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.ended = threading.Event()


_utterance: _Utterance | None = None  # the one being spoken, if any


def _on_synth(wav: Any, frames: int, events: Any) -> int:
    """libespeak-ng's synthesis callback (on its thread): keep the samples, note the end."""
    from pyttsx3.drivers import _espeak

    utterance = _utterance
    if utterance is None:
        return 0
    if frames > 0:
        utterance.chunks.append(ctypes.string_at(wav, frames * ctypes.sizeof(ctypes.c_short)))
    index = 0
    while events[index].type != _espeak.EVENT_LIST_TERMINATED:
        if events[index].type == _espeak.EVENT_MSG_TERMINATED:
            utterance.ended.set()
        index += 1
    return 0


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
            if _is_espeak(tts):
                from pyttsx3.drivers import _espeak

                # From now on this process's libespeak-ng speaks to us (_speak_espeak),
                # not to the driver.
                _espeak.SetSynthCallback(_on_synth)
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


def _is_espeak(tts: Any) -> bool:
    return getattr(tts, "driver_name", None) == "espeak"


def _settle() -> None:
    """Wait until libespeak-ng's thread has nothing queued."""
    from pyttsx3.drivers import _espeak

    deadline = time.monotonic() + FINISH_TIMEOUT
    # espeak_Synchronize would do, but it polls every 20 ms; this costs well under 1 ms.
    while _espeak.IsPlaying():
        if time.monotonic() > deadline:
            raise SpeechError("libespeak-ng did not finish; try --engine espeak-ng")
        time.sleep(0.0002)


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
        return f"{ENGINE} {self.engine_version}|{self.voice_id}|{self.rate} wpm"

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
            # The engine is shared by every voice in the process: set ours each time.
            if _is_espeak(tts):
                return _speak_espeak(text, self.voice_id, self.rate), _ESPEAK_SAMPLE_RATE
            return _speak_to_file(tts, text, self.voice_id, self.rate)


def _speak_espeak(text: str, voice_id: str, rate: int) -> Samples:
    """``text`` spoken by libespeak-ng as pyttsx3's espeak driver would speak it (the same
    voice, rate and flags), its samples taken from the synthesis callback."""
    global _utterance
    from pyttsx3.drivers import _espeak
    from pyttsx3.drivers.espeak import EspeakDriver

    _settle()  # the voice is set at once, so never under a synthesis still running
    try:
        EspeakDriver.setProperty("voice", voice_id)
        EspeakDriver.setProperty("rate", rate)  # queued ahead of the text
    except ValueError as exc:
        raise SpeechError(f"libespeak-ng cannot use the voice {voice_id!r}: {exc}") from exc
    utterance = _utterance = _Utterance()
    try:
        status = _espeak.Synth(text, flags=_espeak.ENDPAUSE | _espeak.CHARS_UTF8)
        if status != 0:
            raise SpeechError(f"libespeak-ng refused {text!r} (error {status})")
        if not utterance.ended.wait(FINISH_TIMEOUT):
            _espeak.Cancel()
            raise SpeechError(f"pyttsx3 did not finish speaking {text!r}; try --engine espeak-ng")
        _settle()
    finally:
        _utterance = None
    samples = np.frombuffer(b"".join(utterance.chunks), dtype="<i2").astype(np.float32)
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
        return Pyttsx3Voice(info.id, rate, _version(tts))


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
