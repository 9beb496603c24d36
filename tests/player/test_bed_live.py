"""A soundscape through the player: a user's short file, looping several times under a few
tones. Through the transport, with a jump and a pause part way, the frames sent to the
output have no click at any loop point, at the jump or at the pause; played live through
the private PulseAudio null sink, the recording of its monitor has none either.

A control while playing live acts within milliseconds. The sounddevice backend drops what
it had queued (``stream.abort()``), which is a cut heard under a bed, as it would be under
a word; what follows it must not add a second one: a live test checks that after every
cut the sound comes back from silence (a pause's silence, or the new place fading in),
never the old sound again at full level after the gap the restart leaves. The pulse
backend writes over its queue instead, so the old sound fades out: a live test checks
that no control makes a click at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.audio.test_beds import write_tone
from tests.support.clicks import BED_RATE, clicks, clicks_at_controls, controlled_live_over_a_bed
from tests.support.recording import MonitorRecording, align, mono, needs_pulse, private_sink
from tests.support.records import script_of
from voiceguide.audio.beds import file_bed
from voiceguide.audio.signal import raised_cosine
from voiceguide.output import open_output
from voiceguide.player.player import Player
from voiceguide.player.transport import Transport
from voiceguide.render.assembly import place
from voiceguide.render.bedmix import BedMix
from voiceguide.render.timeline import Timeline
from voiceguide.script.records import Cue, StepSpan

pytestmark = [pytest.mark.audio, pytest.mark.slow]

RATE = 22050


def smooth_tone(seconds: float, pitch: float) -> np.ndarray:
    """A tone with soft edges, so that every click in the recording is the bed's or the
    player's."""
    t = np.arange(round(seconds * RATE)) / RATE
    tone = 0.3 * np.sin(2 * np.pi * pitch * t)
    edge = raised_cosine(round(0.02 * RATE))
    tone[: len(edge)] *= edge
    tone[len(tone) - len(edge) :] *= edge[::-1]
    return tone.astype(np.float32)


def session(song: Path) -> Timeline:
    write_tone(song, 1.5 + 0.25 / 220)  # loops every 1.13 s: a dozen loop points
    cues = tuple(Cue(t, t + 0.6, "say", "tone", i) for i, t in enumerate((1.0, 4.0, 7.0, 10.0)))
    steps = tuple(StepSpan(i, 3.0 * i, 3.0 * i + 3.0, f"Step {i + 1}") for i in range(4))
    script = script_of(cues, steps=steps, duration=12.0)
    bed = BedMix(file_bed(song, RATE), -20.0, RATE)
    return place(script, {"tone": smooth_tone(0.6, 440.0)}, RATE, bed=bed)


def pull_all(transport: Transport, until: int | None = None) -> list[np.ndarray]:
    blocks = []
    while until is None or transport.pulled < until:
        block = transport.pull(512)
        if block is None:
            break
        blocks.append(block[:, 0])
    return blocks


def test_a_jump_and_a_pause_over_a_bed_make_no_click(tmp_path: Path) -> None:
    timeline = session(tmp_path / "song.wav")
    transport = Transport(timeline)
    heard = pull_all(transport, round(2.5 * RATE))
    transport.seek(round(5.5 * RATE), ack=None)
    heard += pull_all(transport, round(4.0 * RATE))
    transport.pause(ack=None)
    heard += pull_all(transport, round(4.5 * RATE))
    transport.resume(ack=None)
    heard += pull_all(transport)
    sound = np.concatenate(heard)
    assert len(sound) == pytest.approx(timeline.frames - 3 * RATE + 0.5 * RATE, abs=600)
    assert clicks(sound) == []


@needs_pulse
def test_a_bed_heard_live_has_no_click(tmp_path: Path) -> None:
    sink = private_sink()
    assert sink is not None
    timeline = session(tmp_path / "song.wav")
    with MonitorRecording(sink, RATE) as recording:
        start = recording.frames
        result = Player(timeline, open_output("sounddevice")).run()
        recording.wait_for(round(0.3 * RATE), timeout=10)
    assert result.outcome == "completed"
    recorded = recording.samples()[start:]
    expected = mono(timeline.read(0, timeline.frames))
    offset = align(expected, recorded, RATE)
    heard = recorded[offset : offset + timeline.frames]
    assert len(heard) == timeline.frames
    # On a busy machine the output may drop a few milliseconds (an underrun: the
    # player's tests count those); a click is the bed's only where the recording is the
    # Timeline itself: most of the session (after an underrun the rest is late, and
    # no longer lined up).
    same = np.abs(heard - expected) < 0.01
    assert same.mean() > 0.5
    near = round(0.003 * RATE)
    ours = [i for i in clicks(heard) if same[max(i - near, 0) : i + near + 1].all()]
    assert ours == []


def test_the_click_detector_hears_a_bed_file_cut_without_its_crossfade(tmp_path: Path) -> None:
    song = tmp_path / "song.wav"
    write_tone(song, 1.5 + 0.25 / 220)
    data, rate = soundfile.read(song, dtype="float32", always_2d=True)
    assert clicks(np.tile(data.mean(axis=1), 8)[: 12 * rate])


@needs_pulse
def test_after_a_control_live_over_a_bed_the_sound_comes_back_from_silence() -> None:
    rate = BED_RATE
    heard, controls = controlled_live_over_a_bed("sounddevice")
    sounding = np.flatnonzero(np.abs(heard) > 1e-4)
    # Each gap in the bed (a run of silence of 0.5 ms or more) that a control made (not
    # the bed's fade-in at the start, nor an underrun on a busy machine): the sound after
    # it must begin softly, a fade-in from silence.
    starts = sounding[1:][np.diff(sounding) > round(0.0005 * rate)]
    near = [i for i in starts if any(-0.05 * rate < i - at < 0.15 * rate for at in controls)]
    assert len(near) >= 4  # the four pauses' silences, at least
    fade = round(0.005 * rate)
    loud_returns = [
        round(i / rate, 3) for i in near if abs(heard[i]) > 0.2 * np.abs(heard[i : i + fade]).max()
    ]
    assert loud_returns == []


@needs_pulse
def test_with_the_pulse_backend_a_control_live_over_a_bed_makes_no_click() -> None:
    # The queue is written over from just after what is heard: the old sound fades out
    # and the new one fades in, with no cut (sounddevice's abort cuts: 12 clicks of 24).
    heard, controls = controlled_live_over_a_bed("pulse")
    assert clicks_at_controls(heard, controls) == []
    assert len(controls) == 12 and (np.abs(heard) > 1e-3).mean() > 0.5  # the bed was heard
