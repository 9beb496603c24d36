"""What this machine can play through: the backends and the output devices.

``voiceguide devices`` prints these and ``voiceguide doctor`` checks them; both say, for
whatever is missing, why and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voiceguide.errors import PlaybackError
from voiceguide.output.base import BackendUnavailable
from voiceguide.output.pulse_backend import ServerInfo, import_libpulse, pulse_server
from voiceguide.output.quiet import native_stderr_silenced
from voiceguide.output.simpleaudio_backend import import_simpleaudio
from voiceguide.output.sounddevice_backend import import_sounddevice
from voiceguide.versions import installed_version

DEFAULT_BACKEND = "auto"  # pulse where a PulseAudio server answers, else sounddevice
BACKEND_NAMES = ("sounddevice", "pulse", "simpleaudio")


@dataclass(frozen=True)
class BackendInfo:
    """One playback backend: ``detail`` is its version when available, else why not;
    ``fix`` says what to do about it."""

    name: str
    available: bool
    default: bool
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class DeviceInfo:
    """An output device as the sounddevice backend sees it (``--device`` takes the index
    or part of the name)."""

    index: int
    name: str
    host_api: str
    channels: int
    sample_rate: float
    default: bool


def _version(package: str) -> str:
    return installed_version(package) or "unknown version"


def _chosen(backend: str, device: str | None, server: ServerInfo | None) -> str:
    """The backend ``play`` uses for the settings' ``backend`` and ``device``, the
    PulseAudio ``server`` already asked (None: none answers): "auto" made definite as
    ``open_output`` makes it."""
    if backend != "auto":
        return backend
    if device is None and server is not None:
        return "pulse"
    return "sounddevice"


def backends(backend: str = DEFAULT_BACKEND, device: str | None = None) -> list[BackendInfo]:
    """Every backend, available or not, marking the one the settings' ``backend`` and
    ``device`` choose."""
    with native_stderr_silenced():
        # Asked once: which backend auto is, and what the pulse line says of the server.
        server = pulse_server()
        return _backends(_chosen(backend, device, server), server)


def _backends(default: str, server: ServerInfo | None) -> list[BackendInfo]:
    found: list[BackendInfo] = []
    for name, importer in (
        ("sounddevice", import_sounddevice),
        ("pulse", import_libpulse),
        ("simpleaudio", import_simpleaudio),
    ):
        try:
            module = importer()
            detail = _pulse_detail(module, server) if name == "pulse" else _version(name)
        except BackendUnavailable as exc:
            found.append(BackendInfo(name, False, name == default, exc.reason, exc.fix))
            continue
        if name == "sounddevice":
            detail += f", {module.get_portaudio_version()[1]}"
        found.append(BackendInfo(name, True, name == default, detail))
    return found


def _pulse_detail(lib: Any, server: ServerInfo | None) -> str:
    """libpulse's version, and the ``server`` it reaches with the sink it would play to;
    BackendUnavailable when no server answers (it has nothing to play through)."""
    version = f"libpulse {lib.pa_get_library_version().decode()}"
    if server is None:
        raise BackendUnavailable(
            f"{version}, but no PulseAudio server answers",
            "start one (`pulseaudio --start`), or play through --backend sounddevice",
        )
    if not server.name:
        return version
    detail = f"{version}; server {server.name} {server.version}".rstrip()
    if not server.default_sink:
        return f"{detail}, no default sink"
    return f"{detail}, plays to its default sink {server.default_sink}"


def output_devices() -> list[DeviceInfo]:
    """The output devices PortAudio knows, marking the default one."""
    with native_stderr_silenced():
        return _output_devices()


def _output_devices() -> list[DeviceInfo]:
    sd = import_sounddevice()
    try:
        default = sd.default.device[1]
        apis = sd.query_hostapis()
        devices = sd.query_devices()
    except sd.PortAudioError as exc:
        raise PlaybackError(f"cannot list the audio devices ({exc})") from exc
    if isinstance(default, str) or default is None:
        default = -1
    return [
        DeviceInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            host_api=str(apis[d["hostapi"]]["name"]),
            channels=int(d["max_output_channels"]),
            sample_rate=float(d["default_samplerate"]),
            default=int(d["index"]) == int(default),
        )
        for d in devices
        if d["max_output_channels"] > 0
    ]
