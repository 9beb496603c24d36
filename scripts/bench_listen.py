"""Voice commands' figures (``scripts/bench listen``): recognition over the vocabulary,
two voices and three noise levels, with the recogniser chosen and with pocketsphinx (its
grammar of the same phrases) where it is installed, for comparison; the time from the
end of a word to the decision; false actions over the built-in routines played with
their echo and room noise in the microphone, guarded as in ``play``, and the commands
their own audio would give with no guard; the CPU the listening costs in silence. All
offline, on audio made here: nothing waits for real time except the CPU figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.figures import Figure, at_least, at_most, exit_status, print_table
from tests.support.microphone import RATE, SPEAKERS, room_noise, spoken, with_noise
from voiceguide.listen.gate import WINDOW, Mono, SpeechGate, silero
from voiceguide.listen.guard import VoiceGuard, threshold_for
from voiceguide.listen.recogniser import Recogniser
from voiceguide.listen.vocabulary import PHRASES, PUSHING_ON, STOPPING, decide, match
from voiceguide.player.commands import Answer, Command

NOISE_LEVELS = (20.0, 10.0, 5.0)  # dB SNR
BLOCK = 4 * WINDOW  # as the microphone delivers it
Decide = Callable[[Mono], Command | Answer | None]


@dataclass(frozen=True)
class Saying:
    """One phrase said by one voice over one noise level, and the command taken from it
    (the last one, if the gate cut it in several; None: nothing)."""

    phrase: str
    speaker: str
    snr: float
    command: Command
    taken: Command | Answer | None

    @property
    def wrong(self) -> bool:
        return self.taken is not None and self.taken is not self.command

    @property
    def unsafe(self) -> bool:
        """A stop or a pause said, and something that moves on or adds effort done."""
        return self.command in STOPPING and self.taken in PUSHING_ON


def whisper_decider() -> Decide:
    recogniser = Recogniser()

    def decided(utterance: Mono) -> Command | Answer | None:
        heard = decide(recogniser.transcribe(utterance))
        return None if heard is None else heard.meaning

    return decided


def pocketsphinx_decider(folder: Path) -> Decide | None:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        return None
    grammar = folder / "commands.gram"
    phrases = " | ".join(p for ps in PHRASES.values() for p in ps)
    grammar.write_text(f"#JSGF V1.0;\ngrammar commands;\npublic <command> = {phrases} ;\n")
    decoder = Decoder(samprate=RATE, jsgf=str(grammar), lm=None, loglevel="FATAL")

    def decided(utterance: Mono) -> Command | Answer | None:
        decoder.start_utt()
        pcm = (np.clip(utterance, -1, 1) * 32767).astype(np.int16).tobytes()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        heard = match(hyp.hypstr if hyp else "", 0.0)
        return None if heard is None else heard.meaning

    return decided


def utterances(audio: Mono) -> list[tuple[Mono, int, int]]:
    """Each utterance the gate finds in ``audio`` fed block by block, with the frames at
    which the gate offered it (recognising begins) and said it had ended (the end of the
    word plus the silence that ends it: the earliest it is acted on)."""
    gate = SpeechGate(silero())
    offered: dict[int, int] = {}
    found: list[tuple[Mono, int, int]] = []
    padded = np.concatenate([audio, np.zeros(RATE, np.float32)])
    for start in range(0, len(padded), BLOCK):
        at = min(start + BLOCK, len(padded))
        for utterance in gate.feed(padded[start : start + BLOCK]):
            if utterance.ended:
                found.append((utterance.audio, offered[utterance.number], at))
            else:
                offered[utterance.number] = at
    return found


def recognition(decide: Decide, folder: Path, timings: list[float] | None) -> list[Saying]:
    """Every phrase × speaker × noise level and what was taken from it; ``timings`` gets
    each decision's delay after the end of the word (seconds)."""
    results: list[Saying] = []
    for command, phrases in PHRASES.items():
        for phrase in phrases:
            for speaker in SPEAKERS:
                said = spoken(phrase, speaker, folder)
                for snr in NOISE_LEVELS:
                    pad = 0.6
                    audio = with_noise(said, snr, seed=len(results), pad=pad)
                    word_end = round(pad * RATE) + len(said)
                    got = None
                    for utterance, offered, ended in utterances(audio):
                        started = time.perf_counter()
                        decided = decide(utterance)
                        took = time.perf_counter() - started
                        if decided is not None:
                            got = decided
                            if timings is not None:
                                # Recognised from the offer on, acted on once ended.
                                done = max(ended / RATE, offered / RATE + took)
                                timings.append(done - word_end / RATE)
                    results.append(Saying(phrase, speaker, snr, command, got))
    return results


def recognised(sayings: list[Saying]) -> list[float]:
    return [statistics.mean(100.0 if s.taken is s.command else 0.0 for s in sayings)]


