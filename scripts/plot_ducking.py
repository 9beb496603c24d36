"""Draw the ducking curve from a real export: ``python -m scripts.plot_ducking [OUT.png]``.

The ``chair`` routine is exported with espeak-ng twice, with the brown bed and without
it, into a temporary folder; the bed is separated by subtracting the two files, and its
gain is that difference over the bed as made, in 10 ms windows, in dB from its level.
The cues' spans come from the export's cue sidecar. Writes ``docs/ducking.png`` unless
told otherwise (matplotlib: the ``chart`` extra).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import soundfile
from matplotlib.figure import Figure

from voiceguide.app.export import export_routines
from voiceguide.audio.beds import open_bed
from voiceguide.render.options import BedChoice, RenderOptions, VoiceOptions
from voiceguide.routine.library import find_routine

ROUTINE = "chair"
BED = BedChoice("brown")
WINDOW = 0.01  # seconds per point of the curve
SHOWN = (0.0, 40.0)  # seconds of the session drawn: the fade in, and the first cues


def bed_gain(folder: Path, cache: Path) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """The bed's gain in dB from its level, at the start of each window, and the cues'
    (start, end) in seconds."""
    voice = VoiceOptions(engine="espeak-ng")
    for name, bed in (("plain", None), ("bed", BED)):
        (folder / name).mkdir()
        export_routines(
            [find_routine(ROUTINE)], folder / name, RenderOptions(voice=voice, bed=bed), cache
        )
    plain, rate = soundfile.read(folder / "plain" / f"{ROUTINE}.wav", dtype="float64")
    mixed, _ = soundfile.read(folder / "bed" / f"{ROUTINE}.wav", dtype="float64")
    alone = mixed - np.concatenate([plain, np.zeros(len(mixed) - len(plain))])
    raw = open_bed(BED.source or "", rate).read(0, len(mixed)).astype(np.float64)
    size = round(WINDOW * rate)
    count = len(mixed) // size
    power = np.mean(alone[: count * size].reshape(count, size) ** 2, axis=1)
    reference = np.mean(raw[: count * size].reshape(count, size) ** 2, axis=1)
    gain = 10 * np.log10(np.maximum(power, 1e-20) / reference) - BED.level
    cues = json.loads((folder / "bed" / f"{ROUTINE}.cues.json").read_text())["cues"]
    return np.arange(count) * WINDOW, gain, [(c["start"], c["end"]) for c in cues]


def draw(times: np.ndarray, gain: np.ndarray, cues: list[tuple[float, float]], out: Path) -> None:
    figure = Figure(figsize=(9, 3.2), dpi=100)
    axes = figure.add_subplot()
    shown = (times >= SHOWN[0]) & (times <= SHOWN[1])
    for start, end in cues:
        if start < SHOWN[1]:
            axes.axvspan(start, min(end, SHOWN[1]), color="#cfe3f5", lw=0)
    axes.plot(times[shown], gain[shown], color="#1f4e79", lw=1.2)
    axes.set_xlim(*SHOWN)
    axes.set_ylim(-30, 3)
    axes.set_xlabel("seconds into the session (shaded: a cue sounds)")
    axes.set_ylabel("bed, dB from its level")
    axes.set_title(f"The brown bed under '{ROUTINE}' (espeak-ng, {BED.level:g} dB), from an export")
    axes.grid(True, color="#dddddd", lw=0.5)
    figure.tight_layout()
    figure.savefig(out, metadata={"Software": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("docs/ducking.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        draw(*bed_gain(folder, folder / "cache"), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
