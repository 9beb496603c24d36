"""``serve`` figures for ``scripts/bench serve``: the real ``voiceguide serve`` on loopback.

- a phone's request answered while 200 connections are held open, half of them idle and
  half sending a request's head a byte at a time (at most 200, for at most a few seconds,
  on 127.0.0.1 only);
- ``serve ROUTINE`` started again with nothing changed: the time until it prints its
  address (the clips and the served files already in the cache);
- ``serve --all`` from an empty cache and again, and the size of the files it keeps.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from scripts.figures import Figure, at_most, exit_status, print_table
from voiceguide.serve.kept import kept_info

PROGRAM = str(Path(sys.executable).parent / "voiceguide")
ROUTINE = "floor-option1"
HELD = 200  # connections held open while the phone asks
STARTUP_TIMEOUT = 600.0  # serve --all from an empty cache, on a busy machine


class Served:
    """``voiceguide serve ARGS`` on a free loopback port, until ``stop``."""

    def __init__(self, args: list[str], cache: Path) -> None:
        env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(cache))
        command = [PROGRAM, "serve", *args, "--host", "127.0.0.1", "--port", "0"]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()  # "" if it ended without one
        self.seconds = time.perf_counter() - self.started
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"voiceguide serve {' '.join(args)} printed no address")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def phone_request(url: str) -> float:
    """Seconds for the page at ``url``, asked as a phone asks, on a new connection."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"the page answered {response.status}")
    finally:
        connection.close()
    return time.perf_counter() - started


def measure_phone_under_load(runs: int, cache: Path) -> list[Figure]:
    served = Served([ROUTINE], cache)
    parts = urlsplit(served.url)
    held: list[socket.socket] = []
    seconds: list[float] = []
    try:
        for number in range(HELD):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            held.append(sock)
            if number % 2:
                sock.sendall(b"GET / HT")  # a request's head, never finished
        for _ in range(max(runs, 5)):
            for sock in held[1::2]:
                # A byte at a time; one closed by the server for being slow is as it should be.
                with contextlib.suppress(OSError):
                    sock.sendall(b"T")
            seconds.append(phone_request(served.url))
    finally:
        for sock in held:
            sock.close()
        served.stop()
    return [
        at_most(
            f"a phone's request with {HELD} idle and slow connections open",
            "s",
            seconds,
            1.0,
            worst=True,
            digits=3,
        )
    ]


def measure_restart(runs: int, cache: Path) -> list[Figure]:
    Served([ROUTINE], cache).stop()  # its clips and files into the cache
    seconds = []
    for _ in range(runs):
        served = Served([ROUTINE], cache)
        seconds.append(served.seconds)
        served.stop()
    name = f"serve {ROUTINE} again, unchanged: address printed"
    return [at_most(name, "s", seconds, 1.0, digits=2)]


def measure_all(runs: int, workdir: Path) -> list[Figure]:
    cold, warm, sizes = [], [], []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(dir=workdir, prefix="serve-all-"))
        served = Served(["--all", "--engine", "pyttsx3"], cache)
        cold.append(served.seconds)
        served.stop()
        served = Served(["--all", "--engine", "pyttsx3"], cache)
        warm.append(served.seconds)
        served.stop()
        sizes.append(kept_info(cache).size / 1e6)
    return [
        Figure("serve --all --engine pyttsx3, empty cache: address printed", "s", cold, digits=2),
        Figure("serve --all --engine pyttsx3 again: address printed", "s", warm, digits=2),
        Figure("files serve --all keeps in the cache (MP3)", "MB", sizes, digits=1),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="Print voiceguide serve's figures.")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--quick", action="store_true", help="leave out serve --all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-serve-") as folder:
        workdir = Path(folder)
        cache = workdir / "cache"
        print("measuring serve ...", file=sys.stderr, flush=True)
        figures = measure_restart(args.runs, cache)
        figures += measure_phone_under_load(args.runs, cache)
        if not args.quick:
            figures += measure_all(args.runs, workdir)
        print_table(f"voiceguide serve: {args.runs} runs, {os.cpu_count()} cores", figures)
        return exit_status(figures)


if __name__ == "__main__":
    sys.exit(main())
