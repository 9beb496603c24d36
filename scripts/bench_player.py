"""The player's figures, measured on what a PulseAudio null sink really played.

Run it through ``scripts/bench player [--runs N] [--quick]`` (or, from the checkout's root,
``.venv/bin/python -m scripts.bench_player``). It uses the server in $PULSE_SERVER and the
sink in $VOICEGUIDE_TEST_SINK (as scripts/test sets them) or starts a private server of its
own (tests/support/pulse.py). Each figure is checked against its target; a miss makes the
run exit with status 1. Figures:

- time to first sound of ``voiceguide play``, from the moment the command is launched to
  the moment its first sound reaches the sink's monitor, with a warm clip cache and an
  empty one, for Piper (the default where installed) and pyttsx3 through pulse (the
  default on PulseAudio) and sounddevice, and for the default engine through simpleaudio;
- onset error of every spoken cue over a whole routine, per backend;
- clicks at controls (pause, resume, a jump) live over the brown bed, pulse and
  sounddevice;
- CPU used while playing, per backend (percent of one core);
- pause and resume latency (the call to the moment the sound stops or starts again) and
  Ctrl-C latency (the signal to silence), per backend;
- media keys: a headset button (MPRIS, pressed with playerctl) to silence and to its
  spoken answer, and "where am I?" from the key to the answer, with each speech engine
  (scripts/bench_media_keys.py).

Times measured against the recording err on the slow side by the recording's own latency
(about 10 ms). See docs/player.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from scripts.bench_media_keys import media_key_figures
from scripts.figures import Figure, at_most, exit_status, print_table
from tests.support.clicks import clicks_at_controls, controlled_live_over_a_bed
from tests.support.pulse import ServerDidNotStart, sink_server
from tests.support.recording import (
    MonitorRecording,
    align,
    check_cues,
    last_sound,
    mono,
    wait_for_sound,
)
from tests.support.routines import SHORT_ROUTINE
from voiceguide.output import open_output
from voiceguide.player.player import Player
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import find_routine

PROGRAM = [str(Path(sys.executable).parent / "voiceguide")]
ROUTINE = "floor-option1"  # the routine the player is first used with
WHOLE_ROUTINE = "rocking-stretch"  # a whole built-in routine for the onset figure
BACKENDS = ("pulse", "sounddevice", "simpleaudio")
RATE = assembly.SAMPLE_RATE


@contextmanager
def sound_server() -> Iterator[str]:
    """The sink to play into: the one scripts/test made, or a private server's."""
    try:
        with sink_server() as sink:
            yield sink
    except ServerDidNotStart as exc:
        raise SystemExit(str(exc)) from None


def wait_until_speaking(recording: MonitorRecording, timeout: float = 30.0) -> None:
    """Wait until the last 30 ms recorded are loud: sound is playing right now."""
    deadline = time.monotonic() + timeout
    block = round(0.03 * RATE)
    while time.monotonic() < deadline:
        latest = recording.samples()[-block:]
        if len(latest) == block and float(np.sqrt(np.mean(latest**2))) > 0.05:
            return
        recording.wait_for(round(0.005 * RATE), timeout=5)
    raise RuntimeError("never loud")


def environment(cache: Path, data: Path) -> dict[str, str]:
    return dict(
        os.environ,
        VOICEGUIDE_CACHE_DIR=str(cache),
        VOICEGUIDE_DATA_DIR=str(data),
        VOICEGUIDE_CONFIG=str(data / "config.yaml"),
    )


