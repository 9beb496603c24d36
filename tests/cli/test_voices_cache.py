"""`voiceguide voices` and `voiceguide cache`: what the user sees, exactly."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.cli import PROGRAM, voiceguide
from voiceguide.audio.samples import Samples
from voiceguide.cli.cache import human_size
from voiceguide.render.clips import ClipStore, cache_info
from voiceguide.render.options import RenderOptions
from voiceguide.routine.records import Routine
from voiceguide.speech import list_engines, open_voice


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(path))
    return path


class Beep:
    engine = "beep"
    name = "beep"
    identity = "beep|1"

    def synthesize(self, text: str) -> tuple[Samples, int]:
        return np.full(1000 * len(text), 0.25, np.float32), 8000


def fill(cache_dir: Path, *texts: str) -> int:
    ClipStore(cache_dir, Beep(), 8000).get_many(texts)
    return cache_info(cache_dir).size


# voices


def test_voices_shows_what_will_speak_first_and_the_other_engines_in_a_line_each() -> None:
    result = voiceguide("voices")
    assert result.exit_code == 0, result.output
    engines = {info.name: info for info in list_engines()}
    piper, pyttsx3 = engines["piper"], engines["pyttsx3"]
    # The dev setup installs the Piper extra, so the default engine is Piper.
    assert result.output == (
        f"Speaking: en_US-joe-medium, joe (medium), with piper {piper.version}\n"
        "  engine: auto chose piper: the Piper voice is installed\n"
        "  voice: the engine's default\n"
        f"  piper {piper.version}: available, 1 voice, default en_US-joe-medium\n"
        "\n"
        "Other engines (`--engine E` lists one engine's voices, `--all` every engine's):\n"
        f"  pyttsx3 {pyttsx3.version}: available, {len(pyttsx3.voices)} voices, default gmw/en\n"
        f"  espeak-ng {engines['espeak-ng'].version}: available,"
        f" {len(engines['espeak-ng'].voices)} voices, default gmw/en\n"
    )


def test_voices_shows_the_configs_engine_and_voice_first() -> None:
    config = Path(os.environ["VOICEGUIDE_CONFIG"])
    config.write_text("engine: pyttsx3\nvoices:\n  pyttsx3: gmw/en-us\n", encoding="utf-8")
    lines = voiceguide("voices").output.splitlines()
    assert lines[:3] == [
        f"Speaking: gmw/en-us, English (America), with {_title('pyttsx3')}",
        f"  engine: pyttsx3: from {config}, line 1",
        f"  voice: from {config}, line 3",
    ]
    assert len(lines) < 12


def test_voices_all_lists_every_voice_the_speaking_engine_first() -> None:
    result = voiceguide("voices", "--all")
    assert result.exit_code == 0, result.output
    titles = [line for line in result.output.splitlines() if ": available" in line]
    assert [title.split()[0] for title in titles] == ["piper", "pyttsx3", "espeak-ng"]
    assert "English (America)" in result.output
    assert len(result.output.splitlines()) > 200


def _title(engine: str) -> str:
    info = next(info for info in list_engines() if info.name == engine)
    return f"{info.name} {info.version}"


def test_voices_for_one_engine() -> None:
    result = voiceguide("voices", "--engine", "espeak-ng")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"Speaking: gmw/en, English (Great Britain), with {_title('espeak-ng')}",
        "  engine: espeak-ng: from --engine",
        "  voice: the engine's default",
    ]
    assert lines[4] == f"{_title('espeak-ng')}: available, default voice gmw/en"
    us = next(line for line in lines if "gmw/en-US " in line)
    assert us.split() == ["gmw/en-US", "English", "(America)", "en-us,", "en"]
    assert not any(line.startswith("pyttsx3") for line in lines)


def test_voices_json_is_the_engine_list() -> None:
    result = voiceguide("voices", "--json", "--engine", "pyttsx3")
    assert result.exit_code == 0
    data = json.loads(result.output)  # nothing but JSON on stdout
    (engine,) = data["engines"]
    assert engine["name"] == "pyttsx3" and engine["available"] is True
    assert set(engine) == {
        "name",
        "available",
        "version",
        "default_voice",
        "voices",
        "problem",
        "note",
    }
    assert {"id", "name", "languages", "gender"} == set(engine["voices"][0])
    assert any(voice["id"] == "gmw/en-us" for voice in engine["voices"])


def test_voices_says_why_an_engine_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    result = voiceguide("voices", "--engine", "piper")
    assert result.exit_code == 0
    missing = "the Piper voice needs the extra: pip install 'voiceguide[piper]'"
    assert result.output == (
        f"Speaking: no voice: {missing} (engine 'piper' from --engine)\n"
        "  engine: piper: from --engine\n"
        "\n"
        f"piper: not available: {missing}\n"
    )


def test_voices_with_an_unknown_engine() -> None:
    result = voiceguide("voices", "--engine", "festival")
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown speech engine 'festival'; choose auto, pyttsx3, espeak-ng or piper "
        "(`voiceguide voices` shows which are available) (engine 'festival' from --engine)\n"
    )


def test_voices_after_speaking_keeps_stdout_clean() -> None:
    # pyttsx3 prints "Audio saved to ..." itself; none of it may reach --json output.
    open_voice("pyttsx3", None, 160).synthesize("Hello.")
    result = voiceguide("voices", "--json", "--engine", "pyttsx3")
    json.loads(result.output)


# cache info


def test_cache_info_of_an_empty_cache(cache_dir: Path) -> None:
    result = voiceguide("cache", "info")
    assert result.exit_code == 0
    assert result.output == f"Path:    {cache_dir}\nEntries: 0 clips\nSize:    0 bytes\n"


def test_cache_info_counts_clips_and_bytes(cache_dir: Path) -> None:
    size = fill(cache_dir, "One.", "Two.")
    result = voiceguide("cache", "info")
    assert result.output == (
        f"Path:    {cache_dir}\nEntries: 2 clips\nSize:    {human_size(size)}\n"
    )
    data = json.loads(voiceguide("cache", "info", "--json").output)
    assert data == {"path": str(cache_dir), "entries": 2, "served_routines": 0, "size": size}


def test_cache_dir_option_wins(tmp_path: Path, cache_dir: Path) -> None:
    other = tmp_path / "other"
    fill(other, "One.")
    result = voiceguide("--cache-dir", str(other), "cache", "info", "--json")
    assert json.loads(result.output)["entries"] == 1


# cache clear


def test_cache_clear_asks_first(cache_dir: Path) -> None:
    size = fill(cache_dir, "One.", "Two.", "Three.")
    result = voiceguide("cache", "clear", input="y\n")
    assert result.exit_code == 0
    # A terminal echoes the answer itself; the question is the whole of stderr here.
    assert result.stderr == f"Delete 3 clips ({human_size(size)}) from {cache_dir}? [y/N]: "
    assert result.stdout == f"Freed {human_size(size)} (3 clips) from {cache_dir}.\n"
    assert cache_info(cache_dir).entries == 0


def test_cache_clear_keeps_everything_when_told_no(cache_dir: Path) -> None:
    fill(cache_dir, "One.")
    result = voiceguide("cache", "clear", input="n\n")
    assert result.exit_code == 0
    assert result.stderr.endswith("? [y/N]: Nothing was deleted.\n")
    assert result.stdout == ""
    assert cache_info(cache_dir).entries == 1


def test_cache_clear_yes_does_not_ask(cache_dir: Path) -> None:
    size = fill(cache_dir, "One.")
    result = voiceguide("cache", "clear", "--yes")
    assert result.exit_code == 0
    assert result.output == f"Freed {human_size(size)} (1 clip) from {cache_dir}.\n"
    assert cache_info(cache_dir).size == 0


def test_cache_clear_of_an_empty_cache(cache_dir: Path) -> None:
    result = voiceguide("cache", "clear")
    assert result.exit_code == 0
    assert result.output == f"The clip cache is already empty ({cache_dir}).\n"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 kB"),
        (45_600_000, "45.6 MB"),
        (999_960, "1.0 MB"),
        (3 * 10**12, "3.0 TB"),
        (5 * 10**15, "5000.0 TB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


# cache warm


def _every_clip(routine: Routine, options: RenderOptions, store: ClipStore) -> list[str]:
    """The cues of ``routine``, every answer the player may give while it plays (those
    depend on the cues' clips, read from ``store``), and the safety gate's words and the
    way out after a stop for pain, which must never wait for the voice."""
    from voiceguide.player.whereami import every_answer
    from voiceguide.practice.safety import contraindications_text
    from voiceguide.script.compiler import compile_script, spoken_texts
    from voiceguide.script.phrasing import PAIN_EXIT

    compiling = options.compile_options()
    cues = sorted(spoken_texts(routine, compiling))
    clips = store.get_many(cues)
    script = compile_script(routine, compiling, lambda text: len(clips[text]) / store.sample_rate)
    safety = [contraindications_text(routine)] if routine.contraindications else []
    return list(dict.fromkeys(cues + every_answer(script) + safety + [PAIN_EXIT]))


def test_cache_warm_makes_every_clip_a_routine_needs_with_the_natural_voice(
    cache_dir: Path,
) -> None:
    from voiceguide.config import Settings
    from voiceguide.render.assembly import SAMPLE_RATE
    from voiceguide.routine.library import find_routine

    result = voiceguide("cache", "warm", "floor-option3")
    assert result.exit_code == 0, result.output
    voice = open_voice("piper", None, 160)
    texts = _every_clip(
        find_routine("floor-option3"),
        Settings().render_options(),
        ClipStore(cache_dir, voice, SAMPLE_RATE),
    )
    assert result.output == (
        f"The cache holds every clip for 1 routine (piper): {len(texts)} clips,"
        f" {len(texts)} made now, 0 already there.\n"
    )
    store = ClipStore(cache_dir, voice, SAMPLE_RATE)
    store.get_many(texts)
    assert (store.rendered, store.hits) == (0, len(texts))
    again = voiceguide("cache", "warm", "floor-option3")
    assert again.output.endswith(f" 0 made now, {len(texts)} already there.\n")


def test_cache_warm_all_routines_leaves_nothing_to_synthesize(cache_dir: Path) -> None:
    from voiceguide.config import Settings
    from voiceguide.render import assembly
    from voiceguide.routine.library import all_routines

    result = voiceguide("cache", "warm", "--engine", "pyttsx3", "--pace", "1.5")
    assert result.exit_code == 0, result.output
    assert f"for {len(all_routines())} routines (pyttsx3)" in result.output

    class Refuses:
        """pyttsx3's identity, but a voice that must never be asked to speak."""

        def __init__(self) -> None:
            real = open_voice("pyttsx3", None, 160)
            self.engine, self.name, self.identity = real.engine, real.name, real.identity

        def synthesize(self, text: str) -> tuple[Samples, int]:
            raise AssertionError(f"{text!r} was not in the warmed cache")

    store = ClipStore(cache_dir, Refuses(), assembly.SAMPLE_RATE)
    options = Settings(pace=1.5).render_options()
    for routine in all_routines():
        store.get_many(_every_clip(routine, options, store))
    assert store.rendered == 0


def test_cache_warm_with_routines_and_all_is_a_usage_error() -> None:
    result = voiceguide("cache", "warm", "floor-option3", "--all")
    assert result.exit_code == 2
    assert "give routines to warm the cache for or --all, not both" in result.output


def _stderr_of(args: list[str], *, terminal: bool, env: dict[str, str]) -> str:
    """What the program writes to stderr, given a terminal there or a pipe."""
    import os
    import subprocess

    from tests.support.cli import PROGRAM

    if not terminal:
        done = subprocess.run([*PROGRAM, *args], capture_output=True, env=env, timeout=120)
        return done.stderr.decode()
    leader, follower = os.openpty()
    with subprocess.Popen(
        [*PROGRAM, *args], stdout=subprocess.DEVNULL, stderr=follower, env=env
    ) as process:
        os.close(follower)
        said = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the program closed its end
                break
            if not chunk:
                break
            said += chunk
    os.close(leader)
    assert process.returncode == 0
    return said.decode(errors="replace")


def test_cache_warm_shows_its_progress_bar_only_on_a_terminal(cache_dir: Path) -> None:
    import os

    env = dict(os.environ, VOICEGUIDE_CACHE_DIR=str(cache_dir), COLUMNS="100")
    args = ["cache", "warm", "floor-option3", "--engine", "pyttsx3"]
    on_terminal = _stderr_of(args, terminal=True, env=env)
    assert "━" in on_terminal and "%" in on_terminal  # the bar and its percentage
    _stderr_of(["cache", "clear", "--yes"], terminal=False, env=env)  # so there is work again
    piped = _stderr_of(args, terminal=False, env=env)
    assert "━" not in piped and "%" not in piped


def test_cache_warm_into_a_cache_that_cannot_keep_clips_does_not_claim_it_does(
    cache_dir: Path, tmp_path: Path
) -> None:
    cache_dir.write_text("a file where the cache folder should be")
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("title: Tiny\nkind: stretch\nsteps:\n  - say: Hello.\n", encoding="utf-8")
    result = voiceguide("cache", "warm", str(tiny), "--engine", "espeak-ng")
    assert result.exit_code == 1
    assert "holds every clip" not in result.output
    assert "Warning: cannot write to the clip cache" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: the cache could not keep ")
    assert result.stderr.rstrip().endswith("play and export will make them again")


def test_cache_warm_into_a_full_cache_does_not_claim_it_holds_the_clips(
    cache_dir: Path, tmp_path: Path
) -> None:
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("title: Tiny\nkind: stretch\nsteps:\n  - say: Hello.\n", encoding="utf-8")

    def full_disk() -> None:  # in the child: every file write past 300 bytes fails (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, resource.RLIM_INFINITY))

    result = subprocess.run(
        [*PROGRAM, "cache", "warm", str(tiny), "--engine", "pyttsx3"],
        capture_output=True, text=True, timeout=300, preexec_fn=full_disk,
        env={**os.environ, "VOICEGUIDE_CACHE_DIR": str(cache_dir)},
    )  # fmt: skip
    assert result.returncode == 1
    assert "holds every clip" not in result.stdout
    assert "Warning: cannot write to the clip cache" in result.stderr
    assert "free some space" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: the cache could not keep ")


def test_cache_info_and_clear_include_the_files_serve_kept(cache_dir: Path) -> None:
    size = fill(cache_dir, "One.")
    kept = cache_dir / "served" / ("ab" * 16)
    kept.mkdir(parents=True)
    (kept / "r.mp3").write_bytes(b"x" * 5000)
    (kept / "r.vtt").write_bytes(b"y" * 100)
    result = voiceguide("cache", "info")
    assert result.output == (
        f"Path:    {cache_dir}\nEntries: 1 clip\n"
        f"Served:  the served files of 1 routine (5.1 kB)\n"
        f"Size:    {human_size(size + 5100)}\n"
    )
    data = json.loads(voiceguide("cache", "info", "--json").output)
    assert data["served_routines"] == 1 and data["size"] == size + 5100
    cleared = voiceguide("cache", "clear", "--yes")
    assert cleared.output == (
        f"Freed {human_size(size + 5100)} (1 clip and the served files of 1 routine)"
        f" from {cache_dir}.\n"
    )
    assert not (cache_dir / "served").exists()
    assert cache_info(cache_dir).entries == 0
