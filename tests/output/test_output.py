"""The backends: the inventory, and the faults a user can cause."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from tests.support.fake_timelines import stepped_timeline
from voiceguide.errors import PlaybackError
from voiceguide.output import open_output
from voiceguide.output.base import GONE, STALL
from voiceguide.output.inventory import backends
from voiceguide.output.sounddevice_backend import SounddeviceOutput, open_error
from voiceguide.player.player import TICK
from voiceguide.player.transport import Transport

RATE = 8000


def test_unknown_backend_is_refused_with_the_choices() -> None:
    with pytest.raises(PlaybackError, match="backend 'nope': choose auto, sounddevice"):
        open_output("nope")


def test_simpleaudio_cannot_choose_a_device() -> None:
    with pytest.raises(PlaybackError, match="--backend sounddevice --device"):
        open_output("simpleaudio", "hw:1")


def test_backends_lists_both_and_marks_the_chosen_one() -> None:
    found = {b.name: b for b in backends("simpleaudio")}
    assert set(found) == {"sounddevice", "pulse", "simpleaudio"}
    assert found["simpleaudio"].default and not found["sounddevice"].default
    # Both libraries are in the dev environment; pulse needs a server as well as its
    # library (tests/output/test_pulse.py has it with a server and without).
    assert found["sounddevice"].available and found["simpleaudio"].available


def test_a_missing_backend_library_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "simpleaudio", None)  # makes the import fail
    info = {b.name: b for b in backends()}["simpleaudio"]
    assert not info.available
    assert info.detail == "the simpleaudio backend is not installed"
    assert info.fix is not None and "pip install 'voiceguide[simpleaudio]'" in info.fix
    with pytest.raises(PlaybackError, match="voiceguide doctor"):
        open_output("simpleaudio").start(Transport(stepped_timeline(RATE)))


def test_a_device_that_does_not_exist_is_named_in_the_error() -> None:
    output = open_output("sounddevice", "no such device anywhere")
    with pytest.raises(PlaybackError, match="no audio output device matches 'no such device"):
        output.start(Transport(stepped_timeline(RATE)))


def test_c_level_stderr_is_silenced_while_python_stderr_still_gets_through() -> None:
    program = (
        "import os, sys\n"
        "from voiceguide.output.quiet import native_stderr_silenced\n"
        "with native_stderr_silenced():\n"
        "    os.write(2, b'ALSA lib noise\\n')\n"
        "    with native_stderr_silenced():\n"
        "        print('Error: one line', file=sys.stderr)\n"
        "os.write(2, b'after\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stderr == "Error: one line\nafter\n"


@pytest.mark.parametrize(
    ("library_says", "we_say"),
    [
        ("Error opening OutputStream: Device unavailable [PaErrorCode -9985]", "is busy"),
        ("Error opening OutputStream: Invalid sample rate [PaErrorCode -9997]", "sample rate"),
        ("Error opening OutputStream: Unanticipated host error", "cannot open the audio output"),
    ],
)
def test_portaudio_failures_become_one_line_with_the_fix(library_says: str, we_say: str) -> None:
    error = open_error(RuntimeError(library_says))
    message = str(error)
    assert we_say in message
    assert message.endswith(
        "run `voiceguide doctor`, or `voiceguide export` the routine to play it elsewhere"
    )
    assert "\n" not in message


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def looking(output: SounddeviceOutput, clock: Clock, seconds: float, every: float) -> None:
    """The player's loop: a look at the output every ``every`` seconds for ``seconds``."""
    end = clock.now + seconds
    while clock.now < end:
        clock.now += every
        output.wait(0.0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(time, "monotonic", clock)
    return clock


def started(clock: Clock) -> SounddeviceOutput:
    """An output whose stream has just called back (it then falls silent)."""
    output = SounddeviceOutput()
    output._stream = object()
    output._watchdog.fed()
    return output


def test_a_stream_silent_while_the_player_runs_is_a_lost_device(clock: Clock) -> None:
    output = started(clock)
    looking(output, clock, STALL - 0.1, TICK)
    with pytest.raises(PlaybackError, match=re.escape(GONE)):
        looking(output, clock, 0.2, TICK)


def test_a_player_held_up_by_a_busy_machine_does_not_call_the_device_lost(clock: Clock) -> None:
    """The whole process waited 3 s (its callback thread too): the silence is the
    machine's. The callback is given its time again, and then answers."""
    output = started(clock)
    looking(output, clock, 1.0, TICK)
    clock.now += 3.0  # held up
    output.wait(0.0)
    looking(output, clock, 0.3, TICK)
    output._watchdog.fed()  # the callback runs again, then falls silent for good:
    # while the player runs, that is a lost device after STALL.
    looking(output, clock, STALL - 0.1, TICK)
    with pytest.raises(PlaybackError, match=re.escape(GONE)):
        looking(output, clock, 0.2, TICK)
