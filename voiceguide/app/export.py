"""The ``export`` use case: routines to files in a folder, as the ``export`` command does it.

Around the export stage's writing of one Timeline (``export.writer``): repeats dropped,
nothing replaced unless asked (``force``, checked before any work is done), what a killed
export left behind removed, every routine rendered, several written at a time while the
voice still speaks the texts of the next ones, and Ctrl-C, SIGTERM or SIGHUP turned into
a clean stop that says which routines were finished.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide import signals, writing
from voiceguide.errors import ExportError
from voiceguide.export.writer import (
    SPLIT_SESSION_FILES,
    ExportedRoutine,
    Format,
    output_files,
    playlist_path,
    split_output_files,
    write_playlist,
    write_routine,
)
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.records import Routine

# (what is happening, done, total): "Speaking" counts texts, "Writing NAME" counts frames.
ExportProgress = Callable[[str, int, int], None]


class ExportInterrupted(ExportError):
    """Ctrl-C, SIGTERM or SIGHUP stopped the export; ``finished`` (and the message) say
    which routines were written completely, ``cause`` which signal it was."""

    def __init__(
        self, message: str, finished: Sequence[ExportedRoutine], cause: signals.Interrupted
    ) -> None:
        super().__init__(message)
        self.finished = tuple(finished)
        self.cause = cause

    @property
    def exit_status(self) -> int:
        return self.cause.exit_status


def export_routines(
    routines: Sequence[Routine],
    out_dir: Path,
    options: RenderOptions,
    cache_dir: Path,
    *,
    fmt: Format = "wav",
    force: bool = False,
    split: bool = False,
    progress: ExportProgress | None = None,
    workers: int | None = None,
) -> list[ExportedRoutine]:
    """Render ``routines`` and write their files and playlist (``playlist_path``) into
    ``out_dir``; the result and the playlist keep their order. ``workers`` routines are
    written at a time (default: one per core). ``split`` writes a track per step."""
    routines = distinct_routines(routines)
    check_output_dir(out_dir)
    # What an export killed outright (kill -9, a power cut) left half-written.
    writing.remove_stale(out_dir)
    planned = [path for r in routines for path in output_files(r.id, out_dir, fmt)]
    if split:  # the session's own files now; the tracks once their number is known
        planned = [out_dir / f"{r.id}{end}" for r in routines for end in SPLIT_SESSION_FILES]
    playlist = playlist_path([r.id for r in routines], out_dir, split=split)
    if playlist:
        planned.append(playlist)
    if not force:
        _refuse_to_replace(planned)

    report = progress or _quiet
    done: dict[int, ExportedRoutine] = {}
    try:
        with _interrupts_deferred() as stop:

            def speaking(n: int, total: int) -> None:
                stop.check()  # Ctrl-C while the voice speaks: stop at the next text
                report("Speaking", n, total)

            timelines: Iterable[Timeline] = assembly.prepare_each(
                routines, options, cache_dir, speaking
            )
            if split and not force:  # how many tracks there are is known only now
                timelines = list(timelines)
                _refuse_to_replace(
                    [p for t in timelines for p in split_output_files(t.script, out_dir, fmt)]
                )
            destination = _Destination(out_dir, fmt, split, replace=force)
            writers = _Writers(destination, len(routines), report, stop, done)
            writers.write_all(timelines, min(workers or os.cpu_count() or 1, len(routines)))
            stop.check()  # a signal while the last routine was put in place
            if playlist:
                write_playlist([done[i] for i in sorted(done)], playlist, replace=force)
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP (signals.Interrupted)
        finished = [done[i] for i in sorted(done)]
        message = _finished(finished, len(routines), "the interruption")
        raise ExportInterrupted(message, finished, signals.interruption(exc)) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = _finished([done[i] for i in sorted(done)], len(routines), "the failure")
        raise ExportError(f"could not write in {out_dir}: {reason}. {message}") from exc
    return [done[i] for i in sorted(done)]


def make_output_dir(out_dir: Path) -> bool:
    """Create ``out_dir`` (and its parents) when it does not exist; True when it did not."""
    if os.path.lexists(out_dir):
        return False
    try:
        out_dir.mkdir(parents=True)
    except FileExistsError:
        return False  # made meanwhile by another export
    except OSError as exc:
        raise ExportError(
            f"cannot create the folder {out_dir}: {exc.strerror or exc}; pick another with -o"
        ) from exc
    return True


def check_output_dir(out_dir: Path) -> None:
    """Raise ``ExportError`` unless files can be written in ``out_dir``."""
    if not out_dir.exists():
        raise ExportError(f"the output folder {out_dir} does not exist; create it or pick another")
    if not out_dir.is_dir():
        raise ExportError(f"{out_dir} is not a folder; give a folder to write the files in")
    try:
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".voiceguide-", suffix=".probe")
    except OSError as exc:
        raise ExportError(
            f"cannot write in {out_dir}: {exc.strerror or exc}; pick a folder you can write in"
        ) from exc
    os.close(fd)
    os.unlink(probe)


@dataclass(frozen=True)
class _Destination:
    """Where and how every routine of one export is written."""

    out_dir: Path
    fmt: Format
    split: bool
    replace: bool  # --force: existing files are replaced


class _Writers:
    """Writes each Timeline as soon as it is given (the voice makes the next ones
    meanwhile), ``workers`` at a time: encoding runs in C, without the GIL, so each takes
    a core. ``done`` gets each routine, by its index, once its files are in place."""

    def __init__(
        self,
        destination: _Destination,
        count: int,
        report: ExportProgress,
        stop: _Stop,
        done: dict[int, ExportedRoutine],
    ) -> None:
        self.destination = destination
        self.count = count
        self.report = report
        self.stop = stop
        self.done = done
        self._futures: dict[concurrent.futures.Future[ExportedRoutine], int] = {}
        self._pending: set[concurrent.futures.Future[ExportedRoutine]] = set()
        self._total = 0  # the frames to write, known once every Timeline is
        self._written = 0
        self._lock = threading.Lock()

    def write_all(self, timelines: Iterable[Timeline], workers: int) -> None:
        frames = 0
        with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
            try:
                for index, timeline in enumerate(timelines):
                    self._submit(pool, index, timeline)
                    frames += timeline.frames
                    self._collect(timeout=0)
                with self._lock:
                    self._total = max(frames, 1)
                    if self._written:  # what was written while the voice spoke
                        self.report("Writing", self._written, self._total)
                while self._pending:
                    # Wake up often: Python runs the Ctrl-C handler only in this thread,
                    # and only between bytecodes.
                    self._collect(timeout=0.05)
            except BaseException:
                self.stop.set()  # the other writers give up at their next block
                pool.shutdown(cancel_futures=True)
                self._record_written()
                raise

    def _submit(self, pool: concurrent.futures.Executor, index: int, timeline: Timeline) -> None:
        where = self.destination
        future = pool.submit(
            write_routine,
            timeline,
            where.out_dir,
            where.fmt,
            track=(index + 1, self.count) if self.count > 1 else None,
            split=where.split,
            wrote=self._wrote,
            replace=where.replace,
        )
        self._futures[future] = index
        self._pending.add(future)

    def _wrote(self, frames: int) -> None:
        """A writer's progress ("Writing" waits until the total is known)."""
        self.stop.check()
        with self._lock:
            self._written += frames
            if self._total:
                self.report("Writing", self._written, self._total)

    def _collect(self, timeout: float) -> None:
        """Record the routines written so far; raise what stopped a writer."""
        finished, self._pending = concurrent.futures.wait(
            self._pending, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED
        )
        # Every routine that finished is recorded before a failure of another one in the
        # same batch is raised: its files are in place.
        failed = [future for future in finished if future.exception()]
        for future in set(finished) - set(failed):
            self.done[self._futures[future]] = future.result()
        for future in failed:
            future.result()

    def _record_written(self) -> None:
        """After a stop: the routines whose files were put in place meanwhile."""
        for future, index in self._futures.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                self.done[index] = future.result()


