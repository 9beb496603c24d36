"""Play while the voice renders: a Timeline that grows as its clips arrive.

``start`` puts the texts in the order they will be heard and synthesizes them in a
background thread, cached clips first. Every clip that arrives goes into a
``GrowingTimeline``, which compiles the routine again with the lengths known so far
(``compiler.compile_known``): the cues placed by then are final, exactly where the whole
compile puts them, and nothing can sound before the end of the last of them. That end is
the timeline's ``ready`` frame; the transport never plays past it, and waits there (with
its "wait" tone) if rendering falls behind. So what is heard is the Timeline
``assembly.prepare`` would have made, frame for frame, with at most some added silence.
docs/player.md describes what the listener hears.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from voiceguide.audio.samples import Samples
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.records import Routine
from voiceguide.script.compiler import compile_known, compile_script, spoken_texts
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import Script

if TYPE_CHECKING:
    from voiceguide.render.clips import ClipStore

# Seconds of final sound after the start that playing waits for: the first clip, so that
# the next can be made while it is heard, and playing does not start only to wait.
START_LEAD = 0.5
# Cached clips read before playing can start: the opening's first sentences.
FIRST_READ = 2


class GrowingTimeline:
    """A ``timeline.Playable`` for ``routine`` whose clips are added as they are made.

    Before it is complete, ``script`` is the routine as far as it is known, ``ready``
    the frame up to which the sound is final, and ``frames`` an estimate of the whole
    (never below ``ready``, so the transport does not take ``ready`` for the end).
    """

    def __init__(self, routine: Routine, options: RenderOptions, sample_rate: int) -> None:
        self.routine = routine
        self.options = options
        self.sample_rate = sample_rate
        self.channels = 2 if options.pan_sides else 1
        self._compiling = options.compile_options()
        self._bed = assembly.open_bed(options, routine, sample_rate)
        self.needed = spoken_texts(routine, self._compiling)
        # Timed with the estimate: every step (their titles and number do not depend on
        # clip lengths) and roughly how long the whole will be.
        self.estimate = compile_script(
            routine, self._compiling, estimated_duration(options.voice.rate)
        )
        self._estimated_frames = round(self.estimate.duration * sample_rate)
        self._clips: dict[str, Samples] = {}
        self._lengths: dict[str, float] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._failure: BaseException | None = None
        self._current, self._ready, self._complete = self._compile()

    def heard_order(self) -> list[str]:
        """Every text the routine may speak, in the order a listener hears them (timed
        with the estimate; texts that only a different timing would use come last)."""
        ordered = dict.fromkeys(cue.text for cue in self.estimate.cues if cue.kind != "tone")
        return [*ordered, *sorted(self.needed - ordered.keys())]

    # --- what the player reads ------------------------------------------------------------

    @property
    def script(self) -> Script:
        return self._current.script

    @property
    def frames(self) -> int:
        if self._complete:
            return self._current.frames
        return max(self._current.frames, self._estimated_frames, self._ready + 1)

    @property
    def ready(self) -> int:
        return self._ready

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    @property
    def complete(self) -> bool:
        return self._complete

    @property
    def outline(self) -> Script:
        return self._current.script if self._complete else self.estimate

    def progress(self) -> tuple[int, int]:
        """(distinct clips ready, distinct clips the routine may need)."""
        return len(self._clips), len(self.needed)

    def frame_at(self, seconds: float) -> int:
        return round(seconds * self.sample_rate)

    def read(self, start: int, count: int) -> Samples:
        return self._current.read(start, count)

    def check(self) -> None:
        """Raise the error that stopped the render, if one did."""
        if self._failure is not None:
            raise self._failure

    def timeline(self) -> Timeline:
        """The finished Timeline (only once ``complete``)."""
        assert self._complete, "the timeline is still being rendered"
        return self._current

    # --- what the renderer does ---------------------------------------------------------

    def add(self, clips: Mapping[str, Samples]) -> None:
        """Clips that are ready (one compile for all of them)."""
        with self._lock:
            for text, clip in clips.items():
                self._clips[text] = clip
                self._lengths[text] = len(clip) / self.sample_rate
            current, ready, complete = self._compile()
            # ``ready`` is read without the lock: it only grows once the Timeline is in place.
            self._current, self._complete = current, complete
            self._ready = ready
            self._changed.notify_all()

    def fail(self, failure: BaseException) -> None:
        with self._lock:
            self._failure = failure
            self._changed.notify_all()

    def wait_until_playable(self, step: int, timeout: float | None = None) -> bool:
        """Wait until step ``step`` can be played from: its start is known and
        ``START_LEAD`` of sound after it is final, or the whole is (True). Raises the
        render's error if it failed; False after ``timeout`` seconds."""

        def playable() -> bool:
            if self._failure is not None or self._complete:
                return True
            steps = self.script.steps
            lead = round(START_LEAD * self.sample_rate)
            return len(steps) > step and self._ready >= self.frame_at(steps[step].start) + lead

        with self._changed:
            known = self._changed.wait_for(playable, timeout)
        self.check()
        return known

    def _compile(self) -> tuple[Timeline, int, bool]:
        script, final_until = compile_known(self.routine, self._compiling, self._lengths)
        timeline = assembly.place(
            script,
            self._clips,
            self.sample_rate,
            pan_sides=self.options.pan_sides,
            breath_tones=self.options.breath_tones,
            bed=self._bed,
        )
        if final_until is None:
            return timeline, timeline.frames, True
        ready = round(final_until * self.sample_rate)
        if self._bed is not None:
            # The bed starts ducking before a sound that is not placed yet: the frames
            # that ducking may reach are not final either.
            ready = max(0, ready - self._bed.attack - 1)
        return timeline, ready, False


