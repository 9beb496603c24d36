"""The player's figures, measured on what a PulseAudio null sink really played.

Run it with the venv's Python: ``.venv/bin/python scripts/bench_player.py [--runs N]
[--quick]``. It uses the server in $PULSE_SERVER and the sink in $VOICEGUIDE_TEST_SINK
(as scripts/test sets them) or starts a private server of its own. Figures:

- time to first sound of ``voiceguide play``, from the moment the command is launched to
  the moment its first sound reaches the sink's monitor, with a warm clip cache and an
  empty one, for Piper (the default where installed) and pyttsx3 through sounddevice, and
  for the default engine through simpleaudio;
- onset error of every spoken cue over a whole routine, per backend;
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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from recording import (  # noqa: E402 (the tests' recorder, found through the path above)
    SHORT_ROUTINE,
    MonitorRecording,
    ServerDidNotStart,
    align,
    check_cues,
    last_sound,
    mono,
    null_sink_server,
    wait_for_sound,
)

from voiceguide.config import Settings  # noqa: E402
from voiceguide.output import open_output  # noqa: E402
from voiceguide.player.player import Player  # noqa: E402
from voiceguide.render import render  # noqa: E402
from voiceguide.render.timeline import Timeline  # noqa: E402
from voiceguide.routine.library import find_routine  # noqa: E402

PROGRAM = [str(Path(sys.executable).parent / "voiceguide")]
ROUTINE = "floor-option1"  # the routine the player is first used with
WHOLE_ROUTINE = "rocking-stretch"  # a whole built-in routine for the onset figure
BACKENDS = ("sounddevice", "simpleaudio")
RATE = render.SAMPLE_RATE


@dataclass
class Row:
    name: str
    unit: str
    values: list[float]
    target: str = ""
    limit: float | None = None  # the median must be at most this

    @property
    def passed(self) -> bool | None:
        if self.limit is None or not self.values:
            return None
        return statistics.median(self.values) <= self.limit

    def line(self) -> str:
        if not self.values:
            return f"{self.name:<48} {'-':>9}"
        median = statistics.median(self.values)
        worst = max(self.values)
        verdict = {True: "ok", False: "MISSED", None: ""}[self.passed]
        return (
            f"{self.name:<48} {median:>9.1f} {worst:>9.1f} {self.unit:<4} {len(self.values):>4}"
            f"  {self.target:<8} {verdict}"
        ).rstrip()


@contextmanager
def sound_server() -> Iterator[str]:
    """The sink to play into: the one scripts/test made, or a private server's."""
    if os.environ.get("PULSE_SERVER") and os.environ.get("VOICEGUIDE_TEST_SINK"):
        yield os.environ["VOICEGUIDE_TEST_SINK"]
        return
    sink = "voiceguide_bench"
    try:
        with null_sink_server(sink) as (server, _):
            os.environ["PULSE_SERVER"] = server
            subprocess.run(["pactl", "set-default-sink", sink], check=True)
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
    ("piper", "sounddevice", 2000.0, 300.0),
    ("pyttsx3", "sounddevice", 1000.0, 300.0),
    ("auto", "simpleaudio", 2000.0, 500.0),
)


def first_sound_figures(sink: str, runs: int, workdir: Path) -> list[Row]:
    rows = []
    for engine, backend, cold_limit, warm_limit in FIRST_SOUND:
        # The default engine's warm cache is the one the other figures use.
        warm_cache = workdir / ("warm-cache" if engine == "auto" else f"warm-cache-{engine}")
        warm: list[float] = []
        cold: list[float] = []
        for run in range(runs + 1):
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
                if run > 0 or values is cold:  # the first warm run fills the cache
                    values.append((heard - launched) / RATE * 1000)
        name = f"{engine}, {backend}"
        rows.append(
            Row(f"first sound, empty cache ({name})", "ms", cold, f"<= {cold_limit:g}", cold_limit)
        )
        rows.append(
            Row(f"first sound, warm cache ({name})", "ms", warm, f"<= {warm_limit:g}", warm_limit)
        )
    return rows


# --- onsets over a whole routine --------------------------------------------------------------


def prepared(name: str, workdir: Path) -> Timeline:
    return render.prepare(find_routine(name), Settings(), workdir / "warm-cache")


def onset_figures(sink: str, workdir: Path, quick: bool) -> list[Row]:
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
        rows.append(Row(f"cue onset error ({backend})", "ms", errors, f"< 20 ({title})"))
    return rows


# --- CPU while playing ------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_figures(sink: str, runs: int, workdir: Path) -> list[Row]:
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
        rows.append(Row(f"CPU while playing ({backend})", "%", values, "of one core"))
    return rows


# --- pause, resume and Ctrl-C -----------------------------------------------------------------


def speaking_moments(timeline: Timeline, count: int) -> list[int]:
    """Frames 0.4 s into the longest spoken cues (to pause in the middle of speech)."""
    cues = sorted(
        (c for c in timeline.script.cues if c.kind in ("say", "caution") and c.end - c.start > 1.5),
        key=lambda c: c.start,
    )
    return [timeline.frame_at(c.start + 0.4) for c in cues[:count]]


def latency_figures(sink: str, runs: int, workdir: Path) -> list[Row]:
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
        rows.append(Row(f"pause: the call to silence ({backend})", "ms", pauses, "< 100"))
        rows.append(Row(f"resume: the call to sound ({backend})", "ms", resumes, "< 100"))
        rows.append(
            Row(
                f"Ctrl-C: the signal to silence ({backend})",
                "ms",
                ctrl_c(sink, backend, runs, workdir),
                "< 200",
            )
        )
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timing (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="onsets over a 30 s routine, not a built-in one"
    )
    parser.add_argument(
        "--only",
        choices=["first-sound", "latency", "cpu", "onsets", "media-keys"],
        action="append",
        help="measure only this (may be given more than once)",
    )
    args = parser.parse_args()
    wanted = set(args.only or ["first-sound", "latency", "cpu", "onsets", "media-keys"])
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder, sound_server() as sink:
        workdir = Path(folder)
        if "first-sound" in wanted:
            rows += first_sound_figures(sink, args.runs, workdir)
        if "latency" in wanted:
            rows += latency_figures(sink, args.runs, workdir)
        if "cpu" in wanted:
            rows += cpu_figures(sink, max(1, args.runs // 2), workdir)
        if "onsets" in wanted:
            rows += onset_figures(sink, workdir, args.quick)
        if "media-keys" in wanted:
            from bench_media_keys import media_key_rows

            env = environment(workdir / "warm-cache", Path(tempfile.mkdtemp(dir=workdir)))
            rows += [
                Row(name, "ms", values, target)
                for name, values, target in media_key_rows(sink, args.runs, workdir, env)
            ]
    print(f"{'figure':<48} {'median':>9} {'worst':>9} {'unit':<4} {'runs':>4}  target")
    for row in rows:
        print(row.line())
    return 1 if any(row.passed is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