def print_misses(sayings: list[Saying]) -> None:
    """Each saying not recognised, and what was done instead."""
    for s in sayings:
        if s.taken is not s.command:
            taken = "nothing" if s.taken is None else str(s.taken)
            flag = "  UNSAFE" if s.unsafe else ""
            print(f'missed: "{s.phrase}" ({s.speaker}, {s.snr:g} dB) → {taken}{flag}')


def routine_audio(engine: str, cache: Path) -> list[tuple[str, Mono]]:
    """Every built-in routine as the guide says it, 16 kHz mono."""
    from voiceguide.paths import builtin_routines_dir
    from voiceguide.render.assembly import prepare
    from voiceguide.render.options import RenderOptions, VoiceOptions
    from voiceguide.routine.library import find_routine

    found: list[tuple[str, Mono]] = []
    for path in sorted(builtin_routines_dir().glob("*.yaml")):
        routine = find_routine(str(path))
        timeline = prepare(routine, RenderOptions(voice=VoiceOptions(engine=engine)), cache)
        sound = np.concatenate([block.mean(axis=1) for block in timeline.blocks(1 << 16)])
        count = round(len(sound) * RATE / timeline.sample_rate)
        mono = np.interp(
            np.linspace(0, len(sound) - 1, count), np.arange(len(sound)), sound
        ).astype(np.float32)
        found.append((routine.id, mono))
    return found


ROOM = 0.003  # the room's noise: about 50 dB under full scale, 30 dB under the guide


def room_under(audio: Mono) -> Mono:
    """The room's noise, as long as ``audio``, at the level it is heard under it."""
    noise: Mono = (room_noise(len(audio) / RATE + 1)[: len(audio)] * ROOM).astype(np.float32)
    return noise


def false_actions(decide: Decide, routines: list[tuple[str, Mono]]) -> tuple[list[float], float]:
    """Commands taken from each built-in routine's own voice with room noise 30 dB
    under it and no guard at all (as if its whole sound leaked into the microphone);
    and the hours of audio heard."""
    counts: list[float] = []
    seconds = 0.0
    for _, audio in routines:
        noisy = audio + room_under(audio)
        heard = (decide(u) for u, _, _ in utterances(noisy.astype(np.float32)))
        taken = [meaning for meaning in heard if meaning is not None]
        counts.append(float(len(taken)))
        seconds += len(audio) / RATE
    return counts, seconds / 3600


# The whole-routine test's microphone (tests/listen): the guide's own sound heard back
# 6 dB down, and later than there (80 ms, as the tests with commands have it).
ECHO_DELAY = 0.08
ECHO_GAIN = 0.5


class Heard:
    """The output's frames heard so far, as the guard asks for them: here, the block just
    played."""

    def __init__(self) -> None:
        self.frames = 0

    def __call__(self) -> int:
        return self.frames


def guarded_false_actions(decide: Decide, routines: list[tuple[str, Mono]]) -> list[float]:
    """Commands taken while each built-in routine plays, as ``play --listen`` hears it: the
    microphone holds the room's noise and the guide's echo, and listens only when the
    guard (``listen/guard.py``, fed every block the output plays) finds the guide quiet;
    the gate is reset whenever it is not, and a command decided after the guide began
    again is dropped, as the listener does. The output's clock is the microphone's here
    (no device latency, which the guard's margin is there to cover)."""
    counts: list[float] = []
    delay = round(ECHO_DELAY * RATE)
    for _, audio in routines:
        echo = np.concatenate([np.zeros(delay, np.float32), audio[: len(audio) - delay]])
        microphone = (room_under(audio) + ECHO_GAIN * echo).astype(np.float32)
        guard = VoiceGuard(threshold_for(None))
        heard = Heard()
        guard.started(RATE, heard)
        gate = SpeechGate(silero())
        taken = 0
        for start in range(0, len(audio), BLOCK):
            guard.note(start, audio[start : start + BLOCK])
            heard.frames = min(start + BLOCK, len(audio))
            if not guard.quiet():
                gate.reset()
                continue
            for utterance in gate.feed(microphone[start : start + BLOCK]):
                if utterance.ended and decide(utterance.audio) is not None and guard.quiet():
                    taken += 1
        counts.append(float(taken))
    return counts


def silence_cpu(seconds: float) -> float:
    """Percent of one core the gate takes on ``seconds`` of room noise, fed as the
    microphone delivers it (the recogniser does not run: nothing is speech)."""
    noise = (room_noise(seconds, seed=11) * ROOM).astype(np.float32)
    gate = SpeechGate(silero())
    gate.feed(noise[:BLOCK])
    started = time.process_time()
    for start in range(0, len(noise), BLOCK):
        for _ in gate.feed(noise[start : start + BLOCK]):
            pass
    return 100.0 * (time.process_time() - started) / seconds


