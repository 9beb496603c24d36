"""The soundscapes: the same samples however they are read, no click anywhere in ten
minutes (nor at a user's file's loop point), and every file that cannot be used refused
with a message naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from tests.support.clicks import clicks
from voiceguide.audio import beds
from voiceguide.audio.beds import BLOCK, BUILT_IN, OTHER_TABLE, TABLE, open_bed
from voiceguide.errors import BedError

RATE = 22050
READ = 66150  # what export reads at a time


def ten_minutes(name: str) -> npt.NDArray[np.float32]:
    bed = open_bed(name, RATE)
    return np.concatenate([bed.read(start, READ) for start in range(0, 600 * RATE, READ)])


def test_the_click_detector_hears_a_loop_that_does_not_meet_its_start() -> None:
    seconds = np.arange(round(1.23 * RATE)) / RATE  # ends part way through a cycle
    once = np.sin(2 * np.pi * 220.5 * seconds).astype(np.float32)
    assert clicks(np.tile(once, 4))
    assert not clicks(once)


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_built_in_bed_is_seamless_and_at_unit_level_for_ten_minutes(name: str) -> None:
    samples = ten_minutes(name)
    assert clicks(samples) == []
    assert 0.9 < np.sqrt(np.mean(samples.astype(np.float64) ** 2)) < 1.1
    # Not a loop of a few seconds: the second half is not the first again.
    half = len(samples) // 2
    assert not np.allclose(samples[:half], samples[half : 2 * half], atol=1e-3)


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_built_in_bed_gives_the_same_samples_however_it_is_read(name: str) -> None:
    whole = np.concatenate([open_bed(name, RATE).read(s, READ) for s in range(0, 9 * READ, READ)])
    again = open_bed(name, RATE)  # a new one: nothing is remembered between runs
    # Reads that start and end inside blocks and across the tables' ends, out of order.
    for start in (TABLE - 3, 12_345, BLOCK * 3 - 7, 0, OTHER_TABLE - 5, BLOCK - 1):
        assert np.array_equal(again.read(start, 1000), whole[start : start + 1000]), start
    assert np.array_equal(open_bed(name, RATE).read(0, len(whole)), whole)


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_built_in_beds_samples_do_not_depend_on_the_size_of_its_blocks(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks are how a bed is made, not what it sounds like: files kept under its name and
    # level (the server's) stay right whatever size the blocks are made in.
    start, count = 3 * BLOCK - 12_345, 2 * BLOCK + 777
    made = open_bed(name, RATE).read(start, count)
    monkeypatch.setattr(beds, "BLOCK", BLOCK // 4)
    assert np.array_equal(open_bed(name, RATE).read(start, count), made)


def write_tone(path: Path, seconds: float, rate: int = 44100) -> None:
    """A stereo chord that ends part way through its cycles, as a song's end does not
    meet its start (give ``seconds`` a quarter of a 220 Hz cycle past a whole number of
    them, and it ends near its peak)."""
    t = np.arange(round(seconds * rate)) / rate
    left = 0.3 * np.sin(2 * np.pi * 220.0 * t) + 0.1 * np.sin(2 * np.pi * 331.0 * t)
    right = 0.3 * np.sin(2 * np.pi * 220.0 * t) + 0.1 * np.sin(2 * np.pi * 277.0 * t)
    soundfile.write(path, np.stack([left, right], axis=1), rate)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
def test_a_users_file_in_each_format_loops_without_a_click(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"song.{fmt}"
    write_tone(path, 3.3 + 0.25 / 220)
    assert soundfile.info(path).format == {"ogg": "OGG", "mp3": "MP3"}.get(fmt, fmt.upper())
    bed = open_bed(str(path), RATE)
    samples = bed.read(0, 12 * RATE)  # the file is heard about four times
    assert clicks(samples) == []
    level = np.sqrt(np.mean(samples.astype(np.float64) ** 2))
    assert 0.8 < level < 1.25  # at the bed's unit level whatever the file's own
    # Resampled, not played at the wrong speed: the 220 Hz partial is still at 220 Hz.
    spectrum = np.abs(np.fft.rfft(samples[: 4 * RATE]))
    assert abs(np.fft.rfftfreq(4 * RATE, 1 / RATE)[spectrum.argmax()] - 220.0) < 1.0
    # The file itself, simply repeated, would click where its end meets its start.
    data, _ = soundfile.read(path, dtype="float32", always_2d=True)
    assert clicks(np.tile(data.mean(axis=1), 3))


def test_a_users_file_is_read_the_same_however_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "song.flac"
    write_tone(path, 2.5)
    whole = open_bed(str(path), RATE).read(0, 10 * RATE)
    again = open_bed(str(path), RATE)
    for start in (RATE * 7 + 11, 5, RATE * 2 + 999):
        assert np.array_equal(again.read(start, 4000), whole[start : start + 4000])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"ID3\x03\x00\x00\x00" + bytes(range(256)) * 40, "not an audio file soundfile can read"),
        (b"", "not an audio file soundfile can read"),
    ],
)
def test_a_broken_file_is_refused_naming_it(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(content)
    with pytest.raises(BedError) as raised:
        open_bed(str(path), RATE)
    message = str(raised.value)
    assert message.startswith(f"cannot use {path} as a soundscape: ")
    assert reason in message and "\n" not in message


def test_a_file_too_short_silent_or_missing_is_refused(tmp_path: Path) -> None:
    short, silent = tmp_path / "short.wav", tmp_path / "silent.wav"
    soundfile.write(short, np.zeros(100, dtype=np.float32) + 0.1, 44100)
    soundfile.write(silent, np.zeros(44100 * 2, dtype=np.float32), 44100)
    expected = {
        short: "shorter than 1 s",
        silent: "it is silent",
        tmp_path / "gone.ogg": "no such file",
        tmp_path: "is a folder",
    }
    for path, reason in expected.items():
        with pytest.raises(BedError, match=reason):
            open_bed(str(path), RATE)


def test_an_unknown_name_suggests_a_built_in_one() -> None:
    with pytest.raises(
        BedError, match="no soundscape named 'wave' and no such file; did you mean 'waves'"
    ):
        open_bed("wave", RATE)
    with pytest.raises(BedError, match="give one of brown, waves, drone"):
        open_bed("rain", RATE)
