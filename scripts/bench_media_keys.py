"""Media-key and "where am I?" figures for ``scripts/bench player`` (``--only media-keys``).

The real ``voiceguide play`` runs on the session bus (``scripts/bench`` starts one with
``dbus-run-session`` when there is none) into the null sink; a button is pressed with
``playerctl`` and the sink's recording says when the sound stopped and when the spoken
answer began. "Where am
I?" is timed in the library, the key to its answer's first sound at the sink, with each
speech engine, asked 4 s into a step in a fresh clip cache: what it says is made while
the step plays, as in ``play``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.figures import Figure, at_most
from tests.support.recording import MonitorRecording, best_lag, wait_for_sound
from voiceguide.output import open_output
from voiceguide.player.commands import Command, Request
from voiceguide.player.player import Player
from voiceguide.player.transport import FADE
from voiceguide.render import assembly
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.render.speaker import Speaker
from voiceguide.routine.library import find_routine

RATE = assembly.SAMPLE_RATE
ROUTINE = "floor-option1"
ENGINES = ("pyttsx3", "piper")


def button_figures(sink: str, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """(button to silence, button to the spoken answer) in ms, pressing play-pause."""
    to_silence: list[float] = []
    to_answer: list[float] = []
    program = [str(Path(sys.executable).parent / "voiceguide"), "play", ROUTINE]
    with MonitorRecording(sink, RATE) as recording:
        process = subprocess.Popen(
            program,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            wait_for_sound(recording, recording.frames)
            _wait_for_player(env)
            cache = Path(env["VOICEGUIDE_CACHE_DIR"])
            paused = assembly.clip_store(VoiceOptions(), cache, RATE).get("Paused.")
            for _ in range(runs):
                recording.wait_for(round(3.0 * RATE), timeout=10)
                pressed = recording.frames
                _press("play-pause", env)  # the routine stops and "Paused." starts at once
                recording.wait_for(round(1.5 * RATE), timeout=10)
                said, _ = best_lag(paused, recording.samples(), pressed, pressed + RATE)
                fade = round(FADE * RATE)  # the routine's sound is gone after its fade-out
                to_silence.append((said + fade - pressed) / RATE * 1000)
                to_answer.append((said - pressed) / RATE * 1000)
                _press("play-pause", env)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return to_silence, to_answer


def _press(button: str, env: dict[str, str]) -> None:
    subprocess.run(["playerctl", "--player=voiceguide", button], env=env, check=True)


def _wait_for_player(env: dict[str, str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = subprocess.run(["playerctl", "-l"], env=env, capture_output=True, text=True)
        if "voiceguide" in listed.stdout:
            return
        time.sleep(0.05)
    raise RuntimeError("the player never appeared on the session bus")


def where_figures(sink: str, engine: str, runs: int, workdir: Path) -> list[float]:
    """The key to the first sound of the answer, in ms, with ``engine`` (voice loaded)."""
    voice = VoiceOptions(engine=engine)
    cache = Path(tempfile.mkdtemp(dir=workdir))
    timeline = assembly.prepare(find_routine(ROUTINE), RenderOptions(voice), cache)
    values = []
    with MonitorRecording(sink, RATE) as recording:
        speaker = Speaker(assembly.clip_store(voice, cache, RATE))
        player = Player(timeline, open_output("sounddevice"), say=speaker.clip)
        player.start()
        # As `play` does: the sentences an answer may need are made as each step starts.
        speaker.start((), player.upcoming_answers)
        try:
            steps = timeline.script.steps
            for run in range(runs):
                # Each run asks in another step, so each answer is new to the clip cache.
                step = steps[1 + run % (len(steps) - 1)]
                player.seek(timeline.frame_at(step.start + 3.0))
                recording.wait_for(round(4.0 * RATE), timeout=10)
                player.output.interrupt(lambda: player.transport.pause(ack=None))
                recording.wait_for(round(1.0 * RATE), timeout=10)
                pressed = recording.frames
                player.handle(Request(Command.WHERE, "key"))
                heard = wait_for_sound(recording, pressed)
                values.append((heard - pressed) / RATE * 1000)
                recording.wait_for(round(8.0 * RATE), timeout=20)
                player.handle(Request(Command.PLAY, "key"))
        finally:
            speaker.close()
            player.output.stop()
    return values


def media_key_figures(sink: str, runs: int, workdir: Path, env: dict[str, str]) -> list[Figure]:
    """Each media-key and where-am-I figure, in ms; ``env`` for the program: its own
    cache, config and journal."""
    silence, answer = button_figures(sink, runs, env)
    figures = [
        at_most("media key: button to silence", "ms", silence, 100),
        at_most("media key: button to its spoken answer", "ms", answer, 500),
    ]
    for engine in ENGINES:
        where = where_figures(sink, engine, runs, workdir)
        figures.append(at_most(f"where am I: key to the answer ({engine})", "ms", where, 500))
    return figures