def live_figures(runs: int, workdir: Path) -> list[Figure]:
    """``voiceguide play`` on the private sink with and without --listen (a virtual
    microphone with room noise in it): the time to first sound with a warm cache, and
    the CPU the program uses from 6 s to 16 s after it starts (the model is loaded by
    then); the difference is what listening costs."""
    from scripts.bench_player import (
        RATE as PLAY_RATE,
    )
    from scripts.bench_player import (
        ROUTINE,
        cpu_seconds,
        end,
        environment,
        launch,
        sound_server,
    )
    from tests.support.microphone import virtual_microphone
    from tests.support.recording import MonitorRecording, wait_for_sound

    first: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    with sound_server() as sink, virtual_microphone() as microphone:
        microphone.noise_in_background(runs * 2 * 30.0, 0.003)
        cache = workdir / "warm-cache"
        if launch(["cache", "warm", ROUTINE], environment(cache, workdir)).wait(600) != 0:
            raise SystemExit(f"cache warm {ROUTINE} failed")
        for _ in range(runs):
            for listening in (False, True):
                data = Path(tempfile.mkdtemp(dir=workdir))
                env = {**environment(cache, data), **microphone.env()}
                arguments = ["play", ROUTINE, *(["--listen"] if listening else [])]
                with MonitorRecording(sink, PLAY_RATE) as recording:
                    launched = recording.frames
                    process = launch(arguments, env)
                    heard = wait_for_sound(recording, launched)
                    first[listening].append((heard - launched) / PLAY_RATE * 1000)
                    recording.wait_for(launched + 6 * PLAY_RATE - recording.frames, timeout=20)
                    used, began = cpu_seconds(process.pid), time.monotonic()
                    recording.wait_for(10 * PLAY_RATE, timeout=20)
                    used = cpu_seconds(process.pid) - used
                    cpu[listening].append(used / (time.monotonic() - began) * 100)
                    end(process)
    plain = statistics.median(first[False])
    cost = [on - off for on, off in zip(cpu[True], cpu[False], strict=True)]
    return [
        Figure("first sound, warm cache, without --listen", "ms", first[False], digits=0),
        at_most("first sound, warm cache, with --listen", "ms", first[True], plain + 50, digits=0),
        at_most("listening while playing (CPU, added)", "% core", cost, 15),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="Print the voice commands' figures.")
    parser.add_argument("--engine", default="espeak-ng", help="the guide's voice for the routines")
    parser.add_argument("--quick", action="store_true", help="leave out the 18 routines")
    parser.add_argument("--runs", type=int, default=3, help="runs of the live figures")
    parser.add_argument("--no-live", action="store_true", help="leave out the live figures")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="voiceguide-bench-listen-") as tmp:
        folder = Path(tmp)
        whisper = whisper_decider()
        timings: list[float] = []
        sayings = recognition(whisper, folder, timings)
        print_misses(sayings)
        figures.append(
            at_least(
                "commands recognised (Whisper tiny.en)",
                "%",
                recognised(sayings),
                95,
                note=f"{len(sayings)} sayings: {sum(map(len, PHRASES.values()))} phrases × "
                f"{len(SPEAKERS)} voices × {len(NOISE_LEVELS)} noise levels",
            )
        )
        figures.append(Figure("wrong commands", "", [float(sum(s.wrong for s in sayings))]))
        figures.append(
            at_most(
                "a stop or pause taken as a command that moves on",
                "",
                [float(sum(s.unsafe for s in sayings))],
                0,
                digits=0,
            )
        )
        figures.append(at_most("end of word → decided", "s", timings, 0.8, digits=2))
        figures.append(at_most("end of word → decided, worst", "s", [max(timings)], 1.5, digits=2))
        sphinx = pocketsphinx_decider(folder)
        if sphinx is not None:
            figures.append(
                Figure(
                    "commands recognised (pocketsphinx)",
                    "%",
                    recognised(recognition(sphinx, folder, None)),
                    note="for comparison: the same sayings, its grammar of the same phrases",
                )
            )
        figures.append(at_most("listening in silence", "% core", [silence_cpu(30.0)], 15))
        if not args.no_live:
            figures.extend(live_figures(args.runs, folder))
        if not args.quick:
            routines = routine_audio(args.engine, Path(tmp) / "cache")
            guarded = guarded_false_actions(whisper, routines)
            figures.append(
                at_most(
                    "false actions, the routines played with echo and noise",
                    "",
                    [sum(guarded)],
                    0,
                    digits=0,
                    note=f"{len(guarded)} routines: the guide's echo 6 dB down and"
                    f" {ECHO_DELAY * 1000:.0f} ms late, room noise, the guard as in play",
                )
            )
            counts, hours = false_actions(whisper, routines)
            figures.append(
                Figure(
                    "commands from the guide's own voice, unguarded",
                    "",
                    [sum(counts)],
                    note=f"{len(counts)} routines, {hours:.1f} h of their audio with noise,"
                    " fed straight to the recogniser; while playing, the guard keeps the"
                    " microphone deaf whenever the guide sounds",
                )
            )
    print_table(f"voiceguide listen: {os.cpu_count()} cores", figures)
    return exit_status(figures)


if __name__ == "__main__":
    raise SystemExit(main())
