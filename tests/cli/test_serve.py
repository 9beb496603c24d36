"""`voiceguide serve` as a user runs it: a QR code and an address, the page behind it,
a busy port as one line, and Ctrl-C stopping it cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import voiceguide
from tests.support.serving import request, serve_command, serve_process

pytestmark = pytest.mark.slow


def left_in(folder: Path) -> list[Path]:
    """What is in ``folder``, but for the session-id file that onnxruntime (Piper's
    runtime) writes into the temporary folder whenever it is loaded: not ours to remove."""
    return [path for path in folder.iterdir() if path.name != ".ses"]


def test_serve_prints_a_qr_code_and_the_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    with serve_process(
        "floor-option1", "--host", "127.0.0.1", "--port", "0", tmpdir=tmp_path
    ) as served:
        assert len(left_in(tmp_path)) == 1  # the rendered files, while it serves
        assert served.url.startswith("http://127.0.0.1:")
        assert served.url.endswith("/floor-option1/")
        page = request(served.origin, "GET", served.path)
        assert page.status == 200
        assert b"Side-lying twist on the floor" in page.body
        assert request(served.origin, "GET", "/floor-option1/").status == 404
        status, stderr = served.interrupt()
    assert status == 130
    assert "█" in stderr or "▀" in stderr  # the QR code, drawn in block characters
    assert "scan the code" in stderr
    assert "/feed.xml" in stderr
    assert stderr.rstrip().endswith("Stopped serving.")
    assert "Traceback" not in stderr
    assert left_in(tmp_path) == []  # and gone when it stops


def test_sigterm_stops_it_cleanly_too(tmp_path: Path) -> None:
    with serve_process(
        "floor-option1", "--host", "127.0.0.1", "--port", "0", tmpdir=tmp_path
    ) as served:
        status, stderr = served.interrupt(how=signal.SIGTERM)
    assert status == 130
    assert stderr.rstrip().endswith("Stopped serving.")
    assert left_in(tmp_path) == []


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
