"""voiceguide's performance figures: run through scripts/bench (see docs/performance.md).

Each measurement is a function that returns ``Figure`` rows; ``main`` runs them and prints
one table with the median of several runs beside each run's value and the target. Add a
measurement by writing a function and listing it in ``MEASUREMENTS``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile

from scripts.figures import Figure, at_least, at_most, exit_status, print_table
from voiceguide.app.export import export_routines
from voiceguide.config import Settings
from voiceguide.export import writer as export
from voiceguide.render import assembly
from voiceguide.render.options import BedChoice, RenderOptions
from voiceguide.routine.library import all_routines, find_routine
from voiceguide.routine.records import Routine
from voiceguide.script.records import Script

ESPEAK = "espeak-ng"
PIPER = "piper"
PROGRAM = str(Path(sys.executable).parent / "voiceguide")
ONSET_DB = -50.0  # a cue's onset: its first sample within this of the cue's own peak
ONSET_LOOKBACK = 0.02  # seconds searched before a cue's time (not into the sound before)


@dataclass
class Context:
    """What the measurements share: the routines, the settings, how many runs."""

    routines: list[Routine]
    settings: Settings
    runs: int
    workdir: Path
    audio_seconds: float = 0.0
    warm_cache: Path = Path()  # a clip cache holding every clip the routines speak
    skip_naive: bool = False


def produce(ctx: Context, cache_dir: Path, engine: str | None = None) -> tuple[float, list[Script]]:
    """Render every routine and pull all its samples from the Timeline (what play and
    export both consume): (wall seconds, the Scripts). Sets ``ctx.audio_seconds``."""
    settings = replace(ctx.settings, engine=engine or ctx.settings.engine)
    started = time.perf_counter()
    timelines = assembly.prepare_many(ctx.routines, settings.render_options(), cache_dir)
    frames = sum(len(block) for t in timelines for block in t.blocks(export.BLOCK_FRAMES))
    seconds = time.perf_counter() - started
    ctx.audio_seconds = frames / assembly.SAMPLE_RATE
    return seconds, [t.script for t in timelines]


def naive_produce(ctx: Context, scripts: list[Script]) -> float:
    """One ``espeak-ng -w`` process per spoken cue, each clip put at its cue's time in
    silence: the way without a cache, batching or trimming. Wall seconds."""
    started = time.perf_counter()
    clip_path = ctx.workdir / "cue.wav"
    for script in scripts:
        rate = assembly.SAMPLE_RATE
        mix = np.zeros(round(script.duration * rate) + rate, dtype=np.float32)
        for cue in script.cues:
            if cue.kind == "tone":
                continue
            subprocess.run(
                ["espeak-ng", "-s", str(ctx.settings.rate), "-w", str(clip_path), cue.text],
                check=True,
            )
            clip, _ = soundfile.read(clip_path, dtype="float32")
            start = round(cue.start * rate)
            piece = clip[: max(0, len(mix) - start)]
            mix[start : start + len(piece)] += piece
    return time.perf_counter() - started


def measure_render(ctx: Context) -> list[Figure]:
    """Audio seconds produced per wall second: with an empty clip cache, with the full
    one, and the naive way. Each run does all three back to back, and the ratios are
    taken run by run, so that other load on the machine weighs on all of them alike."""
    cold, warm, naive, espeak = [], [], [], []
    for _ in range(ctx.runs):
        cache = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cache-"))
        seconds, scripts = produce(ctx, cache)
        cold.append(ctx.audio_seconds / seconds)
        seconds, _ = produce(ctx, cache)
        warm.append(ctx.audio_seconds / seconds)
        ctx.warm_cache = cache
        if not ctx.skip_naive:
            naive.append(ctx.audio_seconds / naive_produce(ctx, scripts))
            # The same synthesizer as the naive way, through the design.
            other = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cache-"))
            espeak.append(ctx.audio_seconds / produce(ctx, other, ESPEAK)[0])
    warm_ratio = [w / c for w, c in zip(warm, cold, strict=True)]
    figures = [
        Figure("cold: empty cache", "audio s / s", cold),
        Figure("warm: full cache", "audio s / s", warm),
        at_least("warm / cold", "x", warm_ratio, 10),
    ]
    if naive:
        naive_ratio = [c / n for c, n in zip(cold, naive, strict=True)]
        espeak_ratio = [e / n for e, n in zip(espeak, naive, strict=True)]
        figures += [
            Figure("naive: espeak-ng per cue", "audio s / s", naive),
            at_least("cold / naive", "x", naive_ratio, 5),
            Figure(f"cold, {ESPEAK} engine", "audio s / s", espeak),
            Figure(f"cold with {ESPEAK} engine / naive", "x", espeak_ratio),
        ]
    return figures


def timed_export(
    ctx: Context, fmt: export.Format, options: RenderOptions | None = None
) -> tuple[float, list[export.ExportedRoutine]]:
    out = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="out-"))
    cache = ctx.warm_cache
    options = options or ctx.settings.render_options()
    started = time.perf_counter()
    done = export_routines(ctx.routines, out, options, cache, fmt=fmt)
    return time.perf_counter() - started, done


def measure_export(ctx: Context) -> list[Figure]:
    """Whole exports with a full cache, files written: the disk and the encoder's share."""
    figures = []
    for fmt in ("wav", "mp3"):
        speed = []
        for _ in range(ctx.runs):
            seconds, done = timed_export(ctx, fmt)
            speed.append(sum(item.duration for item in done) / seconds)
        figures.append(Figure(f"export to {fmt.upper()}, warm", "audio s / s", speed))
    return figures


