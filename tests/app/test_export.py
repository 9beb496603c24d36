"""The export use case: routines rendered in the real voice and written, read back; repeats
dropped, nothing replaced without force, interruptions and full disks leave nothing partial."""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import mutagen
import numpy as np
import pytest
import soundfile

from tests.support.file_size_limit import call_with_file_size_limit
from tests.support.writing import interrupt_after, leftovers
from voiceguide.app import export as export_case
from voiceguide.app.export import ExportInterrupted
from voiceguide.audio.signal import to_pcm16
from voiceguide.errors import ExportError
from voiceguide.export import writer as export
from voiceguide.render.assembly import prepare
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import find_routine
from voiceguide.routine.records import Routine

RATE = 22050
FORMATS = ["wav", "flac", "ogg", "mp3"]


def test_output_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"folder .*missing does not exist"):
        export_case.check_output_dir(tmp_path / "missing")


def test_output_dir_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is not a folder"):
        export_case.check_output_dir(tmp_path / "file")


def test_output_dir_must_be_writable(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere; /sys refuses even root
        locked = Path("/sys")
    with pytest.raises(ExportError, match="cannot write in"):
        export_case.check_output_dir(locked)


# The real voice: a short routine spoken by the default voice (Piper, which the dev setup
# installs) or by espeak-ng through pyttsx3 where it says so, written, read back.
ESPEAK = RenderOptions(VoiceOptions(engine="pyttsx3"))

MINI = """\
id: {id}
title: {title}
kind: stretch
steps:
  - say: Lie on your back.
    pause: 1
  - caution: Stop if it hurts.
  - sides: [right, left]
    steps:
      - say: Turn to the {{side}}.
        hold: 3
  - say: Breathe slowly.
    breathe: {{in: 2, out: 2}}
"""


def write_routine_file(folder: Path, routine_id: str, title: str = "A mini routine") -> Path:
    path = folder / f"{routine_id}.yaml"
    path.write_text(MINI.format(id=routine_id, title=title), encoding="utf-8")
    return path


@pytest.fixture
def mini(tmp_path: Path) -> Routine:
    return find_routine(str(write_routine_file(tmp_path, "mini")))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


def sounding_spans(timeline: Timeline) -> list[tuple[int, int]]:
    """Where the timeline has sound: every placement's frames."""
    return [(p.start, p.start + len(timeline.clips[p.clip])) for p in timeline.placements]


def assert_cues_audible(data: np.ndarray, timeline: Timeline, *, check_silence: bool) -> None:
    """Every spoken cue sounds in the 50 ms after its time; where nothing is placed in
    the 20 ms before it, those are silent."""
    rate = timeline.sample_rate
    spans = sounding_spans(timeline)
    mono = data.mean(axis=1)
    for cue in timeline.script.cues:
        if cue.kind == "tone":
            continue
        start = round(cue.start * rate)
        assert rms(mono[start : start + round(0.05 * rate)]) > 0.01, cue
        before = (start - round(0.02 * rate), start)
        if (
            check_silence
            and before[0] >= 0
            and not any(s < before[1] and e > before[0] for s, e in spans)
        ):
            assert np.max(np.abs(mono[before[0] : before[1]])) < 1e-3, cue


@pytest.mark.parametrize("fmt", FORMATS)
def test_real_export_reads_back(
    mini: Routine, out_dir: Path, shared_cache_dir: Path, fmt: export.Format
) -> None:
    # espeak-ng: every word is loud within 50 ms of its onset. Piper now and then starts a
    # clip with a faint breath some 50 ms before the word (see docs/performance.md).
    (result,) = export_case.export_routines([mini], out_dir, ESPEAK, shared_cache_dir, fmt=fmt)
    timeline = prepare(mini, ESPEAK, shared_cache_dir)
    assert leftovers(out_dir) == sorted([*(p.name for p in result.files), "mini.m3u8"])
    playlist = (out_dir / "mini.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist == [
        "#EXTM3U",
        f"#EXTINF:{round(timeline.duration)},{mini.title}",
        f"mini.{fmt}",
    ]
    audio = out_dir / f"mini.{fmt}"
    info = soundfile.info(audio)
    assert (info.format, info.samplerate, info.channels) == (export.FORMATS[fmt][0], RATE, 1)
    data, _ = soundfile.read(audio, dtype="float32", always_2d=True)
    assert len(data) == timeline.frames
    assert_cues_audible(data, timeline, check_silence=fmt in ("wav", "flac"))
    document = json.loads((out_dir / "mini.cues.json").read_text(encoding="utf-8"))
    assert document == {**timeline.script.to_json(), "sample_rate": RATE}
    if fmt == "mp3":
        tags = mutagen.File(audio).tags
        assert str(tags["TIT2"]) == "A mini routine"
        assert len(tags.getall("CHAP")) == len(timeline.script.steps)


@pytest.mark.parametrize("engine", ["auto", "pyttsx3"])
def test_real_wav_is_exactly_the_timeline(
    mini: Routine, out_dir: Path, shared_cache_dir: Path, engine: str
) -> None:
    chosen = RenderOptions(VoiceOptions(engine=engine), pan_sides=True, breath_tones=True)
    export_case.export_routines([mini], out_dir, chosen, shared_cache_dir)
    timeline = prepare(mini, chosen, shared_cache_dir)
    written, _ = soundfile.read(out_dir / "mini.wav", dtype="int16", always_2d=True)
    assert np.array_equal(written, to_pcm16(np.concatenate(list(timeline.blocks()))))


def parse_lrc(text: str) -> list[tuple[float, str]]:
    lines = []
    for line in text.splitlines():
        match = re.fullmatch(r"\[(\d+):(\d\d)\.(\d\d)\](.*)", line)
        if match:
            minutes, seconds, hundredths, words = match.groups()
            lines.append((int(minutes) * 60 + int(seconds) + int(hundredths) / 100, words))
        else:
            assert re.fullmatch(r"\[(ti|ar|length):.+\]", line), line
    return lines


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    header, *blocks = text.strip().split("\n\n")
    assert header == "WEBVTT"
    stamp = r"(\d\d):(\d\d):(\d\d)\.(\d{3})"
    cues = []
    for number, block in enumerate(blocks, start=1):
        index, timing, words = block.split("\n")
        assert index == str(number)
        match = re.fullmatch(f"{stamp} --> {stamp}", timing)
        assert match
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        cues.append((start, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, html.unescape(words)))
    return cues


def test_real_captions_match_the_spoken_cues(
    mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    export_case.export_routines([mini], out_dir, RenderOptions(), shared_cache_dir)
    script = prepare(mini, RenderOptions(), shared_cache_dir).script
    spoken = [cue for cue in script.cues if cue.kind != "tone"]
    lrc = parse_lrc((out_dir / "mini.lrc").read_text(encoding="utf-8"))
    assert [words for _, words in lrc] == [cue.text for cue in spoken]
    assert all(abs(at - cue.start) <= 0.005 for (at, _), cue in zip(lrc, spoken, strict=True))
    vtt = parse_vtt((out_dir / "mini.vtt").read_text(encoding="utf-8"))
    assert [words for _, _, words in vtt] == [cue.text for cue in spoken]
    for (start, end, _), cue in zip(vtt, spoken, strict=True):
        assert abs(start - cue.start) <= 0.0005 and abs(end - cue.end) <= 0.0005


def test_several_routines_share_one_playlist_in_order(
    tmp_path: Path, out_dir: Path, shared_cache_dir: Path
) -> None:
    second = find_routine(str(write_routine_file(tmp_path, "zeta", "Zeta last letter")))
    first = find_routine(str(write_routine_file(tmp_path, "alpha", "Alpha first letter")))
    done = export_case.export_routines(
        [second, first], out_dir, RenderOptions(), shared_cache_dir, fmt="mp3"
    )
    assert [item.routine_id for item in done] == ["zeta", "alpha"]
    lines = (out_dir / export.PLAYLIST).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[2::2] == ["zeta.mp3", "alpha.mp3"]
    assert re.fullmatch(r"#EXTINF:\d+,Zeta last letter", lines[1])
    assert str(mutagen.File(out_dir / "alpha.mp3").tags["TRCK"]) == "2/2"


def test_a_line_break_in_a_title_stays_in_its_playlist_line(
    tmp_path: Path, out_dir: Path, shared_cache_dir: Path
) -> None:
    first = find_routine(
        str(write_routine_file(tmp_path, "one", '"One\\n#EXTINF:1,Evil\\nevil.mp3"'))
    )
    second = find_routine(str(write_routine_file(tmp_path, "two", "Two")))
    export_case.export_routines([first, second], out_dir, RenderOptions(), shared_cache_dir)
    lines = (out_dir / export.PLAYLIST).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert re.fullmatch(r"#EXTINF:\d+,One #EXTINF:1,Evil evil.mp3", lines[1])
    assert lines[2::2] == ["one.wav", "two.wav"]


def test_existing_files_are_kept_without_force(
    mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    (out_dir / "mini.vtt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match=r"mini\.vtt already exists; add --force"):
        export_case.export_routines([mini], out_dir, RenderOptions(), shared_cache_dir)
    assert leftovers(out_dir) == ["mini.vtt"]  # refused before any work
    assert (out_dir / "mini.vtt").read_text(encoding="utf-8") == "mine"
    export_case.export_routines([mini], out_dir, RenderOptions(), shared_cache_dir, force=True)
    assert (out_dir / "mini.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_interruption_keeps_finished_routines_and_says_so(
    tmp_path: Path, out_dir: Path, shared_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routines = [find_routine(str(write_routine_file(tmp_path, n))) for n in ("one", "two", "three")]
    original = export.write_routine

    def second_interrupted(timeline: Timeline, *args: Any, **kwargs: Any) -> Any:
        if timeline.script.routine_id == "two":
            monkeypatch.setattr(Timeline, "blocks", interrupt_after(2))
        return original(timeline, *args, **kwargs)

    monkeypatch.setattr(export_case, "write_routine", second_interrupted)
    with pytest.raises(ExportInterrupted) as caught:
        export_case.export_routines(routines, out_dir, RenderOptions(), shared_cache_dir, workers=1)
    assert str(caught.value) == "Exported 1 of 3 routines before the interruption: one."
    assert [item.routine_id for item in caught.value.finished] == ["one"]
    assert leftovers(out_dir) == [
        "one.chapters.json",
        "one.cues.json",
        "one.lrc",
        "one.vtt",
        "one.wav",
    ]


def test_a_routine_finished_with_the_interrupted_one_is_still_reported(
    tmp_path: Path, out_dir: Path, shared_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both writers end before the main thread looks: it must record "one" before raising
    # the interruption from "two", whichever it looks at first.
    routines = [find_routine(str(write_routine_file(tmp_path, n))) for n in ("one", "two")]
    original = export.write_routine

    def two_interrupted(timeline: Timeline, *args: Any, **kwargs: Any) -> Any:
        if timeline.script.routine_id == "two":
            raise KeyboardInterrupt
        return original(timeline, *args, **kwargs)

    real_wait = concurrent.futures.wait

    def wait_for_all(futures: Any, timeout: float | None = None, return_when: str = "") -> Any:
        finished, pending = real_wait(futures, return_when=concurrent.futures.ALL_COMPLETED)
        return sorted(finished, key=lambda future: future.exception() is None), pending

    monkeypatch.setattr(export_case, "write_routine", two_interrupted)
    monkeypatch.setattr(concurrent.futures, "wait", wait_for_all)
    with pytest.raises(ExportInterrupted) as caught:
        export_case.export_routines(routines, out_dir, RenderOptions(), shared_cache_dir, workers=2)
    assert [item.routine_id for item in caught.value.finished] == ["one"]


def test_full_disk_is_a_clear_error_and_leaves_nothing(
    mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    prepare(mini, RenderOptions(), shared_cache_dir)  # clips cached before the limit is set
    with pytest.raises(ExportError) as caught:
        call_with_file_size_limit(
            100_000,
            lambda: export_case.export_routines([mini], out_dir, RenderOptions(), shared_cache_dir),
        )
    assert str(caught.value) == (
        f"could not write in {out_dir}: File too large. "
        "Exported none of 1 routine before the failure."
    )
    assert leftovers(out_dir) == []


def test_the_same_routine_twice_is_exported_once(
    mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    done = export_case.export_routines([mini, mini], out_dir, RenderOptions(), shared_cache_dir)
    assert len(done) == 1
    assert not (out_dir / export.PLAYLIST).exists()


def test_two_routines_with_one_id_are_refused(
    tmp_path: Path, mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    path = write_routine_file(other_folder, "mini", "Another title")
    with pytest.raises(ExportError, match="two routines have the id 'mini'"):
        export_case.export_routines(
            [mini, find_routine(str(path))], out_dir, RenderOptions(), shared_cache_dir
        )


def test_ctrl_c_while_writing_stops_at_the_next_block(
    tmp_path: Path, out_dir: Path, shared_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT: held back while libsndfile writes, raised between blocks; every
    writer stops, nothing is left half-written and the handler is put back."""
    monkeypatch.setattr(export, "BLOCK_FRAMES", 4096)
    routines = [find_routine(str(write_routine_file(tmp_path, n))) for n in ("one", "two")]
    before = signal.getsignal(signal.SIGINT)
    reports: list[int] = []

    def progress(what: str, done: int, total: int) -> None:
        if what == "Writing":
            reports.append(done)
            if len(reports) == 2:
                os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(ExportInterrupted) as caught:
        export_case.export_routines(
            routines, out_dir, RenderOptions(), shared_cache_dir, fmt="mp3", progress=progress
        )
    assert str(caught.value) == "Exported none of 2 routines before the interruption."
    assert reports[-1] < reports[0] * 20  # the writers stopped long before the end
    assert leftovers(out_dir) == []
    assert signal.getsignal(signal.SIGINT) is before


def test_progress_counts_texts_then_frames(
    mini: Routine, out_dir: Path, shared_cache_dir: Path
) -> None:
    reports: list[tuple[str, int, int]] = []
    export_case.export_routines(
        [mini], out_dir, RenderOptions(), shared_cache_dir, progress=lambda *r: reports.append(r)
    )
    stages = list(dict.fromkeys(what for what, _, _ in reports))
    assert stages == ["Speaking", "Writing"]
    writing = [(done, total) for what, done, total in reports if what == "Writing"]
    assert (
        writing[-1][0] == writing[-1][1] == prepare(mini, RenderOptions(), shared_cache_dir).frames
    )
    assert [done for done, _ in writing] == sorted(done for done, _ in writing)
