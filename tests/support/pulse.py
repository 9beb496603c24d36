"""The private PulseAudio server with a null sink that the audio tests play into.

One implementation for everything that needs one: ``scripts/test`` runs pytest under it
(``python -m tests.support.pulse COMMAND...``), ``scripts/bench player`` starts one when
there is none, and a test starts a second, short-lived one to make the program lose its
output. The socket is at a path we choose and ``PULSE_SERVER`` points every client at it,
so a program given a temporary ``HOME`` or ``XDG_*`` still finds the server instead of
starting one of its own. A null sink needs no sound card.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEST_SINK = "voiceguide_test"
START_TIMEOUT = 10.0  # seconds: pulseaudio answers within a fraction of one when idle


class ServerDidNotStart(RuntimeError):
    """A PulseAudio server of our own did not answer in time."""


def answers(server: str | None = None) -> bool:
    """Whether a PulseAudio server (``server``, or the one clients find) answers."""
    env = dict(os.environ, PULSE_SERVER=server) if server else None
    try:
        done = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@contextmanager
def null_sink_server(sink: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A PulseAudio server of our own with one null sink at 48 kHz, its socket in a
    temporary folder.

    Yields the ``PULSE_SERVER`` value that reaches it and its process; the server is
    stopped and its folder removed on the way out.
    """
    folder = Path(tempfile.mkdtemp(prefix="voiceguide-pulse-"))
    server = f"unix:{folder}/native"
    log = folder / "pulseaudio.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "-n",
                "--use-pid-file=no",
                f"--load=module-null-sink sink_name={sink} rate=48000",
                f"--load=module-native-protocol-unix auth-anonymous=1 socket={folder}/native",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(server):
            if time.monotonic() > deadline or process.poll() is not None:
                said = log.read_text(encoding="utf-8", errors="replace").strip()
                raise ServerDidNotStart(
                    "could not start a PulseAudio server of its own"
                    + (f"; its log:\n{said}" if said else "")
                )
            time.sleep(0.05)
        yield server, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def sink_server() -> Iterator[str]:
    """The sink to play into: the private one already set up (``PULSE_SERVER`` and
    ``VOICEGUIDE_TEST_SINK``), else a new server's, made the default, with both variables
    set in this process's environment (so programs it starts use it) while the block runs."""
    ready = os.environ.get("VOICEGUIDE_TEST_SINK")
    if ready and os.environ.get("PULSE_SERVER") and answers():
        yield ready
        return
    saved = {name: os.environ.get(name) for name in ("PULSE_SERVER", "VOICEGUIDE_TEST_SINK")}
    with null_sink_server(TEST_SINK) as (server, _):
        os.environ["PULSE_SERVER"] = server
        os.environ["VOICEGUIDE_TEST_SINK"] = TEST_SINK
        try:
            subprocess.run(["pactl", "set-default-sink", TEST_SINK], check=True)
            yield TEST_SINK
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@contextmanager
def worker_sink() -> Iterator[str]:
    """A server and null sink of this process's own, whatever the environment names.

    Parallel test workers each need one: a test records the sink's monitor, and another
    worker's sound on the same sink would be in its recording. The variables are set in
    this process's environment while the block runs (programs the tests start inherit them).
    """
    os.environ.pop("VOICEGUIDE_TEST_SINK", None)
    with sink_server() as sink:
        yield sink


def main(command: list[str]) -> int:
    """Run ``command`` with the test sink, and return its exit status."""
    if not command:
        print("usage: python -m tests.support.pulse COMMAND [ARGS...]", file=sys.stderr)
        return 2
    try:
        with sink_server():
            child = subprocess.Popen(command)
            # Ctrl-C reaches the command from the terminal; the server must outlive its
            # clean-up, so this process waits for the command instead of dying first.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            return child.wait()
    except ServerDidNotStart as exc:
        print(f"scripts/test: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