def launch(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*PROGRAM, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


# --- time to first sound --------------------------------------------------------------------


# (engine, backend, target ms with an empty cache, with a warm one)
FIRST_SOUND = (
    ("piper", "pulse", 2000.0, 300.0),
    ("pyttsx3", "pulse", 1000.0, 300.0),
    ("piper", "sounddevice", 2000.0, 300.0),
    ("pyttsx3", "sounddevice", 1000.0, 300.0),
    ("auto", "simpleaudio", 2000.0, 500.0),
)


def first_sound_figures(sink: str, runs: int, workdir: Path) -> list[Figure]:
    rows = []
    for engine, backend, cold_limit, warm_limit in FIRST_SOUND:
        # The default engine's warm cache is the one the other figures use.
        warm_cache = workdir / ("warm-cache" if engine == "auto" else f"warm-cache-{engine}")
        warm: list[float] = []
        cold: list[float] = []
        # Warm means every clip the routine needs is cached (a play stopped after its first
        # sound would leave the rest rendering in the background of the next runs).
        filled = launch(
            ["cache", "warm", ROUTINE, "--engine", engine],
            environment(warm_cache, Path(tempfile.mkdtemp(dir=workdir))),
        )
        if filled.wait(timeout=600) != 0:
            raise SystemExit(f"cache warm {ROUTINE} --engine {engine} failed")
        for run in range(runs):
            cold_cache = workdir / f"cold-{engine}-{backend}-{run}"
            for cache, values in ((cold_cache, cold), (warm_cache, warm)):
                data = Path(tempfile.mkdtemp(dir=workdir))
                env = environment(cache, data)
                arguments = ["play", ROUTINE, "--backend", backend, "--engine", engine]
                with MonitorRecording(sink, RATE) as recording:
                    launched = recording.frames
                    process = launch(arguments, env)
                    heard = wait_for_sound(recording, launched)
                    end(process)
                values.append((heard - launched) / RATE * 1000)
        name = f"{engine}, {backend}"
        rows.append(at_most(f"first sound, empty cache ({name})", "ms", cold, cold_limit))
        rows.append(at_most(f"first sound, warm cache ({name})", "ms", warm, warm_limit))
    return rows


BED_FIRST_SOUND_LIMIT = 100.0  # ms that a soundscape may add to the first sound


def bed_first_sound_figures(sink: str, runs: int, workdir: Path) -> list[Figure]:
    """The first sound of ``play --bed waves`` less that of ``play``, warm cache, each
    pair run back to back (the waves' tables are made when the session starts)."""
    cache = workdir / "warm-cache-pyttsx3"
    env = environment(cache, Path(tempfile.mkdtemp(dir=workdir)))
    if launch(["cache", "warm", ROUTINE, "--engine", "pyttsx3"], env).wait(timeout=600) != 0:
        raise SystemExit(f"cache warm {ROUTINE} --engine pyttsx3 failed")
    added: list[float] = []
    for _ in range(runs):
        heard = {}
        for bed in ("none", "waves"):
            arguments = ["play", ROUTINE, "--engine", "pyttsx3", "--bed", bed]
            with MonitorRecording(sink, RATE) as recording:
                launched = recording.frames
                process = launch(arguments, environment(cache, Path(tempfile.mkdtemp(dir=workdir))))
                heard[bed] = (wait_for_sound(recording, launched) - launched) / RATE * 1000
                end(process)
        added.append(heard["waves"] - heard["none"])
    return [at_most("first sound added by --bed waves (warm)", "ms", added, BED_FIRST_SOUND_LIMIT)]


# --- clicks at controls over a bed ----------------------------------------------------------


CLICK_ROUNDS = 8  # rounds of pause, resume and a jump: 24 controls a run


def click_figures(runs: int) -> list[Figure]:
    """Clicks within 50 ms of a control, live over the brown bed (tests/support/clicks.py),
    per backend that can change course while playing on (simpleaudio restarts a buffer)."""
    rows = []
    for backend in ("pulse", "sounddevice"):
        counts = []
        for _ in range(runs):
            heard, controls = controlled_live_over_a_bed(backend, CLICK_ROUNDS)
            counts.append(float(len(clicks_at_controls(heard, controls))))
        name = f"clicks at {3 * CLICK_ROUNDS} controls over a bed ({backend})"
        if backend == "pulse":
            rows.append(at_most(name, "clicks", counts, 0, worst=True, digits=0))
        else:  # a cut by design (PortAudio's abort): shown beside it, no target
            rows.append(Figure(name, "clicks", counts, digits=0))
    return rows


# --- onsets over a whole routine --------------------------------------------------------------


def prepared(name: str, workdir: Path) -> Timeline:
    return assembly.prepare(find_routine(name), RenderOptions(), workdir / "warm-cache")


def onset_figures(sink: str, workdir: Path, quick: bool) -> list[Figure]:
    if quick:
        path = workdir / "short-check.yaml"
        path.write_text(SHORT_ROUTINE, encoding="utf-8")
        name = str(path)
    else:
        name = WHOLE_ROUTINE
    timeline = prepared(name, workdir)
    expected = mono(timeline.read(0, timeline.frames))
    cues = [(c.text, timeline.frame_at(c.start)) for c in timeline.script.cues if c.kind != "tone"]
    rows = []
    for backend in BACKENDS:
        with MonitorRecording(sink, RATE) as recording:
            start = recording.frames
            Player(timeline, open_output(backend)).run()
            recording.wait_for(round(0.3 * RATE), timeout=10)
        recorded = recording.samples()[start:]
        offset = align(expected, recorded, RATE)
        checks = check_cues(expected, cues, recorded, offset, RATE)
        errors = [abs(c.error) * 1000 for c in checks]
        title = f"{timeline.script.title}, {len(cues)} cues, {timeline.duration:.0f} s"
        rows.append(at_most(f"cue onset error ({backend}; {title})", "ms", errors, 20, worst=True))
    return rows


# --- CPU while playing ------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_figures(sink: str, runs: int, workdir: Path) -> list[Figure]:
    rows = []
    for backend in BACKENDS:
        values = []
        for _ in range(runs):
            data = Path(tempfile.mkdtemp(dir=workdir))
            env = environment(workdir / "warm-cache", data)
            with MonitorRecording(sink, RATE) as recording:
                launched = recording.frames
                process = launch(["play", ROUTINE, "--backend", backend], env)
                heard = wait_for_sound(recording, launched)
                recording.wait_for(RATE, timeout=10)  # start-up is over
                used, began = cpu_seconds(process.pid), time.monotonic()
                recording.wait_for(10 * RATE, timeout=20)
                used = cpu_seconds(process.pid) - used
                values.append(used / (time.monotonic() - began) * 100)
                end(process)
            assert heard
        rows.append(Figure(f"CPU while playing ({backend})", "% of one core", values))
    return rows


# --- pause, resume and Ctrl-C -----------------------------------------------------------------


def speaking_moments(timeline: Timeline, count: int) -> list[int]:
    """Frames 0.4 s into the longest spoken cues (to pause in the middle of speech)."""
    cues = sorted(
        (c for c in timeline.script.cues if c.kind in ("say", "caution") and c.end - c.start > 1.5),
        key=lambda c: c.start,
    )
    return [timeline.frame_at(c.start + 0.4) for c in cues[:count]]


def latency_figures(sink: str, runs: int, workdir: Path) -> list[Figure]:
    timeline = prepared(ROUTINE, workdir)
    moments = speaking_moments(timeline, runs)
    rows = []
    for backend in BACKENDS:
        pauses: list[float] = []
        resumes: list[float] = []
        with MonitorRecording(sink, RATE) as recording:
            player = Player(timeline, open_output(backend))
            player.start()
            transport = player.transport
            try:
                for moment in moments:
                    while player.position() < moment:
                        player.output.wait(0.002)
                    pressed = recording.frames
                    player.output.interrupt(functools.partial(transport.pause, ack=None))
                    recording.wait_for(RATE, timeout=10)
                    stopped = last_sound(recording.samples()[pressed:])
                    pauses.append((stopped or 0) / RATE * 1000)
                    pressed = recording.frames
                    player.output.interrupt(functools.partial(transport.resume, ack=None))
                    started = wait_for_sound(recording, pressed)
                    resumes.append((started - pressed) / RATE * 1000)
            finally:
                player.output.stop()
        rows.append(at_most(f"pause: the call to silence ({backend})", "ms", pauses, 100))
        rows.append(at_most(f"resume: the call to sound ({backend})", "ms", resumes, 100))
        stops = ctrl_c(sink, backend, runs, workdir)
        rows.append(at_most(f"Ctrl-C: the signal to silence ({backend})", "ms", stops, 200))
    return rows


def ctrl_c(sink: str, backend: str, runs: int, workdir: Path) -> list[float]:
    values = []
    for _ in range(runs):
        data = Path(tempfile.mkdtemp(dir=workdir))
        env = environment(workdir / "warm-cache", data)
        with MonitorRecording(sink, RATE) as recording:
            launched = recording.frames
            process = launch(["play", ROUTINE, "--backend", backend], env)
            wait_for_sound(recording, launched)
            recording.wait_for(round(1.0 * RATE), timeout=10)
            wait_until_speaking(recording)
            signalled = recording.frames
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
            recording.wait_for(RATE, timeout=10)
            stopped = last_sound(recording.samples()[signalled:])
        assert process.returncode == 130, process.returncode
        values.append((stopped or 0) / RATE * 1000)
    return values


FIGURES = ("first-sound", "bed-first-sound", "latency", "clicks", "cpu", "onsets", "media-keys")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timing (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="onsets over a 30 s routine, not a built-in one"
    )
    parser.add_argument(
        "--only",
        choices=FIGURES,
        action="append",
        help="measure only this (may be given more than once)",
    )
    args = parser.parse_args()
    wanted = set(args.only or FIGURES)
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder, sound_server() as sink:
        workdir = Path(folder)
        if "first-sound" in wanted:
            rows += first_sound_figures(sink, args.runs, workdir)
        if "bed-first-sound" in wanted:
            rows += bed_first_sound_figures(sink, args.runs, workdir)
        if "latency" in wanted:
            rows += latency_figures(sink, args.runs, workdir)
        if "clicks" in wanted:
            rows += click_figures(max(1, args.runs // 2))
        if "cpu" in wanted:
            rows += cpu_figures(sink, max(1, args.runs // 2), workdir)
        if "onsets" in wanted:
            rows += onset_figures(sink, workdir, args.quick)
        if "media-keys" in wanted:
            env = environment(workdir / "warm-cache", Path(tempfile.mkdtemp(dir=workdir)))
            rows += media_key_figures(sink, args.runs, workdir, env)
    print_table(f"voiceguide player benchmark: {args.runs} runs, {os.cpu_count()} cores", rows)
    return exit_status(rows)


if __name__ == "__main__":
    sys.exit(main())
