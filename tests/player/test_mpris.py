"""Media keys for real: ``voiceguide play`` on a private D-Bus session bus (scripts/test
runs pytest under dbus-run-session), playing into the private PulseAudio null sink, with
buttons pressed as a desktop presses them (playerctl) and properties read back over
D-Bus. Without a session bus it plays as before and ``doctor`` says why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from jeepney import DBusAddress, MatchRule, Message, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tests.support.cli import PROGRAM, run_play
from tests.support.recording import (
    MonitorRecording,
    Signal,
    best_lag,
    mono,
    needs_pulse,
    private_sink,
    wait_for_sound,
)
from voiceguide.player.mpris import BUS_NAME, PATH, PLAYER
from voiceguide.render.assembly import SAMPLE_RATE, clip_store
from voiceguide.render.options import VoiceOptions

needs_bus = pytest.mark.skipif(
    not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or shutil.which("playerctl") is None,
    reason="needs a D-Bus session bus and playerctl (run scripts/test)",
)
PLAYER_ADDRESS = DBusAddress(PATH, bus_name=BUS_NAME, interface="org.freedesktop.DBus.Properties")


@pytest.fixture
def bus() -> Iterator[DBusConnection]:
    connection = open_dbus_connection("SESSION")
    yield connection
    connection.close()


def get(bus: DBusConnection, name: str) -> Any:
    call = new_method_call(PLAYER_ADDRESS, "Get", "ss", (PLAYER, name))
    _signature, value = bus.send_and_get_reply(call, timeout=5).body[0]
    return value


def metadata(bus: DBusConnection) -> dict[str, Any]:
    return {key: value for key, (_sig, value) in get(bus, "Metadata").items()}


def wait_for_name(bus: DBusConnection) -> None:
    deadline = time.monotonic() + 30
    call = new_method_call(message_bus, "NameHasOwner", "s", (BUS_NAME,))
    while not bus.send_and_get_reply(call, timeout=5).body[0]:
        assert time.monotonic() < deadline, "the player never appeared on the session bus"
        time.sleep(0.05)


def press(button: str) -> None:
    """Press ``button`` as a desktop does; the player answers once it has acted on it."""
    subprocess.run(["playerctl", "--player=voiceguide", button], check=True, timeout=10)


def listen(bus: DBusConnection, member: str) -> MatchRule:
    """Have the bus send us the player's ``member`` signals."""
    rule = MatchRule(type="signal", path=PATH, member=member)
    call = new_method_call(message_bus, "AddMatch", "s", (rule.serialise(),))
    bus.send_and_get_reply(call, timeout=5)
    return rule


def next_signal(bus: DBusConnection, signals: deque[Message]) -> Message:
    return bus.recv_until_filtered(signals, timeout=5)


def changed(bus: DBusConnection, signals: deque[Message], name: str) -> Any:
    """The new value of property ``name`` in the next PropertiesChanged that has it."""
    while True:
        interface, values, _invalidated = next_signal(bus, signals).body
        if interface == PLAYER and name in values:
            return values[name][1]


def heard_at(recorded: Signal, sound: Signal, start: int, span: int) -> tuple[int, float]:
    """Where ``sound`` starts in ``recorded[start:start + span]`` and how well it matches."""
    return best_lag(sound, recorded, start, start + span)


def quiet(signal_: Signal) -> bool:
    return not np.any(np.abs(signal_) > 0.01)


