"""The clip store: processing, the cache on disk, and parallel synthesis, with the real
espeak-ng voices and with small fakes beside them."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.support.file_size_limit import call_with_file_size_limit
from tests.support.voices import CountingVoice, SilentVoice, ToneVoice
from voiceguide.audio.loudness import CLIP_LOUDNESS, VOICE_CEILING_DB, clip_loudness, true_peak_db
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import (
    audible_span,
    db_to_gain,
    peak,
    read_clip,
    write_clip,
)
from voiceguide.errors import SpeechError
from voiceguide.render import clips as clips_module
from voiceguide.render.clips import (
    ClipStore,
    cache_info,
    clear_cache,
)
from voiceguide.routine.library import find_routine
from voiceguide.script.compiler import spoken_texts
from voiceguide.script.records import CompileOptions
from voiceguide.speech import Parallelism, Voice, open_voice

RATE = 44100
ESPEAK_ENGINES = ["pyttsx3", "espeak-ng"]


def stamp(text: str, clip: Samples) -> int:
    """The pid stamp of a ToneVoice clip at 8 kHz (trimming kept 1 ms + 10 ms around it)."""
    return len(clip) - 800 * len(text) - (8 + 80)


def store(tmp_path: Path, voice: Voice, rate: int = RATE, workers: int | None = None) -> ClipStore:
    return ClipStore(tmp_path / "cache", voice, rate, workers=workers)


# Processing, with the real voices


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_clip_starts_at_its_audible_onset(tmp_path: Path, engine: str) -> None:
    voice = open_voice(engine, None, 160)
    raw, raw_rate = voice.synthesize("Press your back into the mat.")
    clip = store(tmp_path, voice).get("Press your back into the mat.")
    threshold = db_to_gain(-40)
    # The engine's output starts with silence; the clip's first 5 ms already sound.
    assert peak(raw[: round(0.005 * raw_rate)]) < threshold * peak(raw)
    assert peak(clip[: round(0.005 * RATE)]) > threshold * peak(clip)
    first, last = audible_span(clip)
    assert first <= round(0.001 * RATE)
    assert len(clip) - last <= round(0.011 * RATE)
    assert 0.8 < len(clip) / RATE < len(raw) / raw_rate


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_clips_are_equally_loud_and_never_clip(tmp_path: Path, engine: str) -> None:
    clips = store(tmp_path, open_voice(engine, None, 160)).get_many(
        ["Two.", "Slowly lower your knees to the left, and let them rest there."]
    )
    short, long = clips.values()
    for clip in (short, long):
        assert clip_loudness(clip, RATE) == pytest.approx(CLIP_LOUDNESS, abs=0.5)
        assert clip.dtype == np.float32
        assert true_peak_db(clip, RATE) <= VOICE_CEILING_DB + 0.1


def test_a_clip_is_resampled_to_the_session_rate(tmp_path: Path) -> None:
    voice = open_voice("espeak-ng", None, 160)
    at_44 = store(tmp_path, voice, 44100).get("Rest.")
    at_48 = store(tmp_path, voice, 48000).get("Rest.")
    assert len(at_48) / 48000 == pytest.approx(len(at_44) / 44100, abs=0.001)


def test_silence_stays_silence_of_its_length(tmp_path: Path) -> None:
    clip = store(tmp_path, SilentVoice()).get("Anything.")
    assert len(clip) == RATE // 2 and not clip.any()


def test_blank_text_is_an_empty_clip_without_speaking(tmp_path: Path) -> None:
    voice = CountingVoice(ToneVoice())
    assert len(store(tmp_path, voice).get("  ")) == 0
    assert voice.calls == []


# The cache


def test_the_second_get_is_a_cache_hit(tmp_path: Path) -> None:
    voice = CountingVoice(open_voice("pyttsx3", None, 160))
    first = store(tmp_path, voice)
    clip = first.get("Breathe in.")
    again = first.get("Breathe in.")
    assert voice.calls == ["Breathe in."]
    assert (first.rendered, first.hits) == (1, 1)
    assert np.array_equal(clip, again)  # a fresh clip is exactly what the cache holds
    # Another store (another run) finds it on disk.
    later = store(tmp_path, voice)
    assert np.array_equal(later.get("Breathe in."), clip)
    assert voice.calls == ["Breathe in."]


def test_the_key_covers_everything_that_changes_the_sound(tmp_path: Path) -> None:
    base = store(tmp_path, ToneVoice())
    keys = {
        base.key("One."),
        base.key("Two."),
        store(tmp_path, ToneVoice(), rate=48000).key("One."),
        store(tmp_path, ToneVoice(identity="tone 1|tone|170 wpm")).key("One."),
    }
    assert len(keys) == 4
    assert base.key("One.") == store(tmp_path, ToneVoice()).key("One.")


def test_a_killed_run_s_temporary_is_swept_when_its_folder_is_written_again(
    tmp_path: Path,
) -> None:
    cache = store(tmp_path, SilentVoice())
    final = cache.path("Breathe in.")
    final.parent.mkdir(parents=True)
    dead_pid = _finished_pid()
    stale = final.with_name(f".{final.name}.{dead_pid}-0123abcd.tmp")
    stale.write_bytes(b"half a clip")
    running = final.with_name(f".{final.name}.{os.getpid()}-4567cdef.tmp")
    running.write_bytes(b"being written")

    cache.get("Breathe in.")

    assert final.is_file()
    assert not stale.exists()
    assert running.exists()  # a live process's temporary is left alone


def _finished_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_repeated_texts_are_synthesized_once(tmp_path: Path) -> None:
    voice = CountingVoice(ToneVoice())
    seen: list[tuple[int, int]] = []
    result = store(tmp_path, voice).get_many(
        ["One.", "Two.", "One.", "Breathe in.", "Two."],
        lambda done, total: seen.append((done, total)),
    )
    assert list(result) == ["One.", "Two.", "Breathe in."]
    assert voice.calls == ["One.", "Two.", "Breathe in."]  # one engine, in order
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_get_many_only_synthesizes_what_is_missing(tmp_path: Path) -> None:
    voice = CountingVoice(ToneVoice())
    clip_store = store(tmp_path, voice)
    clip_store.get("One.")
    seen: list[tuple[int, int]] = []
    clip_store.get_many(["One.", "Two."], lambda done, total: seen.append((done, total)))
    assert voice.calls == ["One.", "Two."]
    assert seen == [(1, 2), (2, 2)]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated (a full disk, a crash elsewhere)
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # one byte changed
        lambda data: b"garbage",
        lambda data: b"",
    ],
)
def test_a_damaged_entry_is_rendered_again(tmp_path: Path, damage: object) -> None:
    voice = CountingVoice(open_voice("espeak-ng", None, 160))
    clip_store = store(tmp_path, voice)
    clip = clip_store.get("Hold it there.")
    path = clip_store.path("Hold it there.")
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    again = store(tmp_path, voice).get("Hold it there.")
    assert voice.calls == ["Hold it there.", "Hold it there."]
    assert np.array_equal(again, clip)
    assert np.array_equal(read_clip(path)[0], clip)


def test_an_empty_clip_for_words_is_damaged_and_made_again(tmp_path: Path) -> None:
    voice = CountingVoice(open_voice("espeak-ng", None, 160))
    clip_store = store(tmp_path, voice)
    clip = clip_store.get("Stop if it hurts.")
    path = clip_store.path("Stop if it hurts.")
    # Whole and checksummed, but silent: export would have said nothing, cautions included.
    write_clip(path, np.zeros(0, np.float32), RATE)
    again = store(tmp_path, voice).get("Stop if it hurts.")
    assert voice.calls == ["Stop if it hurts.", "Stop if it hurts."]
    assert np.array_equal(again, clip)
    assert np.array_equal(read_clip(path)[0], clip)
    # Blank text is an empty clip by right: read from the cache, not made again.
    store(tmp_path, voice).get(" ")
    blank = store(tmp_path, voice)
    assert blank.get(" ").size == 0
    assert blank.hits == 1


def test_clear_empties_the_cache(tmp_path: Path) -> None:
    clip_store = store(tmp_path, ToneVoice())
    clip_store.get_many(["One.", "Two.", "Three."])
    before = cache_info(tmp_path / "cache")
    assert before.entries == 3 and before.size > 0
    assert before.path == tmp_path / "cache"
    assert clear_cache(tmp_path / "cache") == before
    assert cache_info(tmp_path / "cache").entries == 0
    assert cache_info(tmp_path / "cache").size == 0
    assert clear_cache(tmp_path / "cache").entries == 0  # clearing twice is fine


@dataclass
class Failing:
    engine: str = "failing"
    name: str = "failing"
    identity: str = "failing|1"
    parallelism: Parallelism = "serial"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        if text == "Bad.":
            raise SpeechError("the voice cannot say that")
        return ToneVoice().synthesize(text)


@pytest.mark.parametrize("parallelism", ["serial", "threads"])
def test_a_voice_error_stops_get_many(tmp_path: Path, parallelism: Parallelism) -> None:
    clip_store = store(tmp_path, Failing(parallelism=parallelism), workers=2)
    with pytest.raises(SpeechError, match=r"^the voice cannot say that$"):
        clip_store.get_many(["One.", "Bad.", "Two."])
    assert cache_info(tmp_path / "cache").entries <= 2


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unusable_cache_is_one_warning_and_the_clips_stay_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(clips_module, "MIN_PROCESS_BATCH", 2)
    (tmp_path / "cache").write_text("a file, not a folder")
    warnings: list[str] = []
    voice = ToneVoice()
    texts = [f"Count {n}." for n in range(5)]
    clip_store = ClipStore(tmp_path / "cache", voice, 8000, workers=workers, warn=warnings.append)
    made = clip_store.get_many(texts)
    assert sorted(made) == sorted(texts) and all(len(clip) for clip in made.values())
    assert warnings == [
        f"cannot write to the clip cache {tmp_path / 'cache'} (Not a directory); the clips are"
        " kept in memory this time and made again next time: choose a folder you can write in"
        " with --cache-dir or VOICEGUIDE_CACHE_DIR"
    ]


def test_a_full_cache_says_to_free_space(tmp_path: Path) -> None:
    warnings: list[str] = []
    clip_store = ClipStore(tmp_path / "cache", ToneVoice(), 8000, warn=warnings.append)
    frames, said = call_with_file_size_limit(100, lambda: (len(clip_store.get("One.")), warnings))
    assert frames > 0
    assert said == [
        f"cannot write to the clip cache {tmp_path / 'cache'} (File too large); the clips are"
        " kept in memory this time and made again next time: free some space or choose"
        " another folder with --cache-dir"
    ]


# Parallel synthesis


def test_clips_of_a_process_voice_are_made_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clips_module, "MIN_PROCESS_BATCH", 2)
    texts = [f"Count {n}." for n in range(6)]
    clip_store = store(tmp_path, ToneVoice(stamp=True), rate=8000, workers=2)
    made = clip_store.get_many(texts)
    stamps = {stamp(text, clip) for text, clip in made.items()}
    assert os.getpid() % 1000 not in stamps  # not one was made in this process
    assert len(stamps) <= 2
    assert clip_store.rendered == 6
    for text, clip in made.items():
        assert np.array_equal(read_clip(clip_store.path(text))[0], clip)


def test_few_clips_are_made_in_this_process(tmp_path: Path) -> None:
    clip_store = store(tmp_path, ToneVoice(stamp=True), rate=8000, workers=2)
    made = clip_store.get_many(["One.", "Two."])
    assert {stamp(text, clip) for text, clip in made.items()} == {os.getpid() % 1000}


def test_real_pyttsx3_in_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on the systems whose pyttsx3 speaks in-process (macOS, Windows)."""
    monkeypatch.setattr(clips_module, "MIN_PROCESS_BATCH", 2)
    texts = ["Breathe in.", "Breathe out.", "Hold.", "Rest."]
    voice = open_voice("pyttsx3", None, 160)
    voice.parallelism = "processes"  # type: ignore[attr-defined]
    made = store(tmp_path, voice, workers=2).get_many(texts)
    for clip in made.values():
        assert 0.2 < len(clip) / RATE < 2.0
        assert clip_loudness(clip, RATE) == pytest.approx(CLIP_LOUDNESS, abs=0.5)


