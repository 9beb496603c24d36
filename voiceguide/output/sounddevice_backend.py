"""The sounddevice backend (the default where no PulseAudio server answers, or a PortAudio
device is named): one PortAudio callback stream, fed from the transport.

PortAudio calls back for each buffer the device needs and the buffer is pulled from the
transport right then, so the device is the clock: nothing is scheduled with sleeps, and
a cue sounds exactly as many frames after the start as the Timeline puts it. PortAudio
says when each buffer will reach the speaker, so ``heard`` is exact too.

The device keeps a generous buffer queued (``LATENCY``), so a busy machine that leaves
the process waiting for a while never makes the sound stutter. A change of course does
not wait for that buffer to play out: ``interrupt`` drops it (PortAudio's abort), takes
back the unheard frames from the transport, tells it the sound was cut (what plays next
starts from silence), and starts the stream again, a few milliseconds of silence ahead of
the sound (``PAD``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, cast

from voiceguide.errors import PlaybackError
from voiceguide.output.base import FIX_HINT, GONE, BackendUnavailable, Output, Source, Watchdog

# Seconds of audio queued in the device. With 0.05 s, a 136 s routine now and then
# stuttered (a 0.1 s gap) on a two-core machine; a pause does not wait for it anyway.
LATENCY = 0.2
# Seconds of silence ahead of the sound when the stream starts again after a change. A
# busy PulseAudio server may begin to play a restarted stream before its first buffer has
# arrived and then skip what it missed: measured 1.2 to 1.5 ms at 48 kHz with both cores
# taken, which cut the head off the fade-in and made the sound come back with a click.
# The pad is what gets skipped instead.
PAD = 0.01


def import_sounddevice() -> ModuleType:
    """The sounddevice module, or a PlaybackError saying how to get PortAudio."""
    try:
        import sounddevice as module
    except ImportError as exc:
        raise BackendUnavailable(
            "the sounddevice backend is not installed",
            "`pip install sounddevice`, or use --backend simpleaudio",
        ) from exc
    except OSError as exc:  # the module is there, the PortAudio library is not
        raise BackendUnavailable(
            "the sounddevice backend needs the PortAudio library, which is missing",
            "install it (Debian and Ubuntu: `sudo apt install libportaudio2`), or use"
            " --backend simpleaudio",
        ) from exc
    return cast(ModuleType, module)


def resolve_device(sd: ModuleType, device: str | None) -> int | str | None:
    """The PortAudio device for ``device`` (an index or part of a name; None: the
    default), checked to be an output."""
    wanted: int | str | None = None
    if device is not None:
        wanted = int(device) if device.strip().isdigit() else device
    try:
        sd.query_devices(wanted, kind="output")
    except (ValueError, sd.PortAudioError) as exc:
        if wanted is None:
            raise PlaybackError(f"there is no audio output device; {FIX_HINT}") from exc
        raise PlaybackError(
            f"no audio output device matches '{device}' ({exc}); list them with"
            " `voiceguide devices`"
        ) from exc
    return wanted


def open_error(exc: Exception) -> PlaybackError:
    """A PortAudio failure to open or start a stream, as a message with the fix."""
    text = str(exc)
    lowered = text.lower()
    if "unavailable" in lowered or "busy" in lowered:
        return PlaybackError(
            "the audio device is busy (another program holds it): close that program or"
            f" choose another device with --device; {FIX_HINT}"
        )
    if "sample rate" in lowered:
        return PlaybackError(
            f"the audio device cannot play this sample rate ({text}): choose the"
            f" 'default' or 'pulse' device with --device; {FIX_HINT}"
        )
    return PlaybackError(f"cannot open the audio output ({text}); {FIX_HINT}")


class SounddeviceOutput(Output):
    name = "sounddevice"

    def __init__(self, device: str | None = None, latency: float = LATENCY) -> None:
        self.device = device
        self.latency = latency
        self.underflows = 0
        self._sd: ModuleType | None = None
        self._resolved: int | str | None = None
        self._stream: Any = None
        self._source: Source | None = None
        self._pulled = 0
        self._pad = 0  # frames of silence still to play before the source's next frame
        self._restarted_at = 0  # frames pulled when the stream last started: all heard
        # (frames pulled before a buffer, when that buffer reaches the speaker): the clock
        self._anchor: tuple[int, float] | None = None
        self._watchdog = Watchdog()
        self._interrupting = False
        self._ended = False
        self._done = threading.Event()
        self._failure: BaseException | None = None

    def warm_up(self) -> None:
        if self._sd is None:
            sd = import_sounddevice()  # this starts PortAudio, which looks for devices
            self._resolved = resolve_device(sd, self.device)
            self._sd = sd

    def start(self, source: Source) -> None:
        self.warm_up()
        sd, device = self._sd, self._resolved
        assert sd is not None
        self._source = source
        try:
            self._stream = sd.OutputStream(
                samplerate=source.sample_rate,
                channels=source.channels,
                dtype="float32",
                device=device,
                latency=self.latency,
                callback=self._callback,
                finished_callback=self._on_finished,
            )
            self._watchdog.fed()
            self._stream.start()
        except sd.PortAudioError as exc:
            self.stop()
            raise open_error(exc) from exc

    def _callback(self, outdata: Any, frames: int, times: Any, status: Any) -> None:
        self._watchdog.fed()
        if status.output_underflow:
            self.underflows += 1
        assert self._sd is not None and self._source is not None
        pad = min(self._pad, frames)
        self._pad -= pad
        outdata[:pad] = 0
        if pad == frames:
            return
        try:
            chunk = self._source.pull(frames - pad)
        except BaseException as exc:  # a bug: keep it for wait() rather than lose it here
            self._failure = exc
            outdata.fill(0)
            raise self._sd.CallbackAbort from exc
        if chunk is None:
            # The end: silence until the device has played the last frame out (``wait``
            # sees it through ``heard``). Stopping the stream here would let some host
            # APIs drop what is still queued.
            self._ended = True
            outdata.fill(0)
            return
        outdata[pad:] = chunk
        reaches = float(times.outputBufferDacTime)
        if reaches:
            reaches += pad / self._source.sample_rate
        self._anchor = (self._pulled, reaches)
        self._pulled += frames - pad

    def _on_finished(self) -> None:
        if not self._interrupting:  # an abort to change course is not the end
            self._done.set()

    def heard(self) -> int:
        stream, anchor, source = self._stream, self._anchor, self._source
        if stream is None or anchor is None or source is None:
            return self._pulled
        frames, reaches = anchor
        if reaches:
            played = frames + (float(stream.time) - reaches) * source.sample_rate
        else:  # a host API that does not say: assume the whole buffer is still queued
            played = self._pulled - float(stream.latency) * source.sample_rate
        # Never less than where the sound was cut: the restart's pad puts its first
        # buffer's frames a little ahead, and what was heard stays heard.
        return int(min(self._pulled, max(self._restarted_at, played)))

    def interrupt(self, change: Callable[[], object]) -> None:
        stream, source = self._stream, self._source
        if stream is None or source is None or self._sd is None:
            change()
            return
        self._interrupting = True
        try:
            stream.abort()  # silence now: what was queued is dropped
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"{GONE}; {FIX_HINT}") from exc
        finally:
            self._interrupting = False
        # Where the sound stopped is told after the abort: the device plays on until it
        # returns (asked before, the restart repeated 1.5 ms of what was heard; after,
        # 1 ms: measured on PulseAudio's null sink at 48 kHz).
        heard = self.heard()
        self._done.clear()  # a stream that had ended goes on below
        self._ended = False
        self._anchor = None
        if self._pulled > heard:
            source.undo(self._pulled - heard)
            self._pulled = heard
        self._restarted_at = self._pulled
        source.cut()  # the restart comes after a gap of silence: nothing to fade out
        change()
        self._pad = round(PAD * source.sample_rate)
        try:
            self._watchdog.fed()
            stream.start()
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"{GONE}; {FIX_HINT}") from exc

    def wait(self, timeout: float) -> bool:
        if self._failure is not None:
            raise self._failure
        if self._ended and self.heard() >= self._pulled:
            return True
        if self._done.wait(timeout):  # the stream stopped by itself: the device failed
            if self._failure is not None:
                raise self._failure
            raise PlaybackError(f"{GONE}; {FIX_HINT}")
        if self._ended and self.heard() >= self._pulled:
            return True
        if self._stream is not None and self._watchdog.starved():
            raise PlaybackError(f"{GONE}; {FIX_HINT}")
        return False

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort(ignore_errors=True)
            stream.close(ignore_errors=True)
        except Exception:  # the device is already gone; nothing left to release
            pass
