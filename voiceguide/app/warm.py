"""Warming the clip cache: every clip some routines need, made ahead of time, so that
playing and exporting them later synthesizes nothing: not even the voice is loaded when
they play (a Piper model takes most of a second of both cores to load)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.render.options import RenderOptions
from voiceguide.routine.records import Routine

Progress = Callable[[str, int, int], None]  # (what is made, clips ready, clips in all)


@dataclass(frozen=True)
class Warmed:
    """What warming did: ``made`` clips synthesized now, ``found`` already cached, and
    ``missing`` of them not in the cache afterwards (it was full or read-only)."""

    routines: int
    engine: str
    made: int
    found: int
    missing: int

    @property
    def clips(self) -> int:
        return self.made + self.found


def warm_cache(
    routines: Sequence[Routine],
    options: RenderOptions,
    cache_dir: Path,
    progress: Progress | None = None,
) -> Warmed:
    """Make and cache every clip ``routines`` may speak with ``options``' voice, rate,
    pace and counting, each text once: their cues (what ``play`` and ``export`` ask for),
    then every answer the player may give while they play (to the controls and to
    "where am I?"), which depend on the steps' real lengths and so on the cues' clips,
    and what the safety gate and the pain stop say around them."""
    from voiceguide.player.whereami import every_answer
    from voiceguide.practice.safety import words_known_ahead
    from voiceguide.render.assembly import clip_store
    from voiceguide.script.compiler import compile_script, spoken_texts

    compiling = options.compile_options()
    store = clip_store(options.voice, cache_dir)
    cues = frozenset[str]().union(*(spoken_texts(routine, compiling) for routine in routines))
    clips = store.get_many(sorted(cues), _reporting(progress, "Making the cues"))

    def duration_of(text: str) -> float:
        return len(clips[text]) / store.sample_rate

    answers = {
        answer
        for routine in routines
        for answer in every_answer(compile_script(routine, compiling, duration_of))
    }
    answers.update(text for routine in routines for text in words_known_ahead(routine))
    store.get_many(sorted(answers - cues), _reporting(progress, "Making the answers"))
    # What the cache holds now, not what was meant to go in: a clip made in a worker
    # process that could not write it is only known by its absence.
    missing = sum(not store.cached(text) for text in cues | answers)
    return Warmed(len(routines), store.voice.engine, store.rendered, store.hits, missing)


def _reporting(progress: Progress | None, what: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(what, done, total)