def test_espeak_ng_clips_are_made_in_threads(tmp_path: Path) -> None:
    voice = CountingVoice(open_voice("espeak-ng", None, 160))
    voice.parallelism = "threads"  # type: ignore[attr-defined]
    texts = [f"Step {n}." for n in range(6)]
    made = store(tmp_path, voice, workers=3).get_many(texts)
    assert sorted(voice.calls) == sorted(texts)
    one_by_one = store(tmp_path / "serial", open_voice("espeak-ng", None, 160), workers=1)
    for text in texts:
        assert np.array_equal(made[text], one_by_one.get(text))


@pytest.mark.parametrize("parallelism", ["threads", "processes", "serial"])
def test_a_routine_s_clips_are_the_same_alone_and_after_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallelism: Parallelism
) -> None:
    """From empty caches, floor-option1 alone and after floor-option2: the same files,
    however the clip store shares the texts out."""
    monkeypatch.setattr(clips_module, "MIN_PROCESS_BATCH", 2)
    options = CompileOptions()
    first = sorted(spoken_texts(find_routine("floor-option1"), options))
    before = sorted(spoken_texts(find_routine("floor-option2"), options) - set(first))
    voice = open_voice("pyttsx3", None, 160)
    voice.parallelism = parallelism  # type: ignore[attr-defined]
    alone = store(tmp_path / "alone", voice, workers=2)
    alone.get_many(first)
    after = store(tmp_path / "after", voice, workers=2)
    after.get_many([*before, *first])
    for text in first:
        assert alone.path(text).read_bytes() == after.path(text).read_bytes(), text