BEDS = ("brown", "waves", "drone")


def measure_bed(ctx: Context) -> list[Figure]:
    """Each built-in soundscape: whole exports of every routine with it against the same
    export without (warm cache, run by run), to MP3 (what `serve` makes, and what a phone
    plays) with a target and to WAV (where nothing but the mix costs anything) without;
    and its Timelines' mixing speed (every block pulled, as export and play pull them)."""
    plain = ctx.settings.render_options()
    figures = []
    for name in BEDS:
        options = replace(plain, bed=BedChoice(name))
        ratios: dict[export.Format, list[float]] = {"mp3": [], "wav": []}
        mixing = []
        for _ in range(ctx.runs):
            for fmt, values in ratios.items():
                without, _ = timed_export(ctx, fmt)
                with_bed, _ = timed_export(ctx, fmt, options)
                values.append(with_bed / without)
            timelines = assembly.prepare_many(ctx.routines, options, ctx.warm_cache)
            started = time.perf_counter()
            frames = sum(len(b) for t in timelines for b in t.blocks(export.BLOCK_FRAMES))
            mixing.append(frames / assembly.SAMPLE_RATE / (time.perf_counter() - started))
        figures += [
            at_most(f"MP3 export, --bed {name} / without", "x", ratios["mp3"], 1.3, digits=2),
            Figure(f"WAV export, --bed {name} / without", "x", ratios["wav"], digits=2),
            at_least(f"mixing with --bed {name}", "audio s / s", mixing, 300, digits=0),
        ]
    return figures


def onset_errors(wav: Path, cues_json: Path) -> list[tuple[float, dict[str, object]]]:
    """For each spoken cue: its audible onset in the WAV minus its time in the cue list,
    in seconds, and the cue. The onset is searched from a little before the cue's time
    (never into the sound before it) to its end."""
    data, rate = soundfile.read(wav, dtype="float32", always_2d=True)
    mono = np.abs(data).max(axis=1)
    cues = json.loads(cues_json.read_text(encoding="utf-8"))["cues"]
    errors = []
    previous_end = 0.0
    for cue in cues:
        if cue["kind"] != "tone":
            lo = round(max(cue["start"] - ONSET_LOOKBACK, previous_end) * rate)
            hi = round(cue["end"] * rate)
            segment = mono[lo:hi]
            loud = np.flatnonzero(segment >= segment.max() * 10 ** (ONSET_DB / 20))
            errors.append(((lo + int(loud[0])) / rate - cue["start"], cue))
        previous_end = cue["end"]
    return errors


