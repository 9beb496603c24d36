"""The natural voice for real: Piper with its packaged voice (the dev setup installs the
extra). Its clips go through the same processing as every engine's, so its cues land
where the cue list says, and a routine played while it renders is exactly the export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.support.fake_output import FakeOutput
from voiceguide.app.export import export_routines
from voiceguide.player.player import Player
from voiceguide.render import assembly, streaming
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine

PIPER = RenderOptions(VoiceOptions(engine="piper"))
ONSET_DB = -50.0  # a cue's onset: its first sample within this of the cue's own peak
LOOKBACK = 0.02  # seconds searched before a cue's time (never into the sound before it)


def onset_errors(wav: Path, cues_json: Path) -> list[float]:
    """For each spoken cue, seconds from its time in the cue list to its audible onset."""
    data, rate = soundfile.read(wav, dtype="float32", always_2d=True)
    loudness = np.abs(data).max(axis=1)
    errors = []
    previous_end = 0.0
    for cue in json.loads(cues_json.read_text(encoding="utf-8"))["cues"]:
        if cue["kind"] != "tone":
            lo = round(max(cue["start"] - LOOKBACK, previous_end) * rate)
            segment = loudness[lo : round(cue["end"] * rate)]
            loud = np.flatnonzero(segment >= segment.max() * 10 ** (ONSET_DB / 20))
            errors.append((lo + int(loud[0])) / rate - cue["start"])
        previous_end = cue["end"]
    return errors


def test_a_piper_export_puts_every_cue_where_its_cue_list_says(
    tmp_path: Path, shared_cache_dir: Path
) -> None:
    (done,) = export_routines([find_routine("floor-option3")], tmp_path, PIPER, shared_cache_dir)
    wav, cues_json = done.files[0], done.files[1]
    assert (wav.suffix, cues_json.name) == (".wav", "floor-option3.cues.json")
    errors = onset_errors(wav, cues_json)
    assert len(errors) > 20
    assert max(abs(error) for error in errors) <= 0.005


def test_playing_piper_while_it_renders_is_exactly_the_prepared_timeline(
    tmp_path: Path,
) -> None:
    routine = find_routine("floor-option3")
    # An empty cache: all cold.
    rendering = streaming.start(routine, PIPER, assembly.clip_store(PIPER.voice, tmp_path))
    growing = rendering.timeline
    growing.wait_until_playable(0)
    assert not growing.complete  # playing starts before the voice is done
    fake = FakeOutput(block=1024)
    player = Player(growing, fake, rendered=growing.progress)
    assert player.run().outcome == "completed"
    rendering.join()
    prepared = assembly.prepare(routine, PIPER, tmp_path)  # from the cache the play filled
    heard = fake.frames
    keep = np.ones(len(heard), dtype=bool)
    for start, frames in player.transport.waited:
        keep[start : start + frames] = False
    # The fake output plays as fast as it can, so it waits; the wait tone is mixed in just
    # after each wait, so compare only up to the first.
    first_wait = player.transport.waited[0][0] if player.transport.waited else len(heard)
    np.testing.assert_array_equal(heard[:first_wait], prepared.read(0, first_wait))
    assert growing.script == prepared.script


@pytest.mark.parametrize("engine", ["piper", "pyttsx3"])
def test_clip_processing_is_the_same_for_every_engine(engine: str, tmp_path: Path) -> None:
    from voiceguide.audio.loudness import (
        CLIP_LOUDNESS,
        VOICE_CEILING_DB,
        clip_loudness,
        true_peak_db,
    )
    from voiceguide.render.clips import ClipStore
    from voiceguide.speech import open_voice

    store = ClipStore(tmp_path, open_voice(engine, None, 160), assembly.SAMPLE_RATE)
    clip = store.get("Bring your knees to your chest.")
    peak = float(np.abs(clip).max())
    # Trimmed: sound from the first samples (after the 1 ms fade-in) to the last ones.
    assert np.abs(clip[: round(0.005 * assembly.SAMPLE_RATE)]).max() > 1e-3 * peak
    assert np.abs(clip[-round(0.05 * assembly.SAMPLE_RATE) :]).max() > 1e-3 * peak
    # Levelled to the same loudness under the same true-peak ceiling, at the session's rate.
    assert peak <= 10 ** (-1.0 / 20) + 1e-4
    rate = assembly.SAMPLE_RATE
    assert clip_loudness(clip, rate) == pytest.approx(CLIP_LOUDNESS, abs=0.2)
    assert true_peak_db(clip, rate) <= VOICE_CEILING_DB + 0.1


def test_a_ctrl_c_while_piper_loads_its_runtime_is_the_way_out_not_a_broken_import() -> None:
    """A Ctrl-C that comes while onnxruntime is being imported (the first second of a
    Piper session) takes effect once the import is done, so the process leaves as for
    any Ctrl-C. (Striking inside onnxruntime's C start-up, it became an ImportError,
    "initialization failed": a traceback and exit status 1, seen under load.)"""
    import subprocess
    import sys

    code = """
import importlib.abc, signal, sys
from voiceguide import signals
from voiceguide.speech import piper_engine

class CtrlCDuringTheRuntime(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "onnxruntime.capi._pybind_state":
            signal.raise_signal(signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlCDuringTheRuntime())
try:
    with signals.leave_on_signals():
        piper_engine._piper()
        print("not interrupted")
except KeyboardInterrupt:
    print("interrupted after the import:", "piper" in sys.modules)
import piper
print("piper works:", callable(piper.PiperVoice.load))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == [
        "interrupted after the import: True",
        "piper works: True",
    ], done.stderr
