"""The server's small parts: the address it picks, the port it opens, the token."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import socket
import stat
from pathlib import Path

import pytest

from voiceguide.errors import ServeError
from voiceguide.serve import net
from voiceguide.serve.token import TOKEN_FILE, session_token


def test_the_default_address_is_this_machines_and_not_said_public_when_private() -> None:
    choice = net.default_host()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((choice.address, 0))  # an address of this machine
    # Either a route was found, and the warning is exactly the one its address needs
    # (none for a private one), or there is none, and loopback comes with the reason.
    if choice.address == net.LOOPBACK and choice.warning is not None:
        assert "no network route" in choice.warning
    else:
        assert choice.warning == net.public_warning(choice.address)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "192.168.1.20", "10.0.0.5", "172.16.3.4", "fe80::1"]
)
def test_private_addresses_need_no_warning(address: str) -> None:
    assert net.public_warning(address) is None


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888"])
def test_a_public_address_is_never_used_without_saying_so(address: str) -> None:
    warning = net.public_warning(address)
    assert warning is not None
    assert address in warning and "public" in warning and "--host" in warning


def test_a_port_in_use_is_one_error_with_the_fix() -> None:
    first = net.listen(net.LOOPBACK, 0)
    port = first.getsockname()[1]
    with first, pytest.raises(ServeError) as caught:
        net.listen(net.LOOPBACK, port)
    message = str(caught.value)
    assert f"port {port} on 127.0.0.1 is in use" in message
    assert f"--port {port + 1}" in message and "--port 0" in message
    assert "\n" not in message


def test_an_address_of_another_machine_is_refused_with_the_fix() -> None:
    with pytest.raises(ServeError) as caught:
        net.listen("192.0.2.123", 0)
    assert "not an address of this machine" in str(caught.value)
    with pytest.raises(ServeError) as caught:
        net.listen("no-such-host.invalid", 0)
    assert "--host" in str(caught.value)


def test_urls_put_ipv6_addresses_in_brackets() -> None:
    assert net.url_host("::1") == "[::1]"
    assert net.url_host("192.168.1.2") == "192.168.1.2"


def test_tokens_are_new_each_run_unless_kept(tmp_path: Path) -> None:
    tokens = {session_token(False, tmp_path) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 22 for t in tokens)
    assert not (tmp_path / TOKEN_FILE).exists()


def test_a_kept_token_is_the_same_next_time_and_private(tmp_path: Path) -> None:
    kept = session_token(True, tmp_path)
    assert session_token(True, tmp_path) == kept
    path = tmp_path / TOKEN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short\n", encoding="ascii")  # damaged: replaced by a good one
    replaced = session_token(True, tmp_path)
    assert replaced != kept and len(replaced) >= 22
    assert session_token(True, tmp_path) == replaced


@pytest.mark.parametrize("address", ["0.0.0.0", "::"])
def test_listening_on_every_interface_is_never_done_without_saying_so(address: str) -> None:
    warning = net.public_warning(address)
    assert warning is not None
    assert address in warning and "every network" in warning and "--host" in warning
    assert net.listens_everywhere(address)
    assert not net.listens_everywhere("127.0.0.1")


def test_a_kept_token_others_can_read_is_refused_with_what_to_do(tmp_path: Path) -> None:
    kept = session_token(True, tmp_path)
    path = tmp_path / TOKEN_FILE
    path.chmod(0o644)
    with pytest.raises(ServeError) as caught:
        session_token(True, tmp_path)
    message = str(caught.value)
    assert "other users" in message and "0644" in message and str(path) in message
    assert "delete" in message and "chmod 600" in message
    path.chmod(0o600)
    assert session_token(True, tmp_path) == kept


def test_a_named_pipe_at_the_token_path_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / TOKEN_FILE, 0o600)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(session_token, True, tmp_path)
        try:
            with pytest.raises(ServeError) as caught:
                future.result(timeout=30)
        finally:
            # Unblocks a reader stuck in open() (as before the fix), so the test can end.
            with contextlib.suppress(OSError):
                os.close(os.open(tmp_path / TOKEN_FILE, os.O_WRONLY | os.O_NONBLOCK))
    assert "named pipe" in str(caught.value)