def measure_onsets(ctx: Context) -> list[Figure]:
    worst: list[float] = []
    where = ""
    count = 0
    for _ in range(ctx.runs):
        _, done = timed_export(ctx, "wav")
        errors = [
            (abs(error), item.routine_id, cue)
            for item in done
            for error, cue in onset_errors(item.files[0], item.files[1])
        ]
        count = len(errors)
        error, routine_id, cue = max(errors, key=lambda e: e[0])
        worst.append(error * 1000)
        where = f"worst onset: {routine_id} at {cue['start']:.3f} s, {cue['text']!r}"
    limit = 5.0
    return [
        at_most(
            f"worst onset error, {count} cues",
            "ms",
            worst,
            limit,
            worst=True,
            digits=2,
            note=where,
        )
    ]


def generated_routine(folder: Path, minutes: int) -> Path:
    """A routine of about ``minutes`` (under 10, or a multiple of 10) minutes: a round of
    about a minute, up to ten times, repeated (a repeat goes up to 50)."""
    path = folder / f"generated-{minutes}.yaml"
    path.write_text(
        f"""\
id: generated-{minutes}
title: Generated {minutes} minutes
kind: stretch
steps:
  - repeat: {max(1, minutes // 10)}
    steps:
      - repeat: {min(minutes, 10)}
        steps:
          - say: Lie on your back and bring your knees up.
            pause: 3
          - say: Hug your knees to your chest.
            hold: 15
          - say: Breathe slowly.
            breathe: {{in: 4, out: 6, cycles: 2}}
          - rest: 12
            say: Let your feet down and rest.
""",
        encoding="utf-8",
    )
    return path


def peak_memory_child(routine_file: Path, cache_dir: Path, out: Path, bed: str | None) -> None:
    """Run in a fresh process: export one routine (under ``bed``, if given), print its
    peak memory and length."""
    options = Settings(engine="pyttsx3").render_options()
    if bed:
        options = replace(options, bed=BedChoice(bed))
    (item,) = export_routines(
        [find_routine(str(routine_file))], out, options, cache_dir, force=True
    )
    print(json.dumps({"peak_mib": peak_resident_kib() / 1024, "minutes": item.duration / 60}))


