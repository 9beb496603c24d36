"""Taking the room's steady noise out of an utterance: nothing changes until the noise is
learnt, the sound comes back sample for sample where there is no noise to take out, the
noise goes down and a voice above it stays; only the latest second is the noise, and the
gate never learns the start of a word as noise."""

from __future__ import annotations

import numpy as np

from tests.support.microphone import RATE, room_noise
from voiceguide.listen.denoise import ENOUGH, LEARNT, NoiseFloor
from voiceguide.listen.gate import BEFORE, END_SILENCE, WINDOW, SpeechGate


def tone(seconds: float, level: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def noise(seconds: float, level: float, seed: int = 7) -> np.ndarray:
    """Room noise from the middle of a longer stretch (its ends drift)."""
    frames = round(seconds * RATE)
    return (room_noise(3 * seconds, seed)[frames : 2 * frames] * level).astype(np.float32)


def level_at(sound: np.ndarray, hz: float = 440.0) -> float:
    """dB of ``sound`` at ``hz`` (a Hann-windowed spectrum's peak near it)."""
    spectrum = np.abs(np.fft.rfft(sound * np.hanning(len(sound))))
    near = round(hz * len(sound) / RATE)
    return float(20 * np.log10(spectrum[near - 3 : near + 4].max()))


def rms_db(sound: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(sound.astype(np.float64)))))


def learnt(sound: np.ndarray) -> NoiseFloor:
    floor = NoiseFloor()
    for start in range(0, len(sound), WINDOW):
        floor.learn(sound[start : start + WINDOW])
    return floor


def test_nothing_is_taken_out_until_enough_noise_is_learnt() -> None:
    said = tone(0.8, 0.3) + noise(0.8, 0.05)
    too_little = learnt(noise((ENOUGH - WINDOW) / RATE, 0.05, seed=1))
    assert np.array_equal(too_little.removed(said), said)


def test_with_no_noise_learnt_the_sound_comes_back_sample_for_sample() -> None:
    said = tone(0.77, 0.3) + noise(0.77, 0.05)  # not a whole number of frames
    silence = learnt(np.zeros(LEARNT, np.float32))
    back = silence.removed(said)
    assert len(back) == len(said)
    assert np.max(np.abs(back - said)) < 1e-5


def test_the_noise_goes_down_and_a_voice_above_it_stays() -> None:
    floor = learnt(noise(1.0, 0.05, seed=10))
    alone = noise(1.0, 0.05, seed=20)  # the same room, other moments
    # 6 to 8 dB down: what is left is where the noise happened to rise well over its mean.
    assert rms_db(floor.removed(alone)) < rms_db(alone) - 4
    voice = tone(1.0, 0.3)
    heard = floor.removed(voice + alone)
    assert abs(level_at(heard) - level_at(voice)) < 1.0


def test_only_the_latest_second_is_the_noise() -> None:
    floor = learnt(np.concatenate([noise(2.0, 0.3, seed=1), noise(LEARNT / RATE, 0.01, seed=2)]))
    # Had the loud noise still been counted, this quiet voice would be taken out with it.
    voice = tone(1.0, 0.05)
    heard = floor.removed(voice + noise(1.0, 0.01, seed=3))
    assert abs(level_at(heard) - level_at(voice)) < 1.0


def test_the_gate_does_not_learn_the_start_of_a_word_as_noise() -> None:
    # Quiet noise, then a word whose first 0.2 s the voice-activity model calls non-speech
    # (a soft consonant), then the word, then silence that ends it.
    quiet, start, word = 1.0, BEFORE, 0.5
    sound = np.concatenate(
        [noise(quiet, 0.01, seed=1), tone(start + word, 0.2), noise(END_SILENCE + 0.2, 0.01)]
    )
    speech = np.zeros(len(sound) // WINDOW, np.float32)  # what the model says, window by window
    speech[
        round((quiet + start) * RATE) // WINDOW : round((quiet + start + word) * RATE) // WINDOW
    ] = 1
    given = 0

    def probabilities(audio: np.ndarray) -> np.ndarray:
        nonlocal given
        given += len(audio) // WINDOW
        return speech[given - len(audio) // WINDOW : given]

    gate = SpeechGate(probabilities)
    [utterance] = [
        u.audio
        for i in range(0, len(sound), 4 * WINDOW)
        for u in gate.feed(sound[i : i + 4 * WINDOW])
        if u.ended
    ]
    beginning = utterance[: round(start * RATE)]  # the soft start, kept before the speech
    assert abs(level_at(beginning) - level_at(tone(start, 0.2))) < 1.0
