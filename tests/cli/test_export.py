"""`voiceguide export`: options, messages and exit codes, with the real voice."""

from __future__ import annotations

import json
import os
from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile

from tests.support.cli import voiceguide
from tests.support.routines import sided_routine_file
from voiceguide.export import writer as export_module
from voiceguide.render.timeline import Timeline
from voiceguide.routine import library


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_export_prints_each_file_on_stdout(tmp_path: Path, out: Path) -> None:
    result = voiceguide(
        "export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out), "--format", "mp3"
    )
    assert result.exit_code == 0, result.output
    names = ["calm.mp3", "calm.cues.json", "calm.lrc", "calm.vtt", "calm.chapters.json"]
    assert result.stdout.splitlines() == [str(out / name) for name in [*names, "calm.m3u8"]]
    assert result.stderr == f"Exported 1 routine as MP3 to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "calm.m3u8"])


def test_one_routine_comes_with_its_playlist(tmp_path: Path, out: Path) -> None:
    result = voiceguide("export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out))
    assert result.exit_code == 0, result.output
    playlist = (out / "calm.m3u8").read_text(encoding="utf-8").splitlines()
    cue_list = json.loads((out / "calm.cues.json").read_text(encoding="utf-8"))
    assert playlist == [
        "#EXTM3U",
        f"#EXTINF:{round(cue_list['duration'])},{cue_list['title']}",
        "calm.wav",
    ]
    info = soundfile.info(out / playlist[2])  # the entry is the routine's audio, beside it
    assert abs(info.duration - cue_list["duration"]) < 0.05
    again = voiceguide("export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.stderr  # the playlist is refused like the other files


def test_several_routines_end_with_the_playlist(tmp_path: Path, out: Path) -> None:
    first, second = sided_routine_file(tmp_path, "first"), sided_routine_file(tmp_path, "second")
    result = voiceguide("export", str(second), str(first), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == str(out / "second.wav")
    assert lines[5] == str(out / "first.wav")
    assert lines[-1] == str(out / "voiceguide.m3u8")
    playlist = (out / "voiceguide.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[2::2] == ["second.wav", "first.wav"]


def test_all_exports_every_routine_of_the_library(
    tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routines = [library.find_routine(str(sided_routine_file(tmp_path, n))) for n in ("b", "a")]
    monkeypatch.setattr(library, "all_routines", lambda: routines)
    result = voiceguide("export", "--all", "-o", str(out), "--format", "ogg")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.ogg")) == ["a.ogg", "b.ogg"]
    playlist = (out / "voiceguide.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[2::2] == ["b.ogg", "a.ogg"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the routines to export"),
        (("calm", "--all"), "give routines to export or --all, not both"),
        (("calm", "--format", "aac"), "'aac' is not one of"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = voiceguide("export", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_output_folder_is_created_and_said(tmp_path: Path) -> None:
    missing = tmp_path / "phone" / "routines"
    result = voiceguide("export", str(sided_routine_file(tmp_path, "calm")), "-o", str(missing))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"Created the folder {missing}.\n")
    assert sorted(p.name for p in missing.iterdir()) == [
        "calm.chapters.json",
        "calm.cues.json",
        "calm.lrc",
        "calm.m3u8",
        "calm.vtt",
        "calm.wav",
    ]


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = voiceguide(
        "export", str(sided_routine_file(tmp_path, "calm")), "-o", str(tmp_path / "file" / "out")
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot create the folder {tmp_path / 'file' / 'out'}: Not a directory; "
        "pick another with -o\n"
    )


def test_a_dangling_link_at_an_output_name_needs_force(tmp_path: Path, out: Path) -> None:
    (out / "calm.wav").symlink_to(tmp_path / "gone.wav")
    result = voiceguide("export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {out / 'calm.wav'} already exists; add --force")
    assert not (tmp_path / "gone.wav").exists()
    forced = voiceguide(
        "export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out), "--force"
    )
    assert forced.exit_code == 0, forced.stderr
    assert not (out / "calm.wav").is_symlink() and (out / "calm.wav").is_file()
    assert not (tmp_path / "gone.wav").exists()
    assert result.stdout == ""


def test_output_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = voiceguide("export", str(sided_routine_file(tmp_path, "calm")), "-o", str(target))
    assert result.exit_code == 1
    assert "is not a folder" in result.stderr


@pytest.mark.parametrize("name", ["broken.ogg", "missing.flac", "wave"])
def test_a_bed_that_cannot_be_used_is_one_error_line_naming_it(
    tmp_path: Path, out: Path, name: str
) -> None:
    (tmp_path / "broken.ogg").write_bytes(b"OggS" + bytes(5000))
    bed = str(tmp_path / name) if "." in name else name
    calm = str(sided_routine_file(tmp_path, "calm"))
    result = voiceguide("export", calm, "-o", str(out), "--engine", "espeak-ng", "--bed", bed)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert bed in result.stderr and "Traceback" not in result.stderr
    assert list(out.iterdir()) == []


def test_export_with_a_bed_and_none_to_turn_the_configs_off(tmp_path: Path, out: Path) -> None:
    calm = str(sided_routine_file(tmp_path, "calm"))
    Path(os.environ["VOICEGUIDE_CONFIG"]).write_text("bed: drone\nbed_level: -40\n")
    plain = voiceguide("export", calm, "-o", str(out / "plain"), "--bed", "none")
    drone = voiceguide("export", calm, "-o", str(out / "drone"))
    assert plain.exit_code == 0 and drone.exit_code == 0, plain.stderr + drone.stderr
    without, _ = soundfile.read(out / "plain" / "calm.wav")
    under, _ = soundfile.read(out / "drone" / "calm.wav")
    assert len(under) > len(without)  # the bed fades out after the last word
    level = 20 * np.log10(np.sqrt(np.mean((under[: len(without)] - without) ** 2)))
    assert -48 < level < -38  # the drone at -40 between words, lower under them


def test_unknown_routine_is_a_clear_error(out: Path) -> None:
    result = voiceguide("export", "no-such-routine", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "no-such-routine" in result.stderr


def test_existing_file_needs_force(tmp_path: Path, out: Path) -> None:
    (out / "calm.lrc").write_text("keep me", encoding="utf-8")
    path = str(sided_routine_file(tmp_path, "calm"))
    refused = voiceguide("export", path, "-o", str(out))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {out / 'calm.lrc'} already exists; add --force to replace it, "
        "or choose another folder with -o\n"
    )
    assert [p.name for p in out.iterdir()] == ["calm.lrc"]
    forced = voiceguide("export", path, "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "calm.lrc").read_text(encoding="utf-8").startswith("[ti:Routine calm]")


def test_interrupted_export_says_what_was_finished(
    tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the second routine is being written."""
    first, second = sided_routine_file(tmp_path, "first"), sided_routine_file(tmp_path, "second")
    original = Timeline.blocks

    def blocks(self: Timeline, size: int = 4096, start: int = 0):  # type: ignore[no-untyped-def]
        for number, block in enumerate(original(self, size, start)):
            if self.script.routine_id == "second" and number == 1:
                raise KeyboardInterrupt
            yield block

    monkeypatch.setattr(Timeline, "blocks", blocks)
    monkeypatch.setattr(export_module, "BLOCK_FRAMES", 8192)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one routine after the other
    result = voiceguide("export", str(first), str(second), "-o", str(out))
    assert result.exit_code == 130
    names = ("first.wav", "first.cues.json", "first.lrc", "first.vtt", "first.chapters.json")
    assert result.stdout.splitlines() == [str(out / name) for name in names]
    assert result.stderr == "Exported 1 of 2 routines before the interruption: first.\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "first.chapters.json",
        "first.cues.json",
        "first.lrc",
        "first.vtt",
        "first.wav",
    ]


def test_pan_sides_makes_stereo_with_side_cues_in_that_ear(tmp_path: Path, out: Path) -> None:
    result = voiceguide(
        "export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out), "--pan-sides"
    )
    assert result.exit_code == 0, result.output
    data, rate = soundfile.read(out / "calm.wav", dtype="float32", always_2d=True)
    assert data.shape[1] == 2
    cues = export_cues(out / "calm.cues.json")
    right = next(c for c in cues if c["text"] == "Right side first.")
    left = next(c for c in cues if c["text"] == "Now the left side.")
    centre = next(c for c in cues if c["text"] == "Lie on your back.")
    r = window(data, rate, right)
    assert np.abs(r[:, 0]).max() < 1e-3 < np.abs(r[:, 1]).max()
    lw = window(data, rate, left)
    assert np.abs(lw[:, 1]).max() < 1e-3 < np.abs(lw[:, 0]).max()
    c = window(data, rate, centre)
    assert np.array_equal(c[:, 0], c[:, 1])


def test_config_turns_panning_on_and_the_flag_off(tmp_path: Path, out: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("pan_sides: true\nbreath_tones: true\n", encoding="utf-8")
    path = str(sided_routine_file(tmp_path, "calm"))
    result = voiceguide("--config", str(config), "export", path, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert soundfile.info(out / "calm.wav").channels == 2
    flagged = voiceguide(
        "--config",
        str(config),
        "export",
        path,
        "-o",
        str(out),
        "--force",
        "--no-pan-sides",
    )
    assert flagged.exit_code == 0, flagged.output
    assert soundfile.info(out / "calm.wav").channels == 1


def test_breath_tones_sound_under_the_breath(tmp_path: Path, out: Path) -> None:
    path = str(sided_routine_file(tmp_path, "calm"))
    plain_dir, toned_dir = out / "plain", out / "toned"
    plain_dir.mkdir()
    toned_dir.mkdir()
    assert voiceguide("export", path, "-o", str(plain_dir)).exit_code == 0
    assert voiceguide("export", path, "-o", str(toned_dir), "--breath-tones").exit_code == 0
    plain, rate = soundfile.read(plain_dir / "calm.wav", dtype="float32")
    toned, _ = soundfile.read(toned_dir / "calm.wav", dtype="float32")
    phases = [p for p in export_phases(toned_dir / "calm.cues.json") if p["kind"] == "exhale"]
    assert phases
    for phase in phases:
        # The last second of the exhale: the prompt is over, only the tone is left.
        end = round(phase["end"] * rate)
        quiet_part = slice(end - rate, end - rate // 4)
        assert np.abs(plain[quiet_part]).max() == 0.0
        assert np.abs(toned[quiet_part]).max() > 0.01


def export_cues(path: Path) -> list[dict[str, object]]:
    cues: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["cues"]
    return cues


def export_phases(path: Path) -> list[dict[str, float | str]]:
    phases: list[dict[str, float | str]] = json.loads(path.read_text(encoding="utf-8"))["phases"]
    return phases


def window(data: np.ndarray, rate: int, cue: dict[str, object]) -> np.ndarray:
    start = round(float(cue["start"]) * rate)  # type: ignore[arg-type]
    end = round(float(cue["end"]) * rate)  # type: ignore[arg-type]
    return data[start:end]


def test_cues_json_is_what_show_exact_prints(tmp_path: Path, out: Path) -> None:
    """The export's cue list is `show --json --exact` (same voice, same clips) plus the
    sample rate."""
    path = str(sided_routine_file(tmp_path, "calm"))
    assert voiceguide("export", path, "-o", str(out), "--rate", "140").exit_code == 0
    shown = voiceguide("show", path, "--json", "--exact", "--rate", "140")
    assert shown.exit_code == 0, shown.output
    exported = json.loads((out / "calm.cues.json").read_text(encoding="utf-8"))
    assert exported.pop("sample_rate") == 22050
    assert exported == json.loads(shown.stdout)


def test_mp3_chapters_follow_the_steps(tmp_path: Path, out: Path) -> None:
    assert (
        voiceguide(
            "export", str(sided_routine_file(tmp_path, "calm")), "-o", str(out), "--format", "mp3"
        ).exit_code
        == 0
    )
    steps = json.loads((out / "calm.cues.json").read_text(encoding="utf-8"))["steps"]
    chapters = sorted(
        mutagen.File(out / "calm.mp3").tags.getall("CHAP"), key=lambda c: c.start_time
    )
    assert [(c.start_time, c.end_time) for c in chapters] == [
        (round(s["start"] * 1000), round(s["end"] * 1000)) for s in steps
    ]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [s["title"] for s in steps]
