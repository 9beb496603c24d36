"""Small Timelines built by hand for the output and player tests: steps of one noise burst
each (noise, so a recording lines up with it unambiguously), with silence between.

Their titles ("Step 1", "Step 2"...) are as alike as titles get: a test about titles
gives its own (see this package's notes on uniform fixtures)."""

from __future__ import annotations

import numpy as np

from tests.support.records import script_of
from voiceguide.render.timeline import Placement, Timeline
from voiceguide.script.records import Cue, StepSpan


def burst(frames: int, seed: int, level: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (level * rng.uniform(-1.0, 1.0, frames)).astype(np.float32)


def stepped_timeline(
    rate: int = 8000,
    steps: int = 4,
    sound: float = 0.25,
    gap: float = 0.5,
    lead: float = 0.1,
    channels: int = 1,
) -> Timeline:
    """``steps`` steps: each starts ``lead`` s before a ``sound`` s burst (an instruction
    cue), then ``gap`` s of silence."""
    clips: dict[str, np.ndarray] = {}
    placements: list[Placement] = []
    cues: list[Cue] = []
    spans: list[StepSpan] = []
    t = 0.0
    for i in range(steps):
        name = f"instruction {i + 1}"
        clips[name] = burst(round(sound * rate), seed=i)
        start = t + lead
        placements.append(Placement(round(start * rate), name))
        cues.append(Cue(start, start + sound, "say", name, i))
        end = start + sound + gap
        spans.append(StepSpan(i, t, end, f"Step {i + 1}"))
        t = end
    script = script_of(cues, (), spans, duration=t, title="Fake routine")
    return Timeline(
        script=script,
        sample_rate=rate,
        channels=channels,
        frames=round(t * rate),
        placements=tuple(placements),
        clips=clips,
    )
