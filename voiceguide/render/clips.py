"""The clip store: every spoken text as a clip ready to place, synthesized once.

A clip is the voice's sound for a text, trimmed so its first sample is the onset of its
words (a breath before them is left out), brought to a common loudness (limited, so
nothing clips) and resampled to the session's rate. Clips are cached on disk by content:
the key is a hash of everything that changes the sound (engine and its version, voice,
rate, text, sample rate and the processing version below), so a cached clip is never
stale. Entries are written atomically and checked when read (length and checksum), so
two processes rendering at once never corrupt the cache, and a damaged entry is simply
rendered again.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import hashlib
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voiceguide import signals, writing
from voiceguide.audio.loudness import level_clip
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import (
    ClipFormatError,
    from_pcm16,
    read_clip,
    resample,
    to_pcm16,
    trim_silence,
    write_clip,
)
from voiceguide.errors import CacheError, UnreadableFileError
from voiceguide.speech.base import Voice

if TYPE_CHECKING:
    from voiceguide.render.options import VoiceOptions

# Raise this whenever ``process`` changes what it makes: old entries are then not used.
PROCESSING_VERSION = 6
CLIPS_FOLDER = "clips"
CLIP_SUFFIX = ".clip"
# Starting worker processes costs about half a second of each core (Python, NumPy and the
# engine, in each), and libespeak-ng speaks a text in about 3 ms. Below this many clips
# to synthesize, one process (speaking in one thread, processing in others) was as
# quick on two cores, and used less of them: every text of the built-in routines (253)
# took 2.0 s either way for `export --all`, 2.9 s of CPU in one process against 3.3 s.
MIN_PROCESS_BATCH = 512
PROCESS_TASK = 12  # texts per task for a worker, which speaks and processes them overlapped

Progress = Callable[[int, int], None]


def _warn_on_stderr(message: str) -> None:
    sys.stderr.write(f"Warning: {message}\n")


def process(raw: Samples, source_rate: int, sample_rate: int) -> Samples:
    """The clip made from an engine's raw output: trimmed, resampled, levelled (BS.1770
    loudness, true peak: ``audio/loudness.py``), and
    rounded to 16 bits exactly as the cache stores it, so a fresh clip and a cached one
    are the same samples."""
    trimmed = trim_silence(raw, source_rate)
    levelled = level_clip(resample(trimmed, source_rate, sample_rate), sample_rate)
    return from_pcm16(to_pcm16(levelled))


@dataclass(frozen=True)
class CacheInfo:
    """How big the clip cache at ``path`` is (or, after a clear, how much was freed)."""

    path: Path
    entries: int
    size: int  # bytes


def _entries(folder: Path) -> Iterator[Path]:
    """Every file in the clip folder: entries, and temporary files left by a crash."""
    if folder.is_dir():
        yield from (path for path in folder.rglob("*") if path.is_file())


def cache_info(cache_dir: Path) -> CacheInfo:
    entries = 0
    size = 0
    for path in _entries(cache_dir / CLIPS_FOLDER):
        try:
            size += path.stat().st_size
        except FileNotFoundError:  # removed meanwhile by another process
            continue
        entries += path.suffix == CLIP_SUFFIX
    return CacheInfo(cache_dir, entries, size)


def clear_cache(cache_dir: Path) -> CacheInfo:
    """Delete every cached clip; returns what was there."""
    before = cache_info(cache_dir)
    folder = cache_dir / CLIPS_FOLDER
    try:
        shutil.rmtree(folder)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot clear the clip cache {folder}: {exc.strerror or exc}") from exc
    return before


class ClipStore:
    """Clips of one voice at one sample rate, cached under ``cache_dir``.

    ``rendered`` and ``hits`` count, for this store, the clips synthesized and those read
    from the cache.
    """

    def __init__(
        self,
        cache_dir: Path,
        voice: Voice,
        sample_rate: int,
        *,
        workers: int | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.voice = voice
        self.sample_rate = sample_rate
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.rendered = 0
        self.hits = 0
        self.warn: Callable[[str], None] | None = warn or _warn_on_stderr
        self._folder = cache_dir / CLIPS_FOLDER
        self._identity = voice.identity
        self._caching = True  # False once the cache could not be written: clips stay in memory

    def __getstate__(self) -> dict[str, object]:
        # A worker process stays quiet about the cache: the parent warns, once.
        return {**self.__dict__, "warn": None}

    def key(self, text: str) -> str:
        parts = [PROCESSING_VERSION, self._identity, self.sample_rate, text]
        return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()

    def path(self, text: str) -> Path:
        key = self.key(text)
        return self._folder / key[:2] / f"{key}{CLIP_SUFFIX}"

    def cached(self, text: str) -> bool:
        """Whether a clip for ``text`` is in the cache (not read: it may yet be damaged)."""
        return self.path(text).is_file()

    def get(self, text: str) -> Samples:
        """The clip for ``text``, from the cache or synthesized (and cached) now."""
        cached = self._load(text)
        if cached is not None:
            self.hits += 1
            return cached
        clip = self._render(text)
        self.rendered += 1
        return clip

    def get_many(
        self, texts: Iterable[str], progress: Progress | None = None
    ) -> dict[str, Samples]:
        """Clips for all ``texts``: each distinct text once, and only those not cached
        synthesized, on all cores when there are enough of them. ``progress(done,
        total)`` is called as clips are ready (total: the distinct texts)."""
        distinct = list(dict.fromkeys(texts))
        clips, missing = self.split_cached(distinct)
        if progress:
            progress(len(clips), len(distinct))
        for text, clip in self.stream(missing):
            clips[text] = clip
            if progress:
                progress(len(clips), len(distinct))
        return {text: clips[text] for text in distinct}

    def split_cached(self, texts: Iterable[str]) -> tuple[dict[str, Samples], list[str]]:
        """The cached clips of the distinct ``texts``, and the texts not cached, in order."""
        clips: dict[str, Samples] = {}
        missing = []
        for text in dict.fromkeys(texts):
            cached = self._load(text)
            if cached is None:
                missing.append(text)
            else:
                clips[text] = cached
        self.hits += len(clips)
        return clips, missing

    def stream(
        self, texts: list[str], *, wait_after: Collection[str] = ()
    ) -> Generator[tuple[str, Samples], None, None]:
        """Synthesize and cache the distinct ``texts``, started in their order, yielding
        each clip as it is ready (on all cores when there are enough of them).

        Spoken in this process, every clip up to a text of ``wait_after`` is yielded
        before the next text is spoken: a caller waiting for a group of clips gets them
        without waiting for the voice to speak the next group's first text.
        """
        for text, clip in self._render_all(texts, wait_after):
            self.rendered += 1
            yield text, clip

    def _load(self, text: str) -> Samples | None:
        """The cached clip, or None when there is none or it is damaged (it is then
        rendered again and replaced). A clip without a frame for words to say is damaged
        too: placed, it would say nothing, cautions included."""
        try:
            samples, rate = read_clip(self.path(text))
        except (UnreadableFileError, ClipFormatError):
            return None
        if rate != self.sample_rate or (not samples.size and text.strip()):
            return None
        return samples

    def _render(self, text: str) -> Samples:
        raw, rate = self._synthesize(text)
        return self._finish(text, raw, rate)[1]

    def _synthesize(self, text: str) -> tuple[Samples, int]:
        if not text.strip():
            return np.zeros(0, dtype=np.float32), self.sample_rate
        return self.voice.synthesize(text)

    def _finish(self, text: str, raw: Samples, rate: int) -> tuple[str, Samples]:
        """Process a synthesized clip and cache it."""
        clip = process(raw, rate, self.sample_rate)
        if self._caching:
            path = self.path(text)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # A run killed while writing here left its temporary behind: sweep it now.
                writing.remove_stale(path.parent)
                write_clip(path, clip, self.sample_rate)
            except OSError as exc:
                self._cannot_cache(exc)
        return text, clip

    def _cannot_cache(self, exc: OSError) -> None:
        """A cache is only a cache: warn once, and keep this run's clips in memory."""
        if not self._caching:
            return
        self._caching = False
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            fix = "free some space or choose another folder with --cache-dir"
        else:
            fix = "choose a folder you can write in with --cache-dir or VOICEGUIDE_CACHE_DIR"
        if self.warn is not None:
            self.warn(
                f"cannot write to the clip cache {self.cache_dir} ({exc.strerror or exc}); "
                f"the clips are kept in memory this time and made again next time: {fix}"
            )

    def _check_cache(self) -> None:
        """Before handing work to processes: can they write into the cache at all?"""
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            writing.remove(writing.create(self._folder / "probe", ".tmp"))
        except OSError as exc:
            self._cannot_cache(exc)

    def _render_all(
        self, texts: list[str], wait_after: Collection[str] = ()
    ) -> Iterator[tuple[str, Samples]]:
        """Synthesize ``texts``, yielding each clip as it is ready.

        An engine in-process that is not thread-safe (pyttsx3 on macOS and Windows) runs
        in worker processes, each with its own engine, when there are enough texts to pay
        for starting them; voices that speak each text in a process of its own (the
        espeak-ng command, pyttsx3 on Linux) use threads. Otherwise this
        thread synthesizes one text after another while other threads process and cache
        the clips already spoken.
        """
        mode = getattr(self.voice, "parallelism", "serial")
        if mode == "processes" and len(texts) >= MIN_PROCESS_BATCH and self.workers > 1:
            yield from self._in_processes(texts)
        elif mode == "threads" and self.workers > 1:
            pool = concurrent.futures.ThreadPoolExecutor(self.workers)
            try:
                futures = [pool.submit(self._rendered, text) for text in texts]
                for future in concurrent.futures.as_completed(futures):
                    yield future.result()
            finally:
                # Left early (Ctrl-C, an error): the texts not begun are dropped, not
                # spoken first (all of a routine's wait in the pool: half a minute).
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            yield from self._pipelined(texts, wait_after)

    def _rendered(self, text: str) -> tuple[str, Samples]:
        return text, self._render(text)

    def _pipelined(
        self, texts: Iterable[str], wait_after: Collection[str] = ()
    ) -> Iterator[tuple[str, Samples]]:
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            pending: set[concurrent.futures.Future[tuple[str, Samples]]] = set()
            for text in texts:
                pending.add(pool.submit(self._finish, text, *self._synthesize(text)))
                ready: Iterable[concurrent.futures.Future[tuple[str, Samples]]] = (
                    concurrent.futures.as_completed(pending)
                    if text in wait_after
                    else [future for future in pending if future.done()]
                )
                for future in ready:
                    pending.discard(future)
                    yield future.result()
            for future in concurrent.futures.as_completed(pending):
                yield future.result()

    def _in_processes(self, texts: list[str]) -> Iterator[tuple[str, Samples]]:
        self._check_cache()
        context = multiprocessing.get_context("spawn")  # never a fork of a running engine
        # The event starts multiprocessing's resource tracker, a process of this job too:
        # started with the terminal's signals blocked, it keeps SIGHUP blocked (it ignores
        # Ctrl-C itself), so a closing terminal does not end it under the pool.
        with _interrupts_blocked():
            stop = context.Event()
        pool = concurrent.futures.ProcessPoolExecutor(
            min(self.workers, len(texts)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(self, stop),
        )
        try:
            batches = [texts[i : i + PROCESS_TASK] for i in range(0, len(texts), PROCESS_TASK)]
            # Workers are started by submit; they inherit a blocked Ctrl-C (see _start_worker).
            with _interrupts_blocked():
                futures = [pool.submit(_render_in_worker, batch) for batch in batches]
            for future in concurrent.futures.as_completed(futures):
                yield from future.result()
        finally:
            # Ctrl-C or an error: the batches already handed to workers are not wanted. They
            # stop at their next text and return; never killed, since a worker killed while
            # sending a result leaves the pool waiting for the rest of it for ever.
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Hold Ctrl-C (and a closing terminal's SIGHUP) back in this thread for the block;
    they arrive when the block ends.

    Processes started meanwhile inherit the blocked signals: a Ctrl-C while a worker is
    still starting (importing for a second) then waits for ``_start_worker`` to ignore it,
    instead of ending the worker with a KeyboardInterrupt traceback.
    """
    if sys.platform == "win32":  # no signal masks
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, set(signals.FROM_TERMINAL))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


_worker_store: ClipStore | None = None
_worker_stop: Event | None = None


def _start_worker(store: ClipStore, stop: Event) -> None:
    global _worker_store, _worker_stop
    # Ctrl-C and a closing terminal's SIGHUP reach the whole process group; the parent
    # stops the pool. The parent started this process with them blocked: ignored first,
    # then unblocked, so one that came during start-up is dropped.
    for sig in signals.FROM_TERMINAL:
        signal.signal(sig, signal.SIG_IGN)
    if sys.platform != "win32":
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(signals.FROM_TERMINAL))
    # Terminated, or orphaned by a parent that was killed (kill -9): leave no temporary
    # clip file behind and write nothing more into the cache.
    signal.signal(signal.SIGTERM, _exit_now)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_exit_when_gone, args=(parent.sentinel,), daemon=True).start()
    _worker_store = store
    _worker_stop = stop


def _render_in_worker(texts: list[str]) -> list[tuple[str, Samples]]:
    assert _worker_store is not None and _worker_stop is not None, "worker not started"
    stop = _worker_stop
    wanted = itertools.takewhile(lambda _text: not stop.is_set(), texts)
    return list(_worker_store._pipelined(wanted))


def _exit_when_gone(parent_sentinel: int) -> None:
    """Wait until the parent process ends (its sentinel becomes readable), then exit."""
    multiprocessing.connection.wait([parent_sentinel])
    _exit_now()


def _exit_now(*_signal: object) -> None:
    writing.discard_own()
    os._exit(1)


def open_store(cache_dir: Path, voice: VoiceOptions, sample_rate: int) -> ClipStore:
    """The clip cache of one voice, the voice opened (``SpeechError`` when it is missing,
    saying where it was set): the one way render asks for speech."""
    return ClipStore(cache_dir, voice.open(), sample_rate)
