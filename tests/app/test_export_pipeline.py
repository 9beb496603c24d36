"""The export writes each routine as soon as its clips are made, while the voice speaks the
texts of the next ones; what it writes from an empty cache is what it writes from a full one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soundfile

from tests.support.routines import write_file
from tests.support.voices import ToneVoice
from voiceguide.app.export import export_routines
from voiceguide.audio.samples import Samples
from voiceguide.errors import SpeechError
from voiceguide.render import assembly
from voiceguide.render.clips import ClipStore
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine
from voiceguide.script.compiler import spoken_texts
from voiceguide.speech import Parallelism

PYTTSX3 = RenderOptions(VoiceOptions(engine="pyttsx3"))


def simple_routine(folder: Path, routine_id: str, lines: list[str]) -> Path:
    steps = "".join(f"  - say: {line}\n    pause: 1\n" for line in lines)
    head = f"id: {routine_id}\ntitle: {routine_id}\nkind: stretch\nsteps:\n"
    return write_file(folder, f"{routine_id}.yaml", head + steps)


@dataclass
class WaitsForAFile(ToneVoice):
    """A fake voice that speaks ``gated`` texts only once ``file`` exists (within a
    deadline, after which it fails)."""

    gated: frozenset[str] = frozenset()
    file: Path = Path()
    parallelism: Parallelism = "serial"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        deadline = time.monotonic() + 30
        while text in self.gated and not self.file.exists():
            if time.monotonic() > deadline:
                raise SpeechError(f"{self.file.name} was not written before {text!r} was due")
            time.sleep(0.01)
        return super().synthesize(text)


def test_a_routine_is_written_while_the_voice_speaks_the_next(
    tmp_path: Path, monkeypatch: Any
) -> None:
    first = find_routine(str(simple_routine(tmp_path, "first", ["One.", "Two."])))
    second = find_routine(str(simple_routine(tmp_path, "second", ["Three.", "Four."])))
    out = tmp_path / "out"
    out.mkdir()
    # The second routine's texts, but the first of them, wait for the first routine's
    # audio: an export that spoke everything before writing anything would never write
    # it, and fail. (The voice may start on the next text while the clip before it is
    # still being processed, so the first text is let through.)
    options = PYTTSX3.compile_options()
    added = sorted(spoken_texts(second, options) - spoken_texts(first, options))
    assert len(added) >= 2
    voice = WaitsForAFile(gated=frozenset(added[1:]), file=out / "first.wav")
    monkeypatch.setattr(
        assembly, "clip_store", lambda *_args: ClipStore(tmp_path / "cache", voice, 22050)
    )
    done = export_routines([first, second], out, PYTTSX3, tmp_path / "cache")
    assert [item.routine_id for item in done] == ["first", "second"]
    assert all(path.exists() for item in done for path in item.files)


def test_an_export_from_an_empty_cache_writes_what_the_full_cache_gives(tmp_path: Path) -> None:
    routines = [find_routine(name) for name in ("chair", "standing", "chair-lean-back")]
    cache = tmp_path / "cache"
    outputs = [tmp_path / "cold", tmp_path / "warm"]
    for out in outputs:
        out.mkdir()
    cold = export_routines(routines, outputs[0], PYTTSX3, cache)
    warm = export_routines(routines, outputs[1], PYTTSX3, cache)
    assert [item.routine_id for item in cold] == [r.id for r in routines]
    for made, again in zip(cold, warm, strict=True):
        for path, same in zip(made.files, again.files, strict=True):
            assert path.name == same.name
            assert path.read_bytes() == same.read_bytes(), path.name
        audio = soundfile.info(str(made.files[0]))
        assert audio.samplerate == 22050
        assert abs(audio.frames / audio.samplerate - made.duration) < 0.5
    playlists = [(out / "voiceguide.m3u8").read_text() for out in outputs]
    assert playlists[0] == playlists[1]
    assert playlists[0].splitlines()[2::2] == [f"{r.id}.wav" for r in routines]
