"""A session cut at its steps: one Timeline per step, for ``export --split``.

A headset's "next" button moves one track in every player, while only some players
read chapters; one track per step makes "next" mean "next step" everywhere. Each part
is a Timeline of its own (the same clips, placed from the step's first frame), so it
is written, tagged and captioned by the same code as a whole session.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.render.timeline import Timeline
from voiceguide.script.records import Script, StepSpan


def track_id(script: Script, index: int) -> str:
    """The track of step ``index``: ``ID-00`` ("Before you start"), ``ID-01``..., named by
    the step's number as every view gives it (``Script.step_label``); zero-padded, so that
    file names sort in step order."""
    return f"{script.routine_id}-{index:0{max(2, len(str(script.step_count)))}d}"


def step_timelines(timeline: Timeline) -> list[Timeline]:
    """``timeline`` cut at each step's start; together they are every frame, once."""
    steps = timeline.script.steps
    bounds = [timeline.frame_at(step.start) for step in steps[1:]]
    starts = [0, *bounds]
    ends = [*bounds, timeline.frames]
    return [
        _part(timeline, step, start, end)
        for step, start, end in zip(steps, starts, ends, strict=True)
    ]


def _part(timeline: Timeline, step: StepSpan, start: int, end: int) -> Timeline:
    rate = timeline.sample_rate
    offset = start / rate
    # A clip that rings on past the step's end goes on at the start of the next track:
    # the tracks played one after the other are the session, frame for frame.
    placements = tuple(
        replace(p, start=p.start - start)
        for p in timeline.placements
        if p.start < end and p.start + len(timeline.clips[p.clip]) > start
    )
    source = timeline.script
    script = Script(
        routine_id=track_id(source, step.index),
        title=step.title,
        duration=(end - start) / rate,
        cues=tuple(
            replace(c, start=c.start - offset, end=c.end - offset, step=0)
            for c in source.cues
            if c.step == step.index
        ),
        phases=tuple(
            replace(p, start=p.start - offset, end=p.end - offset, step=0)
            for p in source.phases
            if p.step == step.index
        ),
        steps=(StepSpan(0, 0.0, (end - start) / rate, step.title),),
        options=source.options,
    )
    return Timeline(
        script=script,
        sample_rate=rate,
        channels=timeline.channels,
        frames=end - start,
        placements=placements,
        clips=timeline.clips,
    )
