"""``voiceguide doctor``: what this machine has for speech and playback, and for anything
that stops ``play`` or ``export`` from working, the exact fix."""

from __future__ import annotations

import platform
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from voiceguide import __version__
from voiceguide.config import Settings, load_settings
from voiceguide.errors import VoiceguideError
from voiceguide.paths import builtin_routines_dir, config_file, data_dir, user_routines_dir
from voiceguide.text import count_of

Verdict = Literal["ok", "note", "problem"]


@dataclass(frozen=True)
class Finding:
    """One thing looked at. ``blocks`` names what a problem stops ("play", "export")."""

    topic: str
    status: Verdict
    detail: str
    fix: str | None = None
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnosis:
    findings: tuple[Finding, ...]

    @property
    def can_play(self) -> bool:
        return not any("play" in f.blocks for f in self.findings)

    @property
    def can_export(self) -> bool:
        return not any("export" in f.blocks for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "can_play": self.can_play,
            "can_export": self.can_export,
            "findings": [asdict(f) for f in self.findings],
        }


def diagnose(config_path: Path | None, cache: Path) -> Diagnosis:
    """Look at everything ``play`` and ``export`` depend on."""
    findings = [
        Finding(
            "voiceguide",
            "ok",
            f"{__version__} on Python {platform.python_version()}, {platform.system()}",
        ),
    ]
    settings, config_finding = _config(config_path)
    findings.append(config_finding)
    findings.extend(Finding("config", "note", warning) for warning in settings.warnings)
    findings.extend(_speech(settings.engine))
    findings.append(_voice(settings))
    findings.extend(_playback(settings.backend, settings.device))
    findings.append(_media_keys())
    findings.append(_listening(settings))
    findings.append(_platform())
    findings.append(_cache(cache))
    findings.append(_routines())
    findings.append(Finding("data", "ok", f"journal and own routines in {data_dir()}"))
    return Diagnosis(tuple(findings))


def _config(path: Path | None) -> tuple[Settings, Finding]:
    path = path or config_file()
    try:
        settings = load_settings(path)
    except VoiceguideError as exc:
        return Settings(), Finding(
            "config",
            "problem",
            str(exc),
            fix=f"correct {path} (the README's Settings section lists what it takes) "
            "or move it away",
            blocks=("play", "export"),
        )
    state = "read" if path.exists() else "not present; defaults in use"
    return settings, Finding("config", "ok", f"{path} ({state})")


def _speech(engine_asked: str) -> list[Finding]:
    from voiceguide.errors import SpeechError
    from voiceguide.speech import AUTO, choose_engine, list_engines

    findings = []
    try:
        choice = choose_engine(engine_asked)
    except SpeechError:
        choice = None
    if choice is not None and choice.asked == AUTO:
        findings.append(Finding("speech: auto", "ok", choice.describe()))
    for engine in list_engines():
        chosen = choice is not None and engine.name == choice.engine
        label = f"speech: {engine.name}" + (" (chosen)" if chosen else "")
        if engine.available:
            voices = count_of(len(engine.voices), "voice") if engine.voices else "no voices listed"
            default = f", default voice {engine.default_voice}" if engine.default_voice else ""
            detail = f"{engine.version or 'version unknown'}, {voices}{default}"
            findings.append(Finding(label, "ok", detail))
        else:
            findings.append(
                Finding(
                    label,
                    "problem" if chosen else "note",
                    engine.problem or "not available",
                    fix=engine.problem,
                    blocks=("play", "export") if chosen else (),
                )
            )
    if choice is None:
        findings.append(
            Finding(
                "speech",
                "problem",
                f"the config chooses engine '{engine_asked}', which voiceguide does not know",
                fix="set engine to auto, piper, pyttsx3 or espeak-ng in the config file",
                blocks=("play", "export"),
            )
        )
    return findings


def _voice(settings: Settings) -> Finding:
    """The voice ``play`` would speak with, opened as it opens it (not loaded)."""
    from voiceguide.errors import SpeechError

    options = settings.voice_options()
    try:
        options.choice()
    except SpeechError:
        return Finding("voice", "note", "not tried: the engine is not known (see above)")
    try:
        voice = options.open()
    except SpeechError as exc:
        return Finding(
            "voice",
            "problem",
            str(exc),
            fix="name a voice that `voiceguide voices` lists for its engine, under 'voices:' "
            "in the config file (or give --voice), or leave it out for the engine's own",
            blocks=("play", "export"),
        )
    given = f", from {options.voice_from}" if options.voice_from else ", the engine's default"
    return Finding("voice", "ok", f"{voice.name} ({voice.engine}{given})")