class _Stop:
    """Tells writers in any thread to give up at their next block."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def check(self) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[_Stop]:
    """Turn Ctrl-C, SIGTERM and SIGHUP into a stop that writers check between blocks.

    libsndfile calls back into Python to write; an interrupt raised inside that callback
    would be printed and lost, and the file finished anyway. Leaving the block after a
    signal that no writer saw raises it then, as ``signals.Interrupted``.
    """
    stop = _Stop()
    with signals.noticed(lambda _signum: stop.set()) as notice:
        yield stop
    notice.raise_if_received()


def distinct_routines(routines: Sequence[Routine]) -> list[Routine]:
    """``routines`` with repeats dropped; two different routines with one id are an error."""
    seen: dict[str, Routine] = {}
    for routine in routines:
        other = seen.setdefault(routine.id, routine)
        if other is not routine and other != routine:
            raise ExportError(
                f"two routines have the id '{routine.id}' ({other.path} and {routine.path}); "
                "their files would overwrite each other, so export them one at a time"
            )
    return list(seen.values())


def _refuse_to_replace(planned: Sequence[Path]) -> None:
    # lexists: a dangling symbolic link is an existing name too (writing would follow it).
    existing = [path for path in planned if os.path.lexists(path)]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise ExportError(
            f"{existing[0]} already exists{more}; add --force to replace it, "
            "or choose another folder with -o"
        )


def _quiet(_what: str, _done: int, _total: int) -> None:
    pass


def _finished(done: Sequence[ExportedRoutine], total: int, event: str) -> str:
    if not done:
        return f"Exported none of {total} routine{'s' if total != 1 else ''} before {event}."
    names = ", ".join(item.routine_id for item in done)
    return f"Exported {len(done)} of {total} routines before {event}: {names}."