def _render_in_another_process(cache_dir: Path, texts: list[str]) -> dict[str, Samples]:
    voice = open_voice("espeak-ng", None, 160)
    return ClipStore(cache_dir, voice, RATE, workers=1).get_many(texts)


def test_two_processes_rendering_into_one_cache_agree(tmp_path: Path) -> None:
    texts = [f"Hold for {n} seconds." for n in range(12)]
    cache_dir = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        forward = pool.submit(_render_in_another_process, cache_dir, texts)
        backward = pool.submit(_render_in_another_process, cache_dir, texts[::-1])
        first, second = forward.result(), backward.result()
    checker = ClipStore(cache_dir, open_voice("espeak-ng", None, 160), RATE)
    for text in texts:
        entry, rate = read_clip(checker.path(text))
        assert rate == RATE
        assert np.array_equal(first[text], second[text])
        assert np.array_equal(entry, first[text])
    assert cache_info(cache_dir).entries == len(texts)
    leftovers = [p for p in (cache_dir / "clips").rglob("*") if p.is_file() and p.suffix != ".clip"]
    assert leftovers == []


@pytest.mark.parametrize("plant", ["fifo", "zero"])
def test_a_planted_entry_that_is_not_a_file_is_rendered_again(tmp_path: Path, plant: str) -> None:
    voice = CountingVoice(open_voice("espeak-ng", None, 160))
    path = store(tmp_path, voice).path("Hold it there.")
    path.parent.mkdir(parents=True)
    if plant == "fifo":
        os.mkfifo(path)  # reading it would wait for a writer for ever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    clip = store(tmp_path, voice).get("Hold it there.")
    assert voice.calls == ["Hold it there."]
    assert path.is_file() and not path.is_symlink()
    assert np.array_equal(read_clip(path)[0], clip)
