"""Audio output: one interface (``Output``) and a backend per library; each plays the
frames a ``Source`` gives it (the player's transport).

- ``sounddevice``: the default, a PortAudio callback stream (the device is the clock);
- ``simpleaudio``: an optional extra, whole buffers started on time.

(The tests' fake output lives with them, in ``tests/support/fake_output.py``.)

``open_output`` picks a backend by name; ``inventory``'s ``backends`` and ``output_devices``
say what this machine has (for ``voiceguide devices`` and ``voiceguide doctor``).
"""

from __future__ import annotations

from voiceguide.errors import PlaybackError
from voiceguide.output.base import Output


def open_output(backend: str, device: str | None = None) -> Output:
    """An unstarted output for ``backend`` ("sounddevice" or "simpleaudio") on ``device``
    (None: the default output)."""
    if backend == "sounddevice":
        from voiceguide.output.sounddevice_backend import SounddeviceOutput

        return SounddeviceOutput(device)
    if backend == "simpleaudio":
        from voiceguide.output.simpleaudio_backend import SimpleaudioOutput

        return SimpleaudioOutput(device)
    from voiceguide.output.inventory import BACKEND_NAMES

    raise PlaybackError(
        f"unknown audio backend '{backend}': choose {' or '.join(BACKEND_NAMES)}"
        " (see `voiceguide doctor`)"
    )
