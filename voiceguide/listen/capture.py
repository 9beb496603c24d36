"""The microphone: a PortAudio input stream (through PulseAudio where there is one), read
as 16 kHz mono blocks in memory. Nothing is ever written or sent: each block is looked at
and dropped.

``input_devices`` is what ``voiceguide devices`` lists under inputs.
"""

from __future__ import annotations

import contextlib
import queue
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

from voiceguide.listen.gate import RATE, WINDOW, Mono
from voiceguide.listen.recogniser import ListenUnavailable
from voiceguide.output.quiet import native_stderr_silenced
from voiceguide.output.sounddevice_backend import import_sounddevice

BLOCK = 4 * WINDOW  # samples per block read (128 ms)
KEPT_BLOCKS = 40  # blocks waiting at most (5 s); older ones are dropped, never piled up


@dataclass(frozen=True)
class InputInfo:
    index: int
    name: str
    host_api: str
    channels: int
    default: bool


def input_devices() -> list[InputInfo]:
    """The input devices PortAudio knows, marking the default one."""
    with native_stderr_silenced():
        sd = import_sounddevice()
        try:
            default = sd.default.device[0]
            apis = sd.query_hostapis()
            devices = sd.query_devices()
        except sd.PortAudioError as exc:
            raise ListenUnavailable(f"cannot list the audio inputs ({exc})") from exc
    if not isinstance(default, int):
        default = -1
    return [
        InputInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            host_api=str(apis[d["hostapi"]]["name"]),
            channels=int(d["max_input_channels"]),
            default=int(d["index"]) == default,
        )
        for d in devices
        if d["max_input_channels"] > 0
    ]


class Microphone:
    """The input ``device`` (a number or part of a name; None: the default), open while
    the block runs; ``read`` gives its sound as it comes."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self._blocks: queue.Queue[Mono] = queue.Queue(maxsize=KEPT_BLOCKS)
        self._stream: Any = None

    def __enter__(self) -> Microphone:
        with native_stderr_silenced():
            try:
                sd = import_sounddevice()
            except Exception as exc:
                raise ListenUnavailable(str(exc)) from exc
            wanted: int | str | None = None
            if self.device is not None:
                wanted = int(self.device) if self.device.strip().isdigit() else self.device
            try:
                sd.query_devices(wanted, kind="input")
                self._stream = sd.InputStream(
                    samplerate=RATE,
                    channels=1,
                    dtype="float32",
                    blocksize=BLOCK,
                    device=wanted,
                    callback=self._callback,
                )
                self._stream.start()
            except (ValueError, sd.PortAudioError) as exc:
                which = f"matching '{self.device}'" if self.device else "to listen with"
                raise ListenUnavailable(
                    f"no microphone {which} ({exc}); list the inputs with `voiceguide devices`"
                ) from exc
        return self

    def _callback(self, indata: Any, frames: int, times: Any, status: Any) -> None:
        block = np.array(indata[:, 0], dtype=np.float32)
        try:
            self._blocks.put_nowait(block)
        except queue.Full:  # the listener fell behind: the oldest sound matters least
            with contextlib.suppress(queue.Empty):
                self._blocks.get_nowait()
            self._blocks.put_nowait(block)

    def read(self, timeout: float) -> Mono | None:
        """The next block, or None after ``timeout`` seconds without one."""
        try:
            return self._blocks.get(timeout=timeout)
        except queue.Empty:
            return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with native_stderr_silenced():
                stream.stop()
                stream.close()
