"""Warming the clip cache: every clip some routines need, made ahead of time, so that
playing and exporting them later synthesizes nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.render.options import RenderOptions
from voiceguide.routine.records import Routine

Progress = Callable[[int, int], None]  # (clips ready, clips in all)


@dataclass(frozen=True)
class Warmed:
    """What warming did: ``made`` clips synthesized now, ``found`` already cached."""

    routines: int
    engine: str
    made: int
    found: int

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
    pace and counting (the clips ``play`` and ``export`` will ask for), each text once."""
    from voiceguide.render.render import clip_store
    from voiceguide.script.compiler import spoken_texts

    compiling = options.compile_options()
    store = clip_store(options.voice, cache_dir)
    texts = frozenset[str]().union(*(spoken_texts(routine, compiling) for routine in routines))
    store.get_many(sorted(texts), progress)
    return Warmed(len(routines), store.voice.engine, store.rendered, store.hits)
