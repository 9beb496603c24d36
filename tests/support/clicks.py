"""Clicks: a detector for them, and a bed played live with controls made over it (what
the tests check and ``scripts/bench player`` counts)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from tests.support.recording import MonitorRecording, private_sink
from tests.support.records import script_of
from voiceguide.audio.beds import open_bed
from voiceguide.output import open_output
from voiceguide.player.transport import Transport
from voiceguide.render.assembly import place
from voiceguide.render.bedmix import BedMix
from voiceguide.script.records import StepSpan

BED_RATE = 48000  # the sink's own rate: no resampling between what is played and recorded
NEAR = 0.05  # seconds: a click this close to a control is the control's


def clicks(
    samples: npt.NDArray[np.float32], around: int = 128, factor: float = 8.0, floor: float = 1e-3
) -> list[int]:
    """Frames where the step from one sample to the next stands out of the steps around
    it (``around`` frames each side): a jump there is heard as a click, where noise and
    tones change gradually. Steps under ``floor`` (-60 dB full scale) are too small to hear."""
    steps = np.abs(np.diff(samples.astype(np.float64)))
    power = steps**2
    # The steps' RMS around each one, leaving it out: a click does not hide itself.
    local = np.sqrt(
        (np.convolve(power, np.ones(2 * around + 1), mode="same") - power) / (2 * around)
    )
    return [int(i) for i in np.flatnonzero(steps > np.maximum(factor * local, floor))]


def controlled_live_over_a_bed(
    backend: str, rounds: int = 4
) -> tuple[npt.NDArray[np.float32], list[int]]:
    """The brown bed played live through ``backend``, with ``rounds`` rounds of pause,
    resume and a jump: the recording, and where each control was made in it."""
    rate = BED_RATE
    script = script_of((), steps=(StepSpan(0, 0.0, 30.0, "Step 1"),), duration=30.0)
    timeline = place(script, {}, rate, bed=BedMix(open_bed("brown", rate), -20.0, rate))
    transport = Transport(timeline)
    output = open_output(backend)
    sink = private_sink()
    assert sink is not None
    controls = []  # where each control was made, in frames of the recording

    def control(change: Callable[[], object]) -> None:
        controls.append(recording.frames - start)
        output.interrupt(change)

    with MonitorRecording(sink, rate) as recording:
        start = recording.frames
        output.start(transport)
        try:
            time.sleep(1.0)
            for _ in range(rounds):
                control(lambda: transport.pause(ack=None))
                time.sleep(0.3)
                control(lambda: transport.resume(ack=None))
                time.sleep(0.4)
                control(lambda: transport.seek(transport.cursor + rate, ack=None))
                time.sleep(0.4)
        finally:
            output.stop()
        recording.wait_for(round(0.3 * rate), timeout=10)
    return recording.samples()[start:], controls


def clicks_at_controls(heard: npt.NDArray[np.float32], controls: list[int]) -> list[float]:
    """The clicks in ``heard`` within ``NEAR`` of a control, in seconds."""
    near = round(NEAR * BED_RATE)
    return [
        round(i / BED_RATE, 3) for i in clicks(heard) if any(abs(i - at) < near for at in controls)
    ]
