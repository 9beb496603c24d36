"""Render: a Script becomes a Timeline, every clip and tone placed to the sample.

``prepare`` is the whole way from a Routine: open the voice, synthesize every text the
compiler may speak (through the clip cache, on all cores), compile with the real clip
lengths, and ``place`` the clips. ``place`` is pure: it puts each clip so that its first
sample (clips are trimmed, so that is its audible onset) lands on the frame nearest its
cue's time, and adds the tones.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from voiceguide.audio import tones
from voiceguide.audio.samples import Samples
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.render.timeline import Placement, Timeline
from voiceguide.routine.records import Routine
from voiceguide.script.records import CompileOptions, Cue, Script

if TYPE_CHECKING:
    from voiceguide.render.bedmix import BedMix
    from voiceguide.render.clips import ClipStore
    from voiceguide.script.estimate import DurationOf

SAMPLE_RATE = 22050  # what espeak-ng and Piper voices speak at: nothing gained above it

Progress = Callable[[int, int], None]  # (texts done, texts in all) while synthesizing

_SIDE_WORDS = {"left": -1.0, "right": 1.0}


def prepare(
    routine: Routine,
    options: RenderOptions,
    cache_dir: Path,
    progress: Progress | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> Timeline:
    """The Timeline for ``routine`` as ``options`` say to speak, time and mix it."""
    return prepare_many([routine], options, cache_dir, progress, sample_rate)[0]


def prepare_many(
    routines: Sequence[Routine],
    options: RenderOptions,
    cache_dir: Path,
    progress: Progress | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> list[Timeline]:
    """Timelines for several routines; every text any of them speaks is synthesized
    once (``prepare_each``), however many of them speak it."""
    return list(prepare_each(routines, options, cache_dir, progress, sample_rate))


def prepare_each(
    routines: Sequence[Routine],
    options: RenderOptions,
    cache_dir: Path,
    progress: Progress | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> Iterator[Timeline]:
    """The Timelines of ``routines`` in their order, each as soon as its clips are made,
    so that one can be written while the voice speaks the texts of the next.

    The texts are synthesized once each, in the order the routines need them (the first
    routine's, then those the second adds, and so on); ``progress(done, total)`` counts
    the distinct texts.
    """
    # Speech and the compiler load lazily: importing render must stay cheap for the CLI.
    from voiceguide.script.compiler import compile_script, spoken_texts

    compiling = options.compile_options()
    beds = _BedsOpened(options, sample_rate)
    store = clip_store(options.voice, cache_dir, sample_rate)
    needed = [spoken_texts(routine, compiling) for routine in routines]
    added: list[list[str]] = []  # each routine's texts that no routine before it needs
    for texts in needed:
        added.append(sorted(texts.difference(*needed[: len(added)])))
    clips, missing = store.split_cached(text for group in added for text in group)
    # The last text each routine adds: its clips are all given before the next is spoken.
    last_added = set()
    for group in added:
        uncached = [text for text in group if text not in clips]
        if uncached:
            last_added.add(uncached[-1])
    total = len(clips) + len(missing)
    if progress:
        progress(len(clips), total)

    def duration_of(text: str) -> float:
        return len(clips[text]) / sample_rate

    def timeline(routine: Routine) -> Timeline:
        return place(
            compile_script(routine, compiling, duration_of),
            clips,
            sample_rate,
            pan_sides=options.pan_sides,
            breath_tones=options.breath_tones,
            bed=beds.under(routine),
        )

    with contextlib.closing(store.stream(missing, wait_after=last_added)) as made:
        for routine, texts in zip(routines, needed, strict=True):
            while not texts <= clips.keys():
                text, clip = next(made)
                clips[text] = clip
                if progress:
                    progress(len(clips), total)
            yield timeline(routine)


def open_bed(
    options: RenderOptions, routine: Routine, sample_rate: int = SAMPLE_RATE
) -> BedMix | None:
    """The soundscape ``options`` choose for ``routine`` (a user's file is decoded here:
    ``BedError`` if it cannot be)."""
    return _BedsOpened(options, sample_rate).under(routine)


class _BedsOpened:
    """The soundscapes of several routines, each opened once for all it lies under."""

    def __init__(self, options: RenderOptions, sample_rate: int) -> None:
        self.choice = options.bed
        self.sample_rate = sample_rate
        self.opened: dict[str, BedMix] = {}

    def under(self, routine: Routine) -> BedMix | None:
        source = None if self.choice is None else self.choice.source_for(routine)
        if self.choice is None or source is None:
            return None
        if source not in self.opened:
            from voiceguide.render.bedmix import BedMix

            self.opened[source] = BedMix.open(source, self.choice.level, self.sample_rate)
        return self.opened[source]


def clip_store(voice: VoiceOptions, cache_dir: Path, sample_rate: int = SAMPLE_RATE) -> ClipStore:
    """The clip cache of ``voice`` (opened now)."""
    from voiceguide.render.clips import open_store

    return open_store(cache_dir, voice, sample_rate)


def clip_lengths(
    routine: Routine, options: RenderOptions, cache_dir: Path, sample_rate: int = SAMPLE_RATE
) -> DurationOf:
    """The length of every clip ``routine`` may speak, synthesized (or read from the
    cache) in ``options``' voice: what ``play`` would really hear (``show --exact``)."""
    from voiceguide.script.compiler import spoken_texts

    # The same store and rate as `play`, so the clips made here are the ones it will use.
    store = clip_store(options.voice, cache_dir, sample_rate)
    clips = store.get_many(sorted(spoken_texts(routine, options.compile_options())))
    lengths = {text: len(samples) / sample_rate for text, samples in clips.items()}
    return lengths.__getitem__


def sentence(text: str, store: ClipStore, options: CompileOptions) -> Timeline:
    """``text`` alone, in ``store``'s voice, as a Timeline (the safety questions and the
    way out, said before or after a routine)."""
    clip = store.get(text)
    seconds = len(clip) / store.sample_rate
    cue = Cue(0.0, seconds, "say", text, 0)
    script = Script("", text, seconds, (cue,), (), (), options)
    return place(script, {text: clip}, store.sample_rate)


def place(
    script: Script,
    clips: Mapping[str, Samples],
    sample_rate: int,
    *,
    pan_sides: bool = False,
    breath_tones: bool = False,
    bed: BedMix | None = None,
) -> Timeline:
    """The Timeline of ``script``: ``clips`` holds the clip for every spoken text.

    Stereo when ``pan_sides`` (side cues go to that ear), mono otherwise; with
    ``breath_tones`` a gliding tone plays under every breath in and out. With ``bed``
    the soundscape lies under it all, and the Timeline lasts until it has faded out
    after the last sound.
    """
    placements: list[Placement] = []
    used: dict[str, Samples] = {}
    for cue in script.cues:
        start = round(cue.start * sample_rate)
        if cue.kind == "tone":
            kind = cue.tone or "step"
            frames = round(cue.end * sample_rate) - start
            key = f"\0tone/{kind}/{frames}"
            if key not in used:
                used[key] = tones.chime(kind, frames, sample_rate)
            placements.append(Placement(start, key))
        else:
            used[cue.text] = clips[cue.text]
            pan = side_pan(cue) if pan_sides else 0.0
            placements.append(Placement(start, cue.text, pan=pan))
    if breath_tones:
        for phase in script.phases:
            if phase.kind not in ("inhale", "exhale"):
                continue
            start = round(phase.start * sample_rate)
            frames = round(phase.end * sample_rate) - start
            key = f"\0breath/{phase.kind}/{frames}"
            if key not in used:
                used[key] = tones.breath_tone(phase.kind, frames, sample_rate)
            placements.append(Placement(start, key))
    placements.sort(key=lambda p: p.start)
    last_sound = max((p.start + len(used[p.clip]) for p in placements), default=0)
    if bed is not None:
        last_sound += bed.fade_out
    return Timeline(
        script=script,
        sample_rate=sample_rate,
        channels=2 if pan_sides else 1,
        frames=max(round(script.duration * sample_rate), last_sound),
        placements=tuple(placements),
        clips=used,
        bed=bed,
    )


def side_pan(cue: Cue) -> float:
    """Where a side cue is heard: the left or right ear if it names exactly one of them."""
    if cue.kind != "side":
        return 0.0
    named = {_SIDE_WORDS[w] for w in re.findall(r"[a-z]+", cue.text.lower()) if w in _SIDE_WORDS}
    return named.pop() if len(named) == 1 else 0.0