def _playback(backend_asked: str, device: str | None) -> list[Finding]:
    from voiceguide.output.inventory import backends, output_devices

    findings = []
    for backend in backends(backend_asked, device):
        label = f"playback: {backend.name}" + (" (chosen)" if backend.default else "")
        if backend.available:
            findings.append(Finding(label, "ok", backend.detail))
        else:
            findings.append(
                Finding(
                    label,
                    "problem" if backend.default else "note",
                    backend.detail,
                    fix=backend.fix,
                    blocks=("play",) if backend.default else (),
                )
            )
    no_device_fix = (
        "connect or enable a sound output (on Linux: start PulseAudio or PipeWire, "
        "e.g. `pulseaudio --start`), or use `voiceguide export` to play the files elsewhere"
    )
    try:
        devices = output_devices()
    except VoiceguideError as exc:
        findings.append(Finding("output device", "problem", str(exc), no_device_fix, ("play",)))
        return findings
    default = next((d for d in devices if d.default), None)
    if default is None:
        findings.append(
            Finding(
                "output device",
                "problem",
                "no default output device"
                + (f" ({len(devices)} other devices)" if devices else ""),
                fix=no_device_fix,
                blocks=("play",),
            )
        )
    else:
        findings.append(
            Finding(
                "output device",
                "ok",
                f"{default.name} ({default.host_api}, {default.sample_rate:g} Hz); "
                f"{len(devices)} output devices (`voiceguide devices`)",
            )
        )
    return findings


def _media_keys() -> Finding:
    from voiceguide.player.session_bus import SessionBusUnavailable, connect

    try:
        connect().close()
    except SessionBusUnavailable as exc:
        return Finding(
            "media keys",
            "note",
            f"unavailable: {exc}; `play` still answers the terminal's keys",
            fix="play from a desktop session (or under `dbus-run-session`) for headset"
            " buttons and media keys",
        )
    return Finding(
        "media keys",
        "ok",
        "headset buttons and media keys reach `play` through MPRIS on the D-Bus session bus",
    )


def _listening(settings: Settings) -> Finding:
    """Voice commands: whether they are on, and what they need that is missing."""
    from voiceguide.listen.capture import input_devices
    from voiceguide.listen.recogniser import ListenUnavailable, model_path

    state = "on (listen: true)" if settings.listen else "off (`play --listen`, or listen: true)"
    try:
        model_path()
        import faster_whisper  # noqa: F401  (only whether it is there)

        inputs = input_devices()
    except (ListenUnavailable, ImportError) as exc:
        return Finding(
            "voice commands",
            "problem" if settings.listen else "note",
            f"{state}; cannot listen: {exc}",
            fix="pip install 'voiceguide[listen]' (scripts/voiceguide installs it)",
        )
    except VoiceguideError as exc:
        return Finding("voice commands", "note", f"{state}; cannot listen: {exc}")
    if not inputs:
        return Finding(
            "voice commands",
            "problem" if settings.listen else "note",
            f"{state}; no microphone found",
            fix="connect one, then check `voiceguide devices`",
        )
    return Finding(
        "voice commands",
        "ok",
        f"{state}; offline (tiny.en model installed), {count_of(len(inputs), 'input')};"
        " heard only while the guide is silent, never recorded",
    )


# What works on Linux alone, said by ``doctor`` on the other systems (README: "Install").
LINUX_ONLY = (
    "media keys and headset buttons (MPRIS on D-Bus)",
    "files with no name until they are whole (O_TMPFILE): elsewhere a killed export or"
    " cache can leave a temporary file, removed by the next export on macOS, by hand on"
    " Windows",
    "the checkout's setup and test scripts (scripts/test)",
)


def _platform() -> Finding:
    import sys

    if sys.platform == "linux":
        return Finding("platform", "ok", "Linux: every feature is available")
    only = list(LINUX_ONLY)
    if sys.platform == "win32":
        only.append("SIGTERM and SIGHUP (Ctrl-C and Ctrl-Break end a session the same way)")
    name = {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, sys.platform)
    return Finding("platform", "note", f"{name}; not available here: " + "; ".join(only))


def _cache(cache: Path) -> Finding:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache, prefix=".doctor-"):
            pass
    except OSError as exc:
        problem = (
            "is a file, not a folder" if cache.is_file() else f"is not writable ({exc.strerror})"
        )
        # A cache is only a cache: without one, clips are made again each time, in memory.
        return Finding(
            "clip cache",
            "note",
            f"{cache} {problem}; clips are made again each time",
            fix="choose another folder with --cache-dir or VOICEGUIDE_CACHE_DIR",
        )
    return Finding("clip cache", "ok", str(cache))


def _routines() -> Finding:
    builtin = builtin_routines_dir()
    count = len(list(builtin.glob("*.yaml")))
    own = user_routines_dir()
    own_count = len(list(own.glob("*.yaml"))) if own.is_dir() else 0
    if count == 0:
        return Finding(
            "routines",
            "problem",
            f"no built-in routines in {builtin}",
            fix="reinstall voiceguide (pip install --force-reinstall voiceguide)",
        )
    return Finding("routines", "ok", f"{count} built-in, {own_count} of your own in {own}")
