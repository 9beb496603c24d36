"""The few calls of PulseAudio's client library (libpulse) the pulse backend makes, by ctypes.

No Python binding of libpulse exposes what the backend needs (writing over sound already
queued, at an absolute place in the stream), and the library is on every machine that
runs a PulseAudio or PipeWire sound server, so it is loaded as it is. Only the threaded
main loop is used: libpulse runs its own thread, and every call below is made with its
lock held (``Mainloop.locked``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# enum pa_context_state
CONTEXT_READY = 4
CONTEXT_FAILED = 5
# enum pa_stream_state
STREAM_READY = 2
STREAM_FAILED = 3
# enum pa_operation_state
OPERATION_RUNNING = 0
# enum pa_seek_mode
SEEK_ABSOLUTE = 1
# pa_stream_flags
INTERPOLATE_TIMING = 0x0002
AUTO_TIMING_UPDATE = 0x0008
SAMPLE_FLOAT32LE = 5
# pa_context_flags: never start a server of our own
CONTEXT_NOAUTOSPAWN = 0x0001
NO_VALUE = 0xFFFFFFFF  # (uint32_t) -1: "the server's choice" in a pa_buffer_attr

StateCallback = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
RequestCallback = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
SuccessCallback = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)


class SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class ServerInfoHead(ctypes.Structure):
    """The first fields of ``pa_server_info`` (only read through a pointer from libpulse)."""

    _fields_ = [
        ("user_name", ctypes.c_char_p),
        ("host_name", ctypes.c_char_p),
        ("server_version", ctypes.c_char_p),
        ("server_name", ctypes.c_char_p),
        ("sample_spec", SampleSpec),
        ("default_sink_name", ctypes.c_char_p),
    ]


ServerInfoCallback = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.POINTER(ServerInfoHead), ctypes.c_void_p
)


class BufferAttr(ctypes.Structure):
    _fields_ = [
        ("maxlength", ctypes.c_uint32),
        ("tlength", ctypes.c_uint32),
        ("prebuf", ctypes.c_uint32),
        ("minreq", ctypes.c_uint32),
        ("fragsize", ctypes.c_uint32),
    ]


_P = ctypes.c_void_p
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "pa_threaded_mainloop_new": (_P, []),
    "pa_threaded_mainloop_free": (None, [_P]),
    "pa_threaded_mainloop_start": (ctypes.c_int, [_P]),
    "pa_threaded_mainloop_stop": (None, [_P]),
    "pa_threaded_mainloop_lock": (None, [_P]),
    "pa_threaded_mainloop_unlock": (None, [_P]),
    "pa_threaded_mainloop_wait": (None, [_P]),
    "pa_threaded_mainloop_signal": (None, [_P, ctypes.c_int]),
    "pa_threaded_mainloop_get_api": (_P, [_P]),
    "pa_context_new": (_P, [_P, ctypes.c_char_p]),
    "pa_context_unref": (None, [_P]),
    "pa_context_connect": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_int, _P]),
    "pa_context_disconnect": (None, [_P]),
    "pa_context_get_state": (ctypes.c_int, [_P]),
    "pa_context_errno": (ctypes.c_int, [_P]),
    "pa_context_set_state_callback": (None, [_P, StateCallback, _P]),
    "pa_context_get_server_info": (_P, [_P, ServerInfoCallback, _P]),
    "pa_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "pa_get_library_version": (ctypes.c_char_p, []),
    "pa_stream_new": (_P, [_P, ctypes.c_char_p, ctypes.POINTER(SampleSpec), _P]),
    "pa_stream_unref": (None, [_P]),
    "pa_stream_connect_playback": (
        ctypes.c_int,
        [_P, ctypes.c_char_p, ctypes.POINTER(BufferAttr), ctypes.c_int, _P, _P],
    ),
    "pa_stream_disconnect": (ctypes.c_int, [_P]),
    "pa_stream_get_state": (ctypes.c_int, [_P]),
    "pa_stream_set_state_callback": (None, [_P, StateCallback, _P]),
    "pa_stream_set_write_callback": (None, [_P, RequestCallback, _P]),
    "pa_stream_write": (
        ctypes.c_int,
        [_P, _P, ctypes.c_size_t, _P, ctypes.c_int64, ctypes.c_int],
    ),
    "pa_stream_writable_size": (ctypes.c_size_t, [_P]),
    "pa_stream_drain": (_P, [_P, SuccessCallback, _P]),
    "pa_stream_get_time": (ctypes.c_int, [_P, ctypes.POINTER(ctypes.c_uint64)]),
    "pa_stream_update_timing_info": (_P, [_P, SuccessCallback, _P]),
    "pa_operation_get_state": (ctypes.c_int, [_P]),
    "pa_operation_unref": (None, [_P]),
    "pa_operation_cancel": (None, [_P]),
}


def load() -> Any:
    """libpulse with the signatures above; OSError when it is not installed."""
    name = ctypes.util.find_library("pulse") or "libpulse.so.0"
    lib = ctypes.CDLL(name)
    for function, (restype, argtypes) in _SIGNATURES.items():
        call = getattr(lib, function)
        call.restype = restype
        call.argtypes = argtypes
    return lib


class Mainloop:
    """libpulse's threaded main loop: its thread runs the callbacks, with its lock held."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.pointer = lib.pa_threaded_mainloop_new()
        if not self.pointer:
            raise OSError("pa_threaded_mainloop_new failed")
        self.api = lib.pa_threaded_mainloop_get_api(self.pointer)

    def start(self) -> None:
        if self.lib.pa_threaded_mainloop_start(self.pointer) < 0:
            raise OSError("pa_threaded_mainloop_start failed")

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.lib.pa_threaded_mainloop_lock(self.pointer)
        try:
            yield
        finally:
            self.lib.pa_threaded_mainloop_unlock(self.pointer)

    def wait(self) -> None:
        """Wait for ``signal`` from a callback (the lock held, released while waiting)."""
        self.lib.pa_threaded_mainloop_wait(self.pointer)

    def signal(self) -> None:
        self.lib.pa_threaded_mainloop_signal(self.pointer, 0)

    def free(self) -> None:
        """Stop the thread (not from inside it) and free the loop."""
        self.lib.pa_threaded_mainloop_stop(self.pointer)
        self.lib.pa_threaded_mainloop_free(self.pointer)
