"""`voiceguide serve` as a user runs it: a QR code and an address, the page behind it,
a busy port as one line, and Ctrl-C stopping it cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.cli import voiceguide
from tests.support.serving import STARTUP_TIMEOUT, request, serve_command, serve_process

pytestmark = pytest.mark.slow


def left_in(folder: Path) -> list[Path]:
    """What is in ``folder``, but for the session-id file that onnxruntime (Piper's
    runtime) writes into the temporary folder whenever it is loaded: not ours to remove."""
    return [path for path in folder.iterdir() if path.name != ".ses"]


def test_serve_prints_a_qr_code_and_the_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    with serve_process(
        "floor-option1", "--host", "127.0.0.1", "--port", "0", tmpdir=tmp_path
    ) as served:
        assert left_in(tmp_path) == []  # the files served are kept in the cache
        assert served.url.startswith("http://127.0.0.1:")
        assert served.url.endswith("/floor-option1/")
        page = request(served.origin, "GET", served.path)
        assert page.status == 200
        assert b"Side-lying twist on the floor" in page.body
        assert request(served.origin, "GET", "/floor-option1/").status == 404
        status, stderr = served.interrupt()
    assert status == 130
    # 127.0.0.1 is this machine only: no code for a phone to scan, and no promise of one.
    assert "█" not in stderr and "▀" not in stderr
    assert "Open this address in a browser on this computer (only this computer" in stderr
    assert "phone (on the same Wi-Fi)" not in stderr
    assert "/feed.xml" in stderr
    assert stderr.rstrip().endswith("Stopped serving.")
    assert "Traceback" not in stderr
    assert left_in(tmp_path) == []  # and gone when it stops


# What a shell reports for a command that ended on each signal: Ctrl-C's 130, SIGTERM's
# 143, SIGHUP's 129 (the terminal closed).
ENDINGS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]


@pytest.mark.parametrize(("sig", "status"), ENDINGS, ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_every_signal_while_serving_stops_it_and_leaves_nothing(
    tmp_path: Path, sig: int, status: int
) -> None:
    with serve_process(
        "floor-option1", "--host", "127.0.0.1", "--port", "0", tmpdir=tmp_path
    ) as served:
        ended, stderr = served.interrupt(how=sig)
    assert ended == status, stderr
    assert stderr.rstrip().endswith("Stopped serving.")
    assert "Traceback" not in stderr
    assert left_in(tmp_path) == []


@pytest.mark.parametrize(("sig", "status"), ENDINGS, ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_every_signal_while_rendering_stops_serving_and_leaves_nothing(
    tmp_path: Path, sig: int, status: int
) -> None:
    """From an empty cache, every routine: the signal comes once some are written and
    others are still being rendered. Serving stopped (it is not an export that ended part
    way), with the signal's exit status; what was written whole stays in the cache, and
    nothing half-written is left there or in the temporary folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "VOICEGUIDE_CACHE_DIR": str(tmp_path / "c")}
    command = serve_command("--all", "--host", "127.0.0.1", "--port", "0", "--engine", "pyttsx3")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 120
        kept = tmp_path / "c" / "served"
        while not any(kept.glob("[!.]*/*.mp3")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "nothing was rendered"
            time.sleep(0.01)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == status, stderr
    assert stdout == ""  # no address: it never served
    assert stderr.rstrip().endswith("Stopped serving.")
    assert "Exported" not in stderr and "Error" not in stderr and "Traceback" not in stderr
    assert left_in(temporary) == []
    assert [p.name for p in kept.iterdir() if p.name.startswith(".")] == []


def test_a_port_in_use_is_one_error_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            serve_command("floor-option1", "--host", "127.0.0.1", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: port {port} on 127.0.0.1 is in use (another `voiceguide serve`?); stop that "
        f"program, or choose another port with --port {port + 1} (--port 0 picks a free one)\n"
    )


def test_serve_needs_routines_or_all() -> None:
    result = voiceguide("serve")
    assert result.exit_code == 2
    assert "name the routines to serve" in result.output
    result = voiceguide("serve", "--all", "floor-option1")
    assert result.exit_code == 2
    assert "give routines to serve or --all, not both" in result.output


def test_an_unknown_routine_is_one_error_line() -> None:
    result = voiceguide("serve", "no-such-routine")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize("stderr", ["closed", "full"])
def test_the_address_arrives_on_stdout_with_stderr_closed_or_full(stderr: str) -> None:
    command = serve_command("floor-option1", "--host", "127.0.0.1", "--port", "0")
    with open("/dev/full", "w") as full:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=full if stderr == "full" else None,
            stdin=subprocess.DEVNULL,
            text=True,
            preexec_fn=(lambda: os.close(2)) if stderr == "closed" else None,
        )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()  # "" if serve ends without it
        assert url.startswith("http://127.0.0.1:"), url
        parts = urlsplit(url)
        assert request(f"{parts.scheme}://{parts.netloc}", "GET", parts.path).status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=STARTUP_TIMEOUT) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_what_the_server_refuses_is_said_once_and_counted_on_stopping() -> None:
    with serve_process("floor-option1", "--host", "127.0.0.1", "--port", "0") as served:
        parts = urlsplit(served.url)
        for _ in range(50):
            with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
                sock.sendall(b"\x16\x03\x01 a TLS hello, not HTTP\r\n\r\n")
                assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
        # The Host header: this machine's own names are answered, another name is not.
        for host, status in (
            (socket.gethostname(), 200),
            ("localhost:8765", 200),
            ("rebound.example", 404),
        ):
            reply = request(served.origin, "GET", served.path, {"Host": host})
            assert reply.status == status, host
        status, stderr = served.interrupt()
    assert status == 130
    assert "Invalid HTTP request" not in stderr
    assert stderr.count("Warning: the server is refusing requests that are not valid HTTP") == 1
    assert "Warning: the server refused 50 requests it could not read as HTTP." in stderr


@pytest.mark.parametrize(
    ("address", "phone"),
    [("192.168.1.20", True), ("10.0.0.7", True), ("127.0.0.1", False), ("::1", False)],
)
def test_the_address_is_offered_to_a_phone_only_when_a_phone_can_reach_it(
    address: str, phone: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    from voiceguide.app.serve import Serving
    from voiceguide.cli.serve import _announce
    from voiceguide.serve.net import is_loopback, url_host

    url = f"http://{url_host(address)}:8765/t/floor-option1/"
    _announce(Serving(url, url + "feed.xml", None, local_only=is_loopback(address)))
    stderr = capsys.readouterr().err
    assert ("scan the code" in stderr) is phone
    assert ("█" in stderr or "▀" in stderr) is phone  # the QR code, in block characters
    assert ("only this computer can reach it" in stderr) is not phone