class ClipSource(Protocol):
    """What ``BackgroundRender`` needs of a ``clips.ClipStore``."""

    def split_cached(self, texts: Iterable[str]) -> tuple[dict[str, Samples], list[str]]: ...

    def stream(self, texts: list[str]) -> Iterator[tuple[str, Samples]]: ...


class BackgroundRender:
    """Synthesizes ``texts`` in order into ``timeline`` on a thread of its own; ``stop``
    ends it early (after the clip being made)."""

    def __init__(self, store: ClipSource, texts: Iterable[str], timeline: GrowingTimeline) -> None:
        self.timeline = timeline
        self._store = store
        self._texts = list(texts)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="render", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            missing: list[str] = []
            # Cached clips are read in the order they are heard, in groups that double in
            # size: playing can start once the first few are in, not after all are read
            # (tens of milliseconds for a routine, from a cold disk more).
            for group in _doubling(self._texts, FIRST_READ):
                cached, absent = self._store.split_cached(group)
                if cached:
                    self.timeline.add(cached)
                missing += absent
                if self._stopping.is_set():
                    return
            for text, clip in self._store.stream(missing):
                self.timeline.add({text: clip})
                if self._stopping.is_set():
                    return
        except BaseException as exc:  # handed to the player through the timeline
            self.timeline.fail(exc)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def join(self) -> None:
        self._thread.join()


def _doubling(texts: list[str], first: int) -> Iterator[list[str]]:
    """``texts`` in consecutive groups of ``first``, twice that, and so on."""
    size, begin = first, 0
    while begin < len(texts):
        yield texts[begin : begin + size]
        begin += size
        size *= 2


def start(routine: Routine, options: RenderOptions, store: ClipStore) -> BackgroundRender:
    """Start rendering ``routine`` from ``store`` (the voice of ``options``, at its sample
    rate) in the order it is heard; the returned render's ``timeline`` can be played at
    once."""
    timeline = GrowingTimeline(routine, options, store.sample_rate)
    return BackgroundRender(store, timeline.heard_order(), timeline)
