"""Helpers for the server tests: a real uvicorn serving a Site on loopback in a thread,
the real ``voiceguide serve`` in a process, and plain HTTP requests (http.client, so
paths go out exactly as written, ``..`` and all)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from voiceguide.serve import net, server
from voiceguide.serve.asgi import create_app
from voiceguide.serve.site import Site

STARTUP_TIMEOUT = 240.0  # rendering a routine cold, on a busy machine


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


def request(origin: str, method: str, path: str, headers: Mapping[str, str] | None = None) -> Reply:
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        own_host = any(name.lower() == "host" for name in headers or {})
        connection.putrequest(method, path, skip_host=own_host, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


@contextlib.contextmanager
def site_server(
    build: Callable[[str], Site], notices: list[str] | None = None
) -> Iterator[tuple[str, Site]]:
    """Serve the Site that ``build(origin)`` makes with voiceguide's own server, on a free
    loopback port; yields (origin, site). What the server tells the user goes to
    ``notices``."""
    sock = net.listen(net.LOOPBACK, 0)
    origin = f"http://{net.LOOPBACK}:{sock.getsockname()[1]}"
    site = build(origin)
    told = notices if notices is not None else []
    running = server.build(create_app(site), lambda: None, told.append)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield origin, site
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    url: str
    stderr_reader: threading.Thread
    stderr_lines: list[str]

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def interrupt(self, timeout: float = 30, how: int = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C (or another signal); the exit status and the whole of stderr."""
        self.process.send_signal(how)
        status = self.process.wait(timeout=timeout)
        self.stderr_reader.join(timeout=timeout)
        return status, "".join(self.stderr_lines)


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "voiceguide", "serve", *args]


@contextlib.contextmanager
def serve_process(*args: str, tmpdir: Path | None = None) -> Iterator[ServeProcess]:
    """``voiceguide serve ARGS`` until it prints its address; stopped on the way out.
    ``tmpdir`` is where it keeps what it renders (``$TMPDIR``)."""
    env = dict(os.environ)
    if tmpdir:
        env["TMPDIR"] = str(tmpdir)
    process = subprocess.Popen(
        serve_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    stderr_lines: list[str] = []
    stderr = process.stderr
    assert stderr is not None
    reader = threading.Thread(
        target=lambda: stderr_lines.extend(iter(stderr.readline, "")), daemon=True
    )
    reader.start()
    try:
        line = _read_line(process, STARTUP_TIMEOUT)
        assert re.fullmatch(r"http://\S+/", line), (line, "".join(stderr_lines))
        yield ServeProcess(process, line, reader, stderr_lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []
    stdout = process.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: found.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert found, f"voiceguide serve printed no address in {timeout:.0f} s"
    return found[0].strip()
