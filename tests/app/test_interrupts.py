"""Ctrl-C and kill -9 during a cold render, as a user does it: in one process (how every
built-in routine is rendered) and with worker processes (how a batch of more than
``MIN_PROCESS_BATCH`` texts is).

Each case runs the real ``voiceguide export`` in its own process group with an empty clip
cache, signals it at a random moment once its render has begun (its first clip is cached,
or its workers exist), and checks what is left. Every routine is exported as MP3, so that
the moment falls while the voice speaks or while the files are written, never after the
end. Every wait has a deadline: a hang fails the test instead of stalling the suite.
Repeated, because the bug they guard against came at random.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import PROGRAM
from voiceguide import writing
from voiceguide.audio.signal import read_clip

DEADLINE = 90.0  # seconds; far beyond any honest exit on a loaded machine
# pyttsx3: on Linux each text in a libespeak-ng process of its own, spoken from threads
# (Piper, the default where installed, renders in-process on onnxruntime's threads).
EXPORT = [*PROGRAM, "export", "--engine", "pyttsx3"]
# The same command, rendering in worker processes from a batch of two texts (as pyttsx3
# does where it speaks in-process: macOS, Windows).
WITH_WORKERS = [
    sys.executable,
    "-c",
    "import sys; from voiceguide.render import clips; clips.MIN_PROCESS_BATCH = 2;"
    "from voiceguide.speech import pyttsx3_engine;"
    "pyttsx3_engine.ESPEAK_PARALLELISM = 'processes';"
    "from voiceguide.cli import main; main()",
    "export",
    "--engine",
    "pyttsx3",
]
ROUTINES = ["--all", "--format", "mp3"]
# Clips a render may finish after Ctrl-C: those being spoken (one per thread) and a few
# more that came between the count and the signal.
IN_FLIGHT = 2 * (os.cpu_count() or 1) + 6
MODES = ["one process", "worker processes"]


def start_export(tmp_path: Path, mode: str) -> subprocess.Popen[str]:
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "VOICEGUIDE_CACHE_DIR": str(tmp_path / "cache"),
        "VOICEGUIDE_CONFIG": str(tmp_path / "config.yaml"),
    }
    command = WITH_WORKERS if mode == "worker processes" else EXPORT
    return subprocess.Popen(
        [*command, "-o", str(out), *ROUTINES],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, like a shell job
    )


def group_members(group: int) -> list[int]:
    """The living (not zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def wait_for_the_render(process: subprocess.Popen[str], mode: str, cache: Path) -> None:
    """Until the export has started its worker processes (besides itself), or, in one
    process, has cached its first clip."""
    deadline = time.monotonic() + DEADLINE

    def begun() -> bool:
        if mode == "worker processes":  # itself, a resource tracker, a worker
            return len(group_members(process.pid)) >= 3
        return any(cache.rglob("*.clip"))

    while not begun():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the render did not begin: {process.communicate()}")
        time.sleep(0.01)


def wait_for_group_to_end(group: int) -> list[int]:
    deadline = time.monotonic() + DEADLINE
    while (members := group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in members:
        os.kill(pid, signal.SIGKILL)  # fail below, but leave nothing running
    return members


def temporary_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob(".*") if path.suffix in (".tmp", ".part")]


def signalled(process: subprocess.Popen[str], sig: int, *, group: bool) -> tuple[str, str]:
    """Send ``sig`` to the export (``group``: to its whole process group, as a terminal
    does) and wait for it and every process it started to end; what it printed."""
    if group:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)
    try:
        stdout, stderr = process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"export hung after {sig}: {process.communicate()}") from None
    assert wait_for_group_to_end(process.pid) == []
    assert "Traceback" not in stderr
    return stdout, stderr


@pytest.mark.parametrize("attempt", range(4))
@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_during_a_cold_render_ends_cleanly(tmp_path: Path, mode: str, attempt: int) -> None:
    process = start_export(tmp_path, mode)
    wait_for_the_render(process, mode, tmp_path / "cache")
    time.sleep(random.uniform(0.0, 1.5))  # while the voice speaks, or the files are written
    made = len(list((tmp_path / "cache").rglob("*.clip")))
    # A terminal's Ctrl-C reaches the whole group.
    _, stderr = signalled(process, signal.SIGINT, group=True)
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1].startswith("Exported ")
    assert temporary_files(tmp_path) == []
    if mode == "one process":
        # Only what was being spoken is finished: the texts still queued are dropped (all
        # of them were spoken first, half a minute, before the export left).
        finished = len(list((tmp_path / "cache").rglob("*.clip"))) - made
        assert finished <= IN_FLIGHT, f"{finished} clips were made after Ctrl-C"


