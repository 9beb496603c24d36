"""A virtual microphone in the private PulseAudio server: a second null sink whose monitor
is the input a program listens to (``PULSE_SOURCE`` names it to the program). Into it go
spoken commands and room noise (``pacat`` streams), and the guide's own output, looped
from the test sink delayed and attenuated, as a loudspeaker is heard in a room.

Also the commands themselves, said by two voices that are not the guide's: espeak-ng
(an American variant) and Piper's voice, with the noise mixed in at a given SNR.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

Signal = npt.NDArray[np.float32]

RATE = 16_000  # what the commands and the noise are made at
SPEAKERS = ("espeak-ng", "piper")  # the guide speaks with espeak-ng's default voice in tests
ESPEAK_VOICE = "en-us+f3"  # not the guide's: another accent and a woman's pitch


def _pactl(*args: str) -> str:
    return subprocess.run(
        ["pactl", *args], check=True, capture_output=True, text=True, timeout=10
    ).stdout


def _resample(signal: Signal, rate: int, target: int = RATE) -> Signal:
    if rate == target:
        return signal.astype(np.float32)
    count = round(len(signal) * target / rate)
    return np.interp(np.linspace(0, len(signal) - 1, count), np.arange(len(signal)), signal).astype(
        np.float32
    )


def spoken(text: str, speaker: str, folder: Path) -> Signal:
    """``text`` said by ``speaker`` (one of ``SPEAKERS``), 16 kHz mono, peak 0.5."""
    if speaker == "espeak-ng":
        path = folder / "said.wav"
        subprocess.run(["espeak-ng", "-v", ESPEAK_VOICE, "-w", str(path), text], check=True)
        data, rate = soundfile.read(path, dtype="float32")
    else:
        from voiceguide.render.assembly import clip_store
        from voiceguide.render.options import VoiceOptions

        rate = 22050
        data = clip_store(VoiceOptions(engine="piper"), folder / "cache", rate).get(text)
    said = _resample(np.asarray(data, dtype=np.float32).reshape(-1), int(rate))
    return (0.5 * said / max(1e-6, float(np.max(np.abs(said))))).astype(np.float32)


def room_noise(seconds: float, seed: int = 7) -> Signal:
    """Room noise: brown-ish (a fan, traffic far off), RMS 1."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(round(seconds * RATE)).astype(np.float32)
    brown = np.cumsum(white)
    brown -= np.convolve(brown, np.ones(400) / 400, mode="same")  # no drift
    mixed = 0.6 * brown / np.std(brown) + 0.4 * white
    out: Signal = (mixed / np.std(mixed)).astype(np.float32)
    return out


def with_noise(said: Signal, snr_db: float, seed: int = 7, pad: float = 0.5) -> Signal:
    """``said`` with ``pad`` seconds of room noise each side, the noise ``snr_db`` under
    the speech's RMS (measured where it speaks)."""
    margin = round(pad * RATE)
    speech = np.concatenate([np.zeros(margin, np.float32), said, np.zeros(margin, np.float32)])
    voiced = said[np.abs(said) > 0.02]
    level = float(np.sqrt(np.mean(np.square(voiced)))) if len(voiced) else 0.1
    noise = room_noise(len(speech) / RATE, seed)[: len(speech)] * level / 10 ** (snr_db / 20)
    out: Signal = (speech + noise).astype(np.float32)
    return out


class VirtualMicrophone:
    """The null sink ``name``; its monitor is the microphone (``source``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.source = f"{name}.monitor"
        self._modules: list[str] = []
        self._streams: list[subprocess.Popen[bytes]] = []
        self._folder = Path(tempfile.mkdtemp(prefix="voiceguide-mic-"))

    def env(self) -> dict[str, str]:
        """The environment of a program that listens to this microphone."""
        return dict(os.environ, PULSE_SOURCE=self.source)

    def loop_from(self, sink: str, delay: float, gain_db: float) -> None:
        """What ``sink`` plays, heard in the microphone ``delay`` seconds later and
        ``gain_db`` quieter (the guide's loudspeaker in the room)."""
        module = _pactl(
            "load-module",
            "module-loopback",
            f"source={sink}.monitor",
            f"sink={self.name}",
            f"latency_msec={round(delay * 1000)}",
            "source_dont_move=true",
            "sink_dont_move=true",
        ).strip()
        self._modules.append(module)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for stream in json.loads(_pactl("-f", "json", "list", "sink-inputs")):
                if str(stream.get("owner_module")) == module:
                    # PulseAudio's volume is cubic: a fraction v is 60*log10(v) dB.
                    fraction = 10 ** (gain_db / 60)
                    _pactl("set-sink-input-volume", str(stream["index"]), f"{fraction:.3f}")
                    return
            time.sleep(0.05)
        raise AssertionError("the loopback into the microphone did not start")

    def play(self, signal: Signal) -> subprocess.Popen[bytes]:
        """``signal`` (16 kHz mono) into the microphone, starting now; returns the stream."""
        path = self._folder / f"{len(self._streams)}.wav"
        soundfile.write(path, signal, RATE, subtype="FLOAT")
        stream = subprocess.Popen(
            ["pacat", "--playback", f"--device={self.name}", "--file-format=wav", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._streams.append(stream)
        return stream

    def say(self, signal: Signal) -> float:
        """Play ``signal`` and wait until it has been played; the monotonic time its last
        sample was sent (the end of the spoken word, within the stream's latency)."""
        stream = self.play(signal)
        stream.wait(timeout=30)
        return time.monotonic()

    def noise_in_background(self, seconds: float, level: float, seed: int = 3) -> None:
        """Room noise at RMS ``level`` for ``seconds``, from now."""
        self.play((room_noise(seconds, seed) * level).astype(np.float32))

    def close(self) -> None:
        for stream in self._streams:
            if stream.poll() is None:
                stream.kill()
            stream.wait()
        for module in reversed(self._modules):
            subprocess.run(["pactl", "unload-module", module], check=False, timeout=10)
        for path in self._folder.iterdir():
            path.unlink()
        self._folder.rmdir()


_COUNT = iter(range(1_000_000))
_COUNT_LOCK = threading.Lock()


@contextmanager
def virtual_microphone() -> Iterator[VirtualMicrophone]:
    """A new virtual microphone in the server ``PULSE_SERVER`` names, removed after."""
    with _COUNT_LOCK:
        name = f"voiceguide_mic_{os.getpid()}_{next(_COUNT)}"
    module = _pactl("load-module", "module-null-sink", f"sink_name={name}", "rate=48000").strip()
    microphone = VirtualMicrophone(name)
    microphone._modules.append(module)
    try:
        yield microphone
    finally:
        microphone.close()
