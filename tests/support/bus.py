"""A private D-Bus session bus, for a test worker that must not share one.

Media-key and MPRIS tests own names and watch signals on the session bus; two pytest
workers on one bus would see each other's players. ``dbus-run-session`` gives the whole
run one bus; each parallel worker starts its own here instead.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

START_TIMEOUT = 10.0  # seconds: dbus-daemon prints its address at once when it starts


class BusDidNotStart(RuntimeError):
    """dbus-daemon did not print the address of its bus."""


@contextmanager
def session_bus() -> Iterator[str]:
    """Start a session bus of our own; yield its ``DBUS_SESSION_BUS_ADDRESS``; stop it."""
    process = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        if not address:
            raise BusDidNotStart(f"dbus-daemon exited with status {process.wait()}")
        yield address
    finally:
        process.kill()
        process.wait()