@needs_pulse
@needs_bus
@pytest.mark.audio
@pytest.mark.slow
def test_headset_buttons_pause_skip_and_go_back_with_spoken_answers(
    short: Path, bus: DBusConnection, shared_cache_dir: Path
) -> None:
    sink = private_sink()
    assert sink is not None
    wav, rate = soundfile.read(short.with_suffix(".wav"), dtype="float32", always_2d=True)
    assert rate == SAMPLE_RATE
    expected = mono(wav)
    steps = json.loads(short.with_suffix(".cues.json").read_text(encoding="utf-8"))["steps"]
    clips = clip_store(VoiceOptions(), shared_cache_dir, rate)
    paused_words = clips.get("Paused.")
    skip_words = clips.get("Skipping to: Short check, right side.")
    back_words = clips.get("Back to: Short check, right side.")

    change_rule, seek_rule = listen(bus, "PropertiesChanged"), listen(bus, "Seeked")
    with (
        MonitorRecording(sink, rate) as recording,
        bus.filter(change_rule, bufsize=64) as changes,
        bus.filter(seek_rule, bufsize=8) as seeks,
    ):
        program = subprocess.Popen(
            [*PROGRAM, "play", str(short)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for_sound(recording, recording.frames)
            wait_for_name(bus)
            # Metadata: the routine as the album, the step as the title.
            first = metadata(bus)
            assert first["xesam:album"] == "Short check"
            assert first["xesam:title"] == "Before you start"
            assert first["mpris:length"] == round(steps[0]["end"] * 1e6)
            assert first["mpris:trackid"] == "/org/voiceguide/step/0"
            assert get(bus, "CanSeek") is True and get(bus, "CanGoNext") is True
            assert get(bus, "PlaybackStatus") == "Playing"
            recording.wait_for(round(2.0 * rate), timeout=10)
            one = get(bus, "Position")
            recording.wait_for(round(0.5 * rate), timeout=10)
            two = get(bus, "Position")
            assert 0 < one < two <= first["mpris:length"]

            paused_at = recording.frames
            press("play-pause")
            returned = recording.frames
            assert changed(bus, changes, "PlaybackStatus") == "Paused"
            assert get(bus, "PlaybackStatus") == "Paused"
            held = get(bus, "Position")
            recording.wait_for(round(2.0 * rate), timeout=10)
            assert get(bus, "Position") == held  # paused: the position stands still
            resumed_at = recording.frames
            press("play-pause")
            assert changed(bus, changes, "PlaybackStatus") == "Playing"
            recording.wait_for(round(2.5 * rate), timeout=10)

            skipped_at = recording.frames
            press("next")
            title = changed(bus, changes, "Metadata")["xesam:title"][1]
            assert title == "Short check (right)"
            assert metadata(bus)["xesam:title"] == "Short check (right)"
            # 3 s into the step, past the 2 s within which "previous" goes a step back.
            recording.wait_for(len(skip_words) + round(3.2 * rate), timeout=10)
            assert metadata(bus)["xesam:title"] == "Short check (right)"

            back_at = recording.frames
            press("previous")
            assert next_signal(bus, seeks).body[0] < 100_000  # µs: the step's start
            assert metadata(bus)["xesam:title"] == "Short check (right)"
            recording.wait_for(round(4.0 * rate), timeout=10)
            press("stop")
            _out, err = program.communicate(timeout=30)
        finally:
            if program.poll() is None:
                program.kill()
                program.wait()
    recorded = recording.samples()

    assert program.returncode == 0, err
    assert "Traceback" not in err
    assert "Quit Short check" in err
    # Paused: "Paused." is heard alone (the routine silent under it) from the press on,
    # then nothing until the second press.
    at, match = heard_at(recorded, paused_words, paused_at, round(0.5 * rate))
    assert match > 0.9, "the spoken 'Paused.' alone after the press"
    # The player answers the button once it has acted: from then on the sound is gone
    # within 100 ms (the sound server's own latency).
    assert paused_at <= at <= returned + round(0.1 * rate), "silence within 100 ms"
    assert quiet(recorded[at + len(paused_words) + round(0.05 * rate) : resumed_at])
    # Next: the words, then the next step from its first cue. (How soon the words come
    # after a press is the bench's figure: on a loaded machine the bus and the player's
    # thread can take longer than half a second, so they are looked for in 2 s.)
    at, match = heard_at(recorded, skip_words, skipped_at, round(2.0 * rate))
    assert match > 0.9
    landed = at + len(skip_words) + round(0.15 * rate)
    second = round(steps[1]["start"] * rate)
    lag, match = best_lag(recorded[landed : landed + rate], expected, 0, len(expected) - rate)
    assert match > 0.8 and abs(lag - second) < round(0.02 * rate)
    # Previous, well into the step: back to its start, with the words.
    at, match = heard_at(recorded, back_words, back_at, round(2.0 * rate))
    assert match > 0.9
    landed = at + len(back_words) + round(0.15 * rate)
    lag, match = best_lag(recorded[landed : landed + rate], expected, 0, len(expected) - rate)
    assert match > 0.8 and abs(lag - second) < round(0.02 * rate)


@pytest.mark.audio
@needs_pulse
def test_without_a_session_bus_play_plays_and_doctor_says_why(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("id: tiny\ntitle: Tiny\nkind: stretch\nsteps:\n  - say: Breathe out.\n")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
    }
    done = run_play(str(tiny), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Finished Tiny")
    assert "Traceback" not in done.stderr
    doctor = subprocess.run(
        [*PROGRAM, "doctor", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    findings = {f["topic"]: f for f in json.loads(doctor.stdout)["findings"]}
    media = findings["media keys"]
    assert media["status"] == "note"
    assert media["detail"].startswith("unavailable: no D-Bus session bus")
    assert "dbus-run-session" in media["fix"]


@needs_bus
def test_doctor_finds_the_session_bus() -> None:
    doctor = subprocess.run(
        [*PROGRAM, "doctor", "--json"], capture_output=True, text=True, timeout=60
    )
    findings = {f["topic"]: f for f in json.loads(doctor.stdout)["findings"]}
    assert findings["media keys"]["status"] == "ok"