def peak_resident_kib() -> int:
    """This process's peak resident memory. Linux's VmHWM, not ``ru_maxrss``: the latter
    carries over the parent's peak across exec, hiding the child's own."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory(
    routine_file: Path, cache_dir: Path, out: Path, bed: str | None = None
) -> dict[str, float]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench",
            "--memory-child",
            str(routine_file),
            str(cache_dir),
            str(out),
            *(["--bed", bed] if bed else []),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    values: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


MEMORY_BED = "waves"  # the built-in bed that holds the most: two noise tables


def measure_memory(ctx: Context) -> list[Figure]:
    """Peak memory (resident set) of exporting a generated 10- and 60-minute routine, and
    a 5- and 60-minute one under a bed, in a fresh process each; clips come from a warm
    cache, so all do the same synthesis (none) and differ only in length and bed."""
    cache = ctx.workdir / "cache-memory"
    out = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="memory-"))
    runs: dict[tuple[int, str | None], list[float]] = {
        (10, None): [],
        (60, None): [],
        (5, MEMORY_BED): [],
        (60, MEMORY_BED): [],
    }
    files = {m: generated_routine(ctx.workdir, m) for m, _ in runs}
    for path in files.values():  # fills the cache: each has texts of its own (its rounds)
        peak_memory(path, cache, out)
    lengths: dict[int, float] = {}
    for _ in range(ctx.runs):
        for (minutes, bed), peaks in runs.items():
            measured = peak_memory(files[minutes], cache, out, bed)
            peaks.append(measured["peak_mib"])
            lengths[minutes] = measured["minutes"]
    median = {key: statistics.median(peaks) for key, peaks in runs.items()}
    growth = median[60, None] - median[10, None]
    bed_growth = median[60, MEMORY_BED] / median[5, MEMORY_BED]
    return [
        Figure(f"peak memory, {lengths[10]:.1f} min routine", "MiB", runs[10, None]),
        Figure(f"peak memory, {lengths[60]:.1f} min routine", "MiB", runs[60, None]),
        at_most("60 min minus 10 min", "MiB", [growth], 20),
        Figure(
            f"peak memory, {lengths[5]:.1f} min routine, --bed {MEMORY_BED}",
            "MiB",
            runs[5, MEMORY_BED],
        ),
        Figure(
            f"peak memory, {lengths[60]:.1f} min routine, --bed {MEMORY_BED}",
            "MiB",
            runs[60, MEMORY_BED],
        ),
        at_most(f"60 min / 5 min, --bed {MEMORY_BED}", "x", [bed_growth], 1.25, digits=2),
    ]


def median_ratio(top: list[float], bottom: list[float]) -> list[float]:
    return [t / b for t, b in zip(top, bottom, strict=True)]


def measure_piper(ctx: Context) -> list[Figure]:
    """Piper, the natural voice: a cold render of every routine through the clip store
    against Piper one text at a time in one process (the model loaded for both, each
    distinct text once, processed the same way), run by run; then the onset error of
    every spoken cue in a Piper export."""
    from voiceguide.render.clips import process
    from voiceguide.script.compiler import spoken_texts
    from voiceguide.speech import open_voice

    settings = replace(ctx.settings, engine=PIPER)
    voice = open_voice(PIPER, None, settings.rate)
    voice.synthesize("Loading the model.")
    options = settings.compile_options()
    texts = sorted(frozenset[str]().union(*(spoken_texts(r, options) for r in ctx.routines)))
    batch, single = [], []
    cache = ctx.workdir
    for _ in range(ctx.runs):
        cache = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="piper-"))
        started = time.perf_counter()
        assembly.prepare_many(ctx.routines, settings.render_options(), cache)
        batch.append(time.perf_counter() - started)
        started = time.perf_counter()
        for text in texts:
            process(*voice.synthesize(text), assembly.SAMPLE_RATE)
        single.append(time.perf_counter() - started)
    speedup = median_ratio(single, batch)
    out = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="piper-out-"))
    done = export_routines(ctx.routines, out, settings.render_options(), cache, fmt="wav")
    errors = [
        (abs(error), item.routine_id, cue)
        for item in done
        for error, cue in onset_errors(item.files[0], item.files[1])
    ]
    error, routine_id, cue = max(errors, key=lambda e: e[0])
    return [
        Figure("Piper cold render, all routines", "s", batch),
        Figure("Piper one text at a time", "s", single),
        at_least("Piper render / one at a time", "x", speedup, 1.8, digits=2),
        at_most(
            f"Piper export: worst onset error, {len(errors)} cues",
            "ms",
            [error * 1000],
            5,
            digits=2,
            note=f"worst Piper onset: {routine_id} at {cue['start']:.3f} s, {cue['text']!r}",
        ),
    ]


def measure_streaming(ctx: Context) -> list[Figure]:
    """Every built-in routine played with Piper from an empty cache, as ``play`` does it
    (the first step once playable, the rest rendered meanwhile), by a listener that takes
    the sound at exactly real time, until the render is done: how often playing had to
    wait for the voice. Nothing is sent to a device; the transport is pulled on a clock."""
    from voiceguide.player.transport import Transport
    from voiceguide.render import streaming

    settings = replace(ctx.settings, engine=PIPER)
    waits, waited = 0, 0.0
    block = 1024
    for routine in ctx.routines:
        cache = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="stream-"))
        options = settings.render_options()
        rendering = streaming.start(routine, options, assembly.clip_store(options.voice, cache))
        growing = rendering.timeline
        growing.wait_until_playable(0)
        transport = Transport(growing)
        started = time.perf_counter()
        pulled = 0
        while not growing.complete:
            due = (time.perf_counter() - started) * growing.sample_rate
            while pulled + block <= due:
                transport.pull(block)
                pulled += block
            time.sleep(0.01)
            growing.check()
        rendering.join()
        waits += transport.waits
        waited += sum(frames for _, frames in transport.waited) / growing.sample_rate
    return [
        at_most(
            f"waits in a cold Piper play of all {len(ctx.routines)} routines",
            "waits",
            [waits],
            0,
            digits=0,
            note=f"time spent waiting for the voice: {waited:.2f} s",
        )
    ]


def timed_command(arguments: list[str], cache: Path) -> float:
    """Wall seconds of a whole command, as a user runs it."""
    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(cache))
    started = time.perf_counter()
    subprocess.run(
        arguments, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def measure_commands(ctx: Context) -> list[Figure]:
    """Whole commands: ``export --all`` with a full clip cache (the default engine)
    against ``cp -r`` of the files it wrote, beside ``voiceguide --version`` (the start-up
    every command pays, which bounds that ratio from below); ``export --all --engine
    pyttsx3`` from an empty cache against the naive way (an espeak-ng process per cue).
    Run by run."""
    warm_cache = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cmd-cache-"))
    first = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cmd-out-"))
    timed_command([PROGRAM, "export", "--all", "-o", str(first)], warm_cache)  # fills it
    warm, copy, start, cold, naive = [], [], [], [], []
    for _ in range(ctx.runs):
        out = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cmd-out-"))
        warm.append(timed_command([PROGRAM, "export", "--all", "-o", str(out)], warm_cache))
        copy.append(timed_command(["cp", "-r", str(out), str(out) + "-copy"], warm_cache))
        start.append(timed_command([PROGRAM, "--version"], warm_cache))
        cold_cache = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cmd-cold-"))
        out = Path(tempfile.mkdtemp(dir=ctx.workdir, prefix="cmd-out-"))
        command = [PROGRAM, "export", "--all", "--engine", "pyttsx3", "-o", str(out)]
        cold.append(timed_command(command, cold_cache))
        if not ctx.skip_naive:
            _, scripts = produce(ctx, ctx.warm_cache)
            naive.append(naive_produce(ctx, scripts))
    warm_ratio = median_ratio(warm, copy)
    figures = [
        Figure("export --all, warm, whole command", "s", warm, digits=2),
        Figure("cp -r of the files it wrote", "s", copy, digits=2),
        at_most("export --all warm / cp -r", "x", warm_ratio, 3),
        Figure("voiceguide --version (start-up alone)", "s", start, digits=2),
        Figure("start-up alone / cp -r", "x", median_ratio(start, copy)),
        Figure("export --all --engine pyttsx3, cold, whole command", "s", cold, digits=2),
    ]
    if naive:
        cold_ratio = median_ratio(naive, cold)
        figures += [
            Figure("naive: espeak-ng per cue", "s", naive, digits=2),
            at_least("naive / export --all pyttsx3 cold", "x", cold_ratio, 5),
        ]
    return figures


MEASUREMENTS: list[Callable[[Context], list[Figure]]] = [
    measure_render,
    measure_export,
    measure_bed,
    measure_onsets,
    measure_memory,
    measure_piper,
    measure_streaming,
    measure_commands,
]


def main() -> int:
    parser = argparse.ArgumentParser(description="Print voiceguide's performance figures.")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument(
        "--only", action="append", help="run only these measurements (e.g. memory); repeatable"
    )
    parser.add_argument(
        "--no-naive", action="store_true", help="leave out the naive way (the slowest part)"
    )
    parser.add_argument("--memory-child", nargs=3, metavar=("ROUTINE", "CACHE", "OUT"))
    parser.add_argument("--bed", help="with --memory-child: the soundscape under the routine")
    args = parser.parse_args()
    if args.memory_child:
        routine_file, cache_dir, out = map(Path, args.memory_child)
        peak_memory_child(routine_file, cache_dir, out, args.bed)
        return 0
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-") as workdir:
        # The figures of the espeak-ng engines are pyttsx3's (the portable engine);
        # Piper's have rows of their own.
        ctx = Context(all_routines(), Settings(engine="pyttsx3"), args.runs, Path(workdir))
        ctx.skip_naive = args.no_naive
        figures: list[Figure] = []
        for measurement in MEASUREMENTS:
            name = measurement.__name__.removeprefix("measure_")
            if args.only and name not in args.only and name != "render":
                continue  # render always runs: the others use the cache it fills
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            figures += measurement(ctx)
        print_table(
            f"voiceguide benchmark: {len(ctx.routines)} built-in routines, "
            f"{ctx.audio_seconds / 60:.1f} min of audio, engine {ctx.settings.engine} unless "
            f"named, {ctx.runs} runs, {os.cpu_count()} cores",
            figures,
        )
        return exit_status(figures)


if __name__ == "__main__":
    sys.exit(main())
