"""Where the server listens: the address a phone on the same network can reach, and
the socket, opened before any rendering so a busy port is reported at once."""

from __future__ import annotations

import errno
import ipaddress
import socket
from dataclasses import dataclass

from voiceguide.errors import ServeError

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"
# A documentation address (TEST-NET-1): connecting a UDP socket to it sends nothing, but
# makes the kernel pick the interface of the default route, the one a phone shares.
_ROUTE_PROBE = ("192.0.2.1", 9)


@dataclass(frozen=True)
class HostChoice:
    """The address to listen on, and why a user should know about it (or ``None``)."""

    address: str
    warning: str | None = None


def default_host() -> HostChoice:
    """The address of the interface with the default route; loopback when there is none.

    A public address is never chosen silently: the warning says what it means."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            address: str = probe.getsockname()[0]
    except OSError:
        return HostChoice(
            LOOPBACK,
            "this machine has no network route, so only this machine can open the page; "
            "connect to the phone's Wi-Fi and run serve again",
        )
    return HostChoice(address, public_warning(address))


def listens_everywhere(address: str) -> bool:
    """Whether ``address`` is the unspecified address: every interface, every network."""
    try:
        return ipaddress.ip_address(address).is_unspecified
    except ValueError:
        return False


def public_warning(address: str) -> str | None:
    """What to say when ``address`` is reachable from the internet, else ``None``."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.is_unspecified:
        return (
            f"{address} listens on every network this machine is on, including any public "
            "one: anyone there who learns the link can listen. Use --host with your Wi-Fi "
            "address (or 127.0.0.1) to keep it private"
        )
    if not parsed.is_global:
        return None
    return (
        f"{address} is a public address: anyone on the internet who learns the link can "
        "listen. Use --host with your Wi-Fi address (or 127.0.0.1) to keep it private"
    )


def is_loopback(address: str) -> bool:
    """True when only this machine can reach ``address`` (127.0.0.1, ::1, localhost)."""
    if address.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; ``ServeError`` says how to fix a failure."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeError(
            f"cannot listen on '{host}': {exc.strerror}; give --host an address of this "
            "machine (see `ip addr`), or 127.0.0.1"
        ) from exc
    family, _type, _proto, _name, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(_bind_failure(host, port, exc)) from exc
    sock.setblocking(False)
    return sock


def _bind_failure(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use (another `voiceguide serve`?); stop that "
            f"program, or choose another port with --port {port + 1} (--port 0 picks a free one)"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"{host} is not an address of this machine; give --host one of its addresses "
            "(see `ip addr`), or leave --host out"
        )
    if exc.errno == errno.EACCES:
        return f"port {port} needs administrator rights; choose one above 1023 with --port"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


def url_host(address: str) -> str:
    """``address`` as it goes in a URL: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address
