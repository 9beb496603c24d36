"""The PulseAudio backend: a playback stream of the sound server's own, fed from the transport.

Like the sounddevice backend, the server asks for audio as it needs it (libpulse's write
callback) and says when each frame is heard (the stream's clock), so nothing is scheduled
with sleeps. What it adds is a change of course without a cut: the server keeps 0.2 s
queued (``LATENCY``), and where PortAudio can only drop that queue (the sound stops dead,
a click over a soundscape), PulseAudio lets the queue be written over in place. So a
pause or a jump rewrites the queue from a few milliseconds after what is being heard
(``LEAD``): the old sound plays on to there, fades out over the transport's 5 ms, and
what comes next follows, as it would if nothing had been queued at all.

It talks to whatever PulseAudio server the environment names (``PULSE_SERVER``, else the
user's own); PipeWire's PulseAudio server (``pipewire-pulse``) serves it too.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from voiceguide.errors import PlaybackError
from voiceguide.output import libpulse
from voiceguide.output.base import (
    FIX_HINT,
    GONE,
    STALL,
    BackendUnavailable,
    Output,
    Source,
    Watchdog,
)

# Seconds of audio queued in the server, as in the sounddevice backend: a busy two-core
# machine never makes the sound stutter, and a change of course never waits for it.
LATENCY = 0.2
# Seconds between what is heard when a change comes and where the queue is written over:
# the time the write takes to reach the server, with room to spare (the server plays on
# meanwhile, and a rewrite behind what has been heard would skip sound).
LEAD = 0.015
# Seconds at most that ``interrupt`` waits for its change to be heard (``LEAD``, unless
# the stream is not playing yet or has run dry on a busy machine).
SETTLE = 0.1
BYTES_PER_SAMPLE = 4  # float32


@dataclass(frozen=True)
class ServerInfo:
    """The sound server as it describes itself: ``name`` is "pulseaudio", or PipeWire's
    "PulseAudio (on PipeWire ...)"; ``default_sink`` is where a stream with no device
    named plays."""

    name: str
    version: str
    default_sink: str


def pulse_server() -> ServerInfo | None:
    """What the PulseAudio server says of itself; None when there is no libpulse or no
    server answers."""
    output = PulseOutput()
    try:
        return output.server()
    except PlaybackError:
        return None
    finally:
        output.stop()


def _text(value: bytes | None) -> str:
    return value.decode(errors="replace") if value else ""


def import_libpulse() -> Any:
    """libpulse, or a BackendUnavailable saying how to get it."""
    try:
        return libpulse.load()
    except OSError as exc:
        raise BackendUnavailable(
            "the pulse backend needs PulseAudio's client library (libpulse), which is missing",
            "install it (Debian and Ubuntu: `sudo apt install libpulse0`), or use"
            " --backend sounddevice",
        ) from exc


def served_pulse_output(device: str | None = None) -> PulseOutput | None:
    """A connected pulse output when a PulseAudio server answers (PulseAudio itself or
    PipeWire's), else None.

    ``--backend auto`` plays through it where it can, for its changes of course without a
    cut. A ``device`` given is passed over: ``voiceguide devices`` lists PortAudio's names,
    which sounddevice takes."""
    if device is not None:
        return None
    output = PulseOutput()
    try:
        output.warm_up()  # connected: a server answers, whichever it is
    except PlaybackError:  # no libpulse, or no server: sounddevice says what is wrong
        output.stop()
        return None
    return output


class PulseOutput(Output):
    name = "pulse"

    def __init__(self, device: str | None = None, latency: float = LATENCY) -> None:
        self.device = device
        self.latency = latency
        self._lib: Any = None
        self._loop: libpulse.Mainloop | None = None
        self._context: Any = None
        self._stream: Any = None
        self._source: Source | None = None
        self._frame_bytes = 0
        self._pulled = 0  # frames written to the server; where the next write goes
        self._ended = False  # the source has finished; the server is draining
        self._drained = threading.Event()
        self._gone = threading.Event()  # the server or the stream failed
        self._failure: BaseException | None = None
        self._watchdog = Watchdog()  # a server that stops asking for sound (held, frozen)
        # ctypes callbacks must live as long as libpulse may call them.
        self._callbacks: list[Any] = []

    # --- connecting ---------------------------------------------------------------------

    def warm_up(self) -> None:
        if self._loop is not None:
            return
        lib = import_libpulse()
        loop = libpulse.Mainloop(lib)
        context = lib.pa_context_new(loop.api, b"voiceguide")
        on_state = self._keep(libpulse.StateCallback(self._on_context_state))
        lib.pa_context_set_state_callback(context, on_state, None)
        self._lib, self._loop, self._context = lib, loop, context
        with loop.locked():
            reached = lib.pa_context_connect(context, None, libpulse.CONTEXT_NOAUTOSPAWN, None) >= 0
            if reached:
                loop.start()
                while (state := lib.pa_context_get_state(context)) < libpulse.CONTEXT_READY:
                    loop.wait()
                reached = state == libpulse.CONTEXT_READY
            reason = "" if reached else self._error()
        if not reached:
            self._release()
            raise PlaybackError(f"cannot reach the PulseAudio sound server ({reason}); {FIX_HINT}")

    def start(self, source: Source) -> None:
        self.warm_up()
        lib, loop = self._lib, self._loop
        assert loop is not None
        self._source = source
        self._frame_bytes = BYTES_PER_SAMPLE * source.channels
        spec = libpulse.SampleSpec(libpulse.SAMPLE_FLOAT32LE, source.sample_rate, source.channels)
        queued = round(self.latency * source.sample_rate) * self._frame_bytes
        attr = libpulse.BufferAttr(
            libpulse.NO_VALUE, queued, libpulse.NO_VALUE, libpulse.NO_VALUE, libpulse.NO_VALUE
        )
        flags = libpulse.INTERPOLATE_TIMING | libpulse.AUTO_TIMING_UPDATE
        device = self.device.encode() if self.device else None
        with loop.locked():
            stream = lib.pa_stream_new(self._context, b"voiceguide", ctypes.byref(spec), None)
            if not stream:
                raise PlaybackError(f"cannot open the audio output ({self._error()}); {FIX_HINT}")
            self._stream = stream
            on_state = self._keep(libpulse.StateCallback(self._on_stream_state))
            on_request = self._keep(libpulse.RequestCallback(self._on_request))
            lib.pa_stream_set_state_callback(stream, on_state, None)
            lib.pa_stream_set_write_callback(stream, on_request, None)
            connected = lib.pa_stream_connect_playback(
                stream, device, ctypes.byref(attr), flags, None, None
            )
            if connected < 0:
                raise self._open_error()
            while (state := lib.pa_stream_get_state(stream)) < libpulse.STREAM_READY:
                loop.wait()
            if state != libpulse.STREAM_READY:
                raise self._open_error()
            self._watchdog.fed()

    def _open_error(self) -> PlaybackError:
        reason = self._error()
        if self.device and "entity" in reason.lower():
            return PlaybackError(
                f"no PulseAudio output is called '{self.device}' ({reason}); list them with"
                " `pactl list short sinks`"
            )
        return PlaybackError(f"cannot open the audio output ({reason}); {FIX_HINT}")

    def _error(self) -> str:
        code = self._lib.pa_context_errno(self._context)
        return str(self._lib.pa_strerror(code).decode(errors="replace"))

    def _keep(self, callback: Any) -> Any:
        self._callbacks.append(callback)
        return callback

    # --- libpulse's thread (its lock held) -----------------------------------------------

    def _on_context_state(self, context: Any, _user: Any) -> None:
        if self._lib.pa_context_get_state(context) >= libpulse.CONTEXT_FAILED:
            self._gone.set()
        self._loop_signal()

    def _on_stream_state(self, stream: Any, _user: Any) -> None:
        if self._lib.pa_stream_get_state(stream) >= libpulse.STREAM_FAILED:
            self._gone.set()
        self._loop_signal()

    def _loop_signal(self) -> None:
        if self._loop is not None:
            self._loop.signal()

    def _on_request(self, _stream: Any, nbytes: int, _user: Any) -> None:
        self._watchdog.fed()
        if self._ended or self._failure is not None or self._source is None:
            return
        try:
            chunk = self._source.pull(nbytes // self._frame_bytes)
        except BaseException as exc:  # a bug: keep it for wait() rather than lose it here
            self._failure = exc
            self._gone.set()
            return
        if chunk is None:
            self._end()
            return
        self._write(chunk, self._pulled)

    def _write(self, chunk: Any, at: int) -> None:
        """Write ``chunk`` at output frame ``at`` (over whatever was queued there)."""
        data = np.ascontiguousarray(chunk, dtype=np.float32)
        self._lib.pa_stream_write(
            self._stream,
            data.ctypes.data,
            data.nbytes,
            None,  # libpulse copies the data
            at * self._frame_bytes,
            libpulse.SEEK_ABSOLUTE,
        )
        self._pulled = at + len(data)

    def _end(self) -> None:
        """The source is finished: let the server play out what it has, then say so."""
        self._ended = True
        on_drained = self._keep(libpulse.SuccessCallback(lambda _s, _ok, _u: self._drained.set()))
        operation = self._lib.pa_stream_drain(self._stream, on_drained, None)
        if operation:
            self._lib.pa_operation_unref(operation)

    # --- the player's thread --------------------------------------------------------------

    def heard(self) -> int:
        loop, source = self._loop, self._source
        if loop is None or self._stream is None or source is None:
            return self._pulled
        with loop.locked():
            return self._heard(source)

    def _heard(self, source: Source) -> int:
        usec = ctypes.c_uint64()
        if self._lib.pa_stream_get_time(self._stream, ctypes.byref(usec)) < 0:
            return 0  # no timing yet: nothing heard
        return min(self._pulled, usec.value * source.sample_rate // 1_000_000)

    def interrupt(self, change: Callable[[], object]) -> None:
        loop, source = self._loop, self._source
        if loop is None or self._stream is None or source is None:
            change()
            return
        if self._gone.is_set():
            raise PlaybackError(f"{GONE}; {FIX_HINT}")
        start = self._rewrite(change, source, loop)
        # Return once the change is being heard, as the other backends do: the player
        # reads where it is (``heard``) right after a change, and must not find the old
        # course still playing out its last milliseconds (a question's answer would be
        # taken back as if the listener had gone back before it).
        deadline = time.monotonic() + SETTLE
        while self.heard() < start and time.monotonic() < deadline and not self._gone.is_set():
            time.sleep(0.002)

    def _rewrite(
        self, change: Callable[[], object], source: Source, loop: libpulse.Mainloop
    ) -> int:
        """Apply ``change`` from ``LEAD`` after what is heard, writing over the queue from
        there; the output frame it starts at."""
        self._refresh_timing(loop)
        with loop.locked():
            start = min(self._pulled, self._heard(source) + round(LEAD * source.sample_rate))
            queued = self._pulled - start
            if queued > 0:
                source.undo(queued)
                self._pulled = start
            change()
            self._ended = False
            self._drained.clear()
            if queued > 0:
                chunk = source.pull(queued)
                if chunk is None:  # the change ended it: write over the old sound with silence
                    self._write(np.zeros((queued, source.channels), np.float32), start)
                    self._end()
                    return start
                self._write(chunk, start)
            # The server asks for more only once what it asked for is written: after an
            # end that the change undid, it waits for this.
            wanted = self._lib.pa_stream_writable_size(self._stream) // self._frame_bytes
            if wanted > 0:
                self._on_request(self._stream, wanted * self._frame_bytes, None)
        return start

    def _refresh_timing(self, loop: libpulse.Mainloop) -> None:
        """Ask the server where the stream is now (one round trip), rather than go by the
        clock since its last word; a server that does not answer within ``SETTLE`` (held
        up, or stopped) is not waited for."""
        answered = threading.Event()
        done = libpulse.SuccessCallback(lambda _s, _ok, _u: answered.set())
        self._ask(
            loop, lambda: self._lib.pa_stream_update_timing_info(self._stream, done, None), answered
        )

    def _ask(
        self,
        loop: libpulse.Mainloop,
        send: Callable[[], Any],
        answered: threading.Event,
        wait: float = SETTLE,
    ) -> None:
        """Send a request to the server (``send``, the lock held) whose callback sets
        ``answered``, and wait up to ``wait`` seconds for it without the lock (libpulse's
        thread runs the callback); one not answered by then is cancelled, never waited on
        for good. The callback must live until this returns."""
        with loop.locked():
            operation = send()
        if not operation:
            return
        answered.wait(wait)
        with loop.locked():
            if self._lib.pa_operation_get_state(operation) == libpulse.OPERATION_RUNNING:
                self._lib.pa_operation_cancel(operation)  # its callback is not called after this
            self._lib.pa_operation_unref(operation)

    def server(self) -> ServerInfo:
        """What the sound server says of itself; all empty if it did not say (within
        ``STALL``: a server that never answers is not waited on for good)."""
        self.warm_up()
        assert self._loop is not None
        told: list[ServerInfo] = []
        answered = threading.Event()

        def on_info(_context: Any, info: Any, _user: Any) -> None:
            if info:
                head = info.contents
                told.append(
                    ServerInfo(
                        _text(head.server_name),
                        _text(head.server_version),
                        _text(head.default_sink_name),
                    )
                )
            answered.set()

        callback = libpulse.ServerInfoCallback(on_info)
        self._ask(
            self._loop,
            lambda: self._lib.pa_context_get_server_info(self._context, callback, None),
            answered,
            wait=STALL,
        )
        return told[0] if told else ServerInfo("", "", "")

    def wait(self, timeout: float) -> bool:
        if self._drained.wait(timeout) or self._drained.is_set():
            return True
        if self._failure is not None:
            raise self._failure
        if self._gone.is_set() or (not self._ended and self._watchdog.starved()):
            raise PlaybackError(f"{GONE}; {FIX_HINT}")
        return False

    def stop(self) -> None:
        self._release()

    def _release(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return
        lib = self._lib
        with loop.locked():
            if self._stream is not None:
                lib.pa_stream_disconnect(self._stream)  # silence at once
                lib.pa_stream_unref(self._stream)
                self._stream = None
            lib.pa_context_disconnect(self._context)
            lib.pa_context_unref(self._context)
            self._context = None
        loop.free()
        self._callbacks.clear()
