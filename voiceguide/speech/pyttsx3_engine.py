"""pyttsx3, the default engine: the platform's own speech in-process (libespeak-ng on
Linux, NSSpeechSynthesizer on macOS, SAPI5 on Windows).

Each text is saved to a temporary file with one ``save_to_file`` per ``runAndWait`` (queued
ones keep only the last file) and read back with soundfile, which reads the WAV that
Linux and Windows write and the AIFF that macOS writes whatever the file is called.

pyttsx3's espeak driver (2.99) runs libespeak-ng asynchronously, and three things follow.
``runAndWait`` can return while libespeak-ng is still synthesizing on its own thread, so
the file is complete only at the "finished-utterance" notification, which is waited for.
Property changes are queued on that thread, and ``runAndWait`` cancels whatever is still
queued there when it starts, so a new rate or voice is lost unless the thread is idle
first: it is waited for before and after the properties are set. And the driver
announces "Audio saved to ..." with ``print`` from that thread, so stdout is redirected
until the end, keeping it clean for ``--json``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _fix() -> str:
    if sys.platform == "darwin":
        return "pip install pyobjc"
    if sys.platform == "win32":
        return "pip install comtypes pywin32"
    return "apt-get install espeak-ng (or your system's espeak-ng package)"


_started: tuple[Any, str] | None = None
_finished = threading.Event()


def _on_finished(name: Any = None, completed: bool = True) -> None:
    _finished.set()


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
                tts.connect("finished-utterance", _on_finished)
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


def _settle(tts: Any) -> None:
    """Wait until libespeak-ng's thread has nothing queued (espeak driver only)."""
    if not _is_espeak(tts):
        return
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
        # pyttsx3's espeak driver writes the file when libespeak-ng reports the end, from
        # the audio it has collected so far; now and then, on a busy machine, that is
        # nothing at all (a header with no frames). Saying it again is the remedy: a
        # silent clip must never reach the cache.
        for _ in range(ATTEMPTS):
            samples, rate = self._synthesize_once(text)
            if len(samples) or not text.strip():
                return samples, rate
        raise SpeechError(f"pyttsx3 wrote no audio for {text!r}; try --engine espeak-ng")

    def _synthesize_once(self, text: str) -> tuple[Samples, int]:
        with _LOCK, tempfile.TemporaryDirectory(prefix="voiceguide-") as folder:
            tts = _engine()[0]
            path = Path(folder) / "clip.wav"
            with contextlib.redirect_stdout(io.StringIO()):
                # The engine is shared by every voice in the process: set ours each time.
                _settle(tts)
                tts.setProperty("voice", self.voice_id)
                tts.setProperty("rate", self.rate)
                _settle(tts)
                _finished.clear()
                tts.save_to_file(text, str(path))
                tts.runAndWait()
                # Other drivers have finished when runAndWait returns.
                finished = not _is_espeak(tts) or _finished.wait(FINISH_TIMEOUT)
                _settle(tts)
            if not finished:
                raise SpeechError(
                    f"pyttsx3 did not finish speaking {text!r}; try --engine espeak-ng"
                )
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
