"""The pulse backend against the private PulseAudio server: which backend "auto" takes,
and the faults a user can cause. (Played live: tests/player/test_play_real.py, every cue
on time and a pause that resumes where it stopped; tests/player/test_bed_live.py, no
click at a control over a bed; tests/cli/test_play.py, the server gone mid-routine.)"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time

import pytest

from tests.support.fake_timelines import stepped_timeline
from tests.support.pulse import ServerDidNotStart, null_sink_server
from tests.support.recording import needs_pulse
from voiceguide.errors import PlaybackError
from voiceguide.output import open_output
from voiceguide.output.base import GONE, STALL
from voiceguide.output.inventory import backends
from voiceguide.output.pulse_backend import PulseOutput, ServerInfo
from voiceguide.output.sounddevice_backend import SounddeviceOutput
from voiceguide.player.player import TICK
from voiceguide.player.transport import Transport

NOWHERE = "unix:/nonexistent/voiceguide/native"


def chosen(backend: str, device: str | None = None) -> str:
    """The backend ``play`` takes for these settings, as ``doctor`` marks it."""
    return next(b.name for b in backends(backend, device) if b.default)


def test_with_no_server_auto_is_sounddevice_and_pulse_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PULSE_SERVER", NOWHERE)
    assert chosen("auto") == "sounddevice"
    assert isinstance(open_output("auto"), SounddeviceOutput)
    with pytest.raises(PlaybackError, match=r"cannot reach the PulseAudio sound server \(Conn"):
        open_output("pulse").start(Transport(stepped_timeline(8000)))
    pulse = next(b for b in backends("pulse") if b.name == "pulse")
    assert pulse.default and not pulse.available
    assert pulse.detail.endswith(", but no PulseAudio server answers")
    assert pulse.fix is not None and "--backend sounddevice" in pulse.fix


def test_a_named_device_is_played_by_sounddevice_whose_names_devices_lists() -> None:
    assert chosen("auto", "1") == "sounddevice"
    assert chosen("simpleaudio") == "simpleaudio"


@needs_pulse
def test_on_pulseaudio_auto_is_the_pulse_backend() -> None:
    assert chosen("auto") == "pulse"
    output = open_output("auto")
    try:
        assert isinstance(output, PulseOutput)
    finally:
        output.stop()


@needs_pulse
def test_doctor_and_devices_say_which_server_and_sink_pulse_plays_to() -> None:
    info = subprocess.run(["pactl", "info"], capture_output=True, text=True, check=True).stdout
    sink = re.search(r"^Default Sink: (.+)$", info, re.MULTILINE)
    assert sink is not None
    pulse = next(b for b in backends("auto") if b.name == "pulse")
    assert pulse.default
    said = r"libpulse [\d.]+; server pulseaudio [\d.]+, plays to its default sink "
    assert re.fullmatch(said + re.escape(sink[1]), pulse.detail), pulse.detail


@needs_pulse
def test_on_pipewire_auto_plays_through_pulse_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # PipeWire's PulseAudio server takes writes over the queue as PulseAudio does
    # (docs/player.md, "Backends"); a device named is PortAudio's, for sounddevice.
    monkeypatch.setattr(
        PulseOutput,
        "server",
        lambda _self: ServerInfo("PulseAudio (on PipeWire 1.0.5)", "15.0.0", ""),
    )
    assert chosen("auto") == "pulse"
    assert chosen("auto", device="0") == "sounddevice"


@needs_pulse
def test_a_sink_that_does_not_exist_is_named_with_how_to_list_them() -> None:
    output = open_output("pulse", "no_such_sink_anywhere")
    with pytest.raises(PlaybackError, match="no PulseAudio output is called 'no_such_sink_any"):
        output.start(Transport(stepped_timeline(8000)))
    output.stop()
    output.stop()  # twice is safe


@pytest.mark.audio  # plays in real time, on a server of its own
def test_a_server_that_stops_answering_is_a_lost_device_and_a_control_does_not_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if shutil.which("pulseaudio") is None:
        pytest.skip("needs the pulseaudio program")
    try:
        with null_sink_server("frozen") as (server, process):
            monkeypatch.setenv("PULSE_SERVER", server)
            transport = Transport(stepped_timeline(8000, steps=40))
            output = open_output("pulse")
            output.start(transport)
            try:
                assert not output.wait(0.5)  # playing
                process.send_signal(signal.SIGSTOP)
                began = time.monotonic()
                output.interrupt(lambda: transport.pause(ack=None))  # answered or not: on
                assert time.monotonic() - began < 1.0
                with pytest.raises(PlaybackError, match=re.escape(GONE)):
                    while time.monotonic() - began < 2 * STALL + 1.0:
                        output.wait(TICK)
                assert time.monotonic() - began > STALL * 0.9  # not before it had stalled
            finally:
                process.send_signal(signal.SIGCONT)
                output.stop()
    except ServerDidNotStart as exc:
        pytest.skip(str(exc))
