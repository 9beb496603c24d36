"""Audio output: one interface (``Output``) and a backend per library; each plays the
frames a ``Source`` gives it (the player's transport).

- ``sounddevice``: a PortAudio callback stream (the device is the clock);
- ``pulse``: a PulseAudio stream of the server's own, whose queue a change of course
  writes over instead of dropping (no click over a soundscape); the default ("auto")
  where a PulseAudio server answers (PipeWire's too), sounddevice elsewhere;
- ``simpleaudio``: an optional extra, whole buffers started on time.

(The tests' fake output lives with them, in ``tests/support/fake_output.py``.)

``open_output`` picks a backend by name; ``inventory``'s ``backends`` and ``output_devices``
say what this machine has (for ``voiceguide devices`` and ``voiceguide doctor``).
"""

from __future__ import annotations

from voiceguide.errors import PlaybackError
from voiceguide.output.base import Output


def open_output(backend: str, device: str | None = None) -> Output:
    """An unstarted output for ``backend`` ("auto", "sounddevice", "pulse" or
    "simpleaudio") on ``device`` (None: the default output). "auto" is pulse where a
    PulseAudio server answers (PipeWire's too) and no device is named, else sounddevice."""
    if backend == "auto":
        from voiceguide.output.pulse_backend import served_pulse_output

        return served_pulse_output(device) or open_output("sounddevice", device)
    if backend == "sounddevice":
        from voiceguide.output.sounddevice_backend import SounddeviceOutput

        return SounddeviceOutput(device)
    if backend == "simpleaudio":
        from voiceguide.output.simpleaudio_backend import SimpleaudioOutput

        return SimpleaudioOutput(device)
    if backend == "pulse":
        from voiceguide.output.pulse_backend import PulseOutput

        return PulseOutput(device)
    from voiceguide.output.inventory import BACKEND_NAMES

    raise PlaybackError(
        f"unknown audio backend '{backend}': choose auto, {', '.join(BACKEND_NAMES[:-1])}"
        f" or {BACKEND_NAMES[-1]}"
        " (see `voiceguide doctor`)"
    )