@pytest.mark.parametrize("mode", MODES)
def test_a_closing_terminal_ends_a_cold_render_cleanly(tmp_path: Path, mode: str) -> None:
    """SIGHUP, sent to the whole job as a terminal does when it closes: the worker
    processes leave it to the export, which ends the way Ctrl-C ends it."""
    process = start_export(tmp_path, mode)
    wait_for_the_render(process, mode, tmp_path / "cache")
    time.sleep(random.uniform(0.0, 1.0))
    _, stderr = signalled(process, signal.SIGHUP, group=True)
    assert process.returncode == 129, stderr
    assert stderr.splitlines()[-1].startswith("Exported ")
    assert temporary_files(tmp_path) == []


def wait_for_a_written_routine(process: subprocess.Popen[str], out: Path) -> None:
    """Until the files of at least one routine are in place (a routine's files are put
    in place together, once all are written)."""
    deadline = time.monotonic() + DEADLINE
    while not any(out.glob("*.mp3")):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no routine was written: {process.communicate()}")
        time.sleep(0.01)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_every_signal_ends_an_export_the_way_ctrl_c_does(tmp_path: Path, sig: int) -> None:
    """Sent to the export alone (as ``kill`` or a closing terminal's SIGHUP reaches it)
    once some routines are written and while others are being written: no temporary is
    left, and every file in place is listed, whichever signal it was."""
    process = start_export(tmp_path, "one process")
    out = tmp_path / "out"
    wait_for_a_written_routine(process, out)
    stdout, stderr = signalled(process, sig, group=False)
    assert process.returncode == (130 if sig == signal.SIGINT else 128 + sig), stderr
    assert temporary_files(out) == []
    written = sorted(str(path) for path in out.iterdir())
    assert written and sorted(stdout.splitlines()) == written
    routines = {Path(path).name.split(".")[0] for path in written}
    assert stderr.splitlines()[-1].startswith(f"Exported {len(routines)} of 18 routines before")


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("mode", MODES)
def test_a_killed_export_leaves_no_process_and_no_half_written_clip(
    tmp_path: Path, mode: str, attempt: int
) -> None:
    process = start_export(tmp_path, mode)
    wait_for_the_render(process, mode, tmp_path / "cache")
    time.sleep(random.uniform(0.0, 1.0))
    process.kill()  # the parent alone, as kill -9 does: its workers must notice
    process.communicate(timeout=DEADLINE)
    assert wait_for_group_to_end(process.pid) == [], "workers outlived their parent"
    clips = tmp_path / "cache" / "clips"
    # Each worker removed its half-written clip; in one process, a clip being written
    # had no name yet.
    assert temporary_files(clips) == []
    for clip in clips.rglob("*.clip"):
        read_clip(clip)  # whole: the header's length and checksum agree
    before = sorted(clips.rglob("*.clip"))
    time.sleep(0.5)
    assert sorted(clips.rglob("*.clip")) == before  # and nothing more is written


def killed_writer(final: Path) -> Path:
    """A temporary for ``final`` left by a process that was killed while writing it."""
    code = (
        "import os, signal, sys; from pathlib import Path; from voiceguide import writing;"
        "print(writing.create(Path(sys.argv[1])), flush=True);"
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(final)], capture_output=True, text=True, timeout=60
    )
    return Path(result.stdout.strip())


def test_an_export_removes_what_a_killed_export_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = killed_writer(out / "chair.wav")
    live = writing.create(out / "chair.lrc")  # this process is running: kept
    other = out / ".notes.txt.1-0123abcd.bak"  # not a name voiceguide makes: kept
    other.write_text("mine")
    assert stale.exists()
    result = subprocess.run(
        [*EXPORT, "-o", str(out), "chair", "--force"],
        capture_output=True,
        text=True,
        timeout=DEADLINE * 2,
    )
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert live.exists() and other.exists()
    writing.remove(live)
