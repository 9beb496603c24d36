"""Run a call as if the disk were full, without making the test runner's own files full.

``RLIMIT_FSIZE`` applies to every file a process writes, pytest's progress and captured
output (and a log the whole run is redirected to) included. So the call runs in a forked
child that lowers the limit for itself alone; its result, or the exception it raised, comes
back to the test through a pipe.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def call_with_file_size_limit(limit: int, call: Callable[[], T]) -> T:
    """``call()`` in a child process whose writes past ``limit`` bytes fail with EFBIG."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(reader)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
            try:
                outcome: tuple[bool, object] = (True, call())
            except BaseException as exc:  # handed to the parent, which raises it
                outcome = (False, exc)
            with os.fdopen(writer, "wb") as pipe:
                pickle.dump(outcome, pipe)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise AssertionError(f"the child process ended without a result (status {status})")
    succeeded, value = pickle.loads(data)
    if not succeeded:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[no-any-return]
