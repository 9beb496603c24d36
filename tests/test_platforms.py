"""voiceguide on Windows and macOS, proved here: no module loads a platform's own modules
at import outside that platform's implementation, and the commands start, take keys and
end cleanly in a process that sees Windows or macOS (``tests/support/platforms.py`` says
exactly what that simulation covers and what it cannot)."""

from __future__ import annotations

import ast
import io
import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest
import soundfile

from tests.support.routines import SHORT_ROUTINE, write_file
from tests.test_imports import MODULES, imported
from voiceguide.practice.journal import Journal, SessionRecord

# Modules that exist on some platforms only (jeepney: installed on Linux alone).
PLATFORM_ONLY = {
    "posix": {"termios", "tty", "pty", "fcntl", "pwd", "grp", "resource", "posix", "syslog"},
    "windows": {"msvcrt", "winreg", "winsound", "_winapi", "nt"},
    "linux": {"jeepney"},
}
# Each platform's implementation: the only modules that may load its modules at import.
IMPLEMENTATIONS = {
    "voiceguide.player.keys_posix": "posix",
    "voiceguide.player.keys_windows": "windows",
    "voiceguide.player.mpris": "linux",
}


def import_time(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported: at module level, in any ``if`` or
    ``try`` there, but not under ``if TYPE_CHECKING`` and not in a function or class."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                pending.extend(node.body)
            pending.extend(node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend([*node.body, *node.orelse, *node.finalbody])
            for handler in node.handlers:
                pending.extend(handler.body)
    return found


def loads_at_import(module: str) -> tuple[set[str], set[str]]:
    """The outside top-level modules and the voiceguide modules ``module`` imports when
    it is imported."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    statements = import_time(tree)
    outside = {
        alias.name.split(".")[0]
        for node in statements
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    outside |= {
        node.module.split(".")[0]
        for node in statements
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    own = imported(module, ast.Module(body=list(statements), type_ignores=[]))
    return outside - {"voiceguide"}, own


def platform_modules_at_import(module: str, allowed: str | None) -> dict[str, str]:
    """Each platform-only module loaded by importing ``module`` (itself or through the
    voiceguide modules it imports at import time), with the voiceguide module that loads
    it; the modules of the platform ``allowed`` do not count."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    pending = [module]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        outside, own = loads_at_import(current)
        for name in outside:
            for platform, names in PLATFORM_ONLY.items():
                if name in names and platform != allowed:
                    found[name] = current
        pending.extend(own)
    return found


def test_the_walk_sees_what_runs_at_import() -> None:
    guarded = ast.parse("import sys\nif sys.platform != 'win32':\n    import termios\n")
    assert len(import_time(guarded)) == 2
    hidden = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import msvcrt\n")
    assert len(import_time(hidden)) == 1
    inside = ast.parse("def f():\n    import fcntl\n")
    assert import_time(inside) == []


def test_the_walk_finds_the_platform_modules_of_the_implementations() -> None:
    posix = platform_modules_at_import("voiceguide.player.keys_posix", None)
    assert set(posix) == {"termios", "tty"}
    assert platform_modules_at_import("voiceguide.player.keys_windows", None) == {
        "msvcrt": "voiceguide.player.keys_windows"
    }
    assert set(platform_modules_at_import("voiceguide.player.mpris", None)) == {"jeepney"}


def test_no_module_loads_another_platform_s_modules_at_import() -> None:
    offending = {
        module: found
        for module in MODULES
        if (found := platform_modules_at_import(module, IMPLEMENTATIONS.get(module)))
    }
    assert offending == {}


def test_each_implementation_is_loaded_only_inside_a_function() -> None:
    loaders = sorted(
        f"{module} -> {dependency}"
        for module in MODULES
        for dependency in loads_at_import(module)[1]
        if dependency in IMPLEMENTATIONS
    )
    assert loaders == []


# --- the commands in a process that sees Windows or macOS ---------------------------------

PLATFORMS = ["win32", "darwin"]
SIMULATED = [sys.executable, "-m", "tests.support.platforms"]
DEADLINE = 120  # seconds; far beyond any honest run


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    """The cache, config and data folders of the simulated run (the platform's own folders
    would be looked up through its system calls, which cannot run here)."""
    return {
        "VOICEGUIDE_CACHE_DIR": str(tmp_path / "cache"),
        "VOICEGUIDE_CONFIG": str(tmp_path / "config.yaml"),
        "VOICEGUIDE_DATA_DIR": str(tmp_path / "data"),
    }


def run(
    platform: str, places: dict[str, str], *args: str, keys: str = ""
) -> tuple[int, str, pexpect.spawn]:
    """``voiceguide ARGS`` in a terminal, in a process that sees ``platform``; its exit
    status and everything it wrote."""
    child = start(platform, places, *args, keys=keys)
    return (*finish(child), child)


def start(platform: str, places: dict[str, str], *args: str, keys: str = "") -> pexpect.spawn:
    env = {**os.environ, **places, "VOICEGUIDE_TEST_KEYS": keys}
    child = pexpect.spawn(
        SIMULATED[0],
        [*SIMULATED[1:], platform, *args],
        env=env,
        encoding="utf-8",
        timeout=DEADLINE,
        dimensions=(40, 120),
    )
    child.logfile_read = io.StringIO()
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    status = child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus
    return status, log.getvalue()


def sessions(places: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[SessionRecord]:
    """The sessions the simulated runs kept in their journal."""
    monkeypatch.setenv("VOICEGUIDE_DATA_DIR", places["VOICEGUIDE_DATA_DIR"])
    return Journal().sessions()


def clean(status: int, text: str) -> None:
    assert status == 0, text
    assert "Traceback" not in text and "Error" not in text, text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_list_show_and_validate_start_and_end_cleanly(
    platform: str, places: dict[str, str], tmp_path: Path
) -> None:
    routine = write_file(tmp_path, "short.yaml", SHORT_ROUTINE)
    status, text, _ = run(platform, places, "list")
    clean(status, text)
    assert "floor-option1" in text
    status, text, _ = run(platform, places, "show", "floor-option1")
    clean(status, text)
    assert "Total" in text
    status, text, _ = run(platform, places, "validate", str(routine))
    clean(status, text)
    assert f"{routine}: OK" in text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_export_writes_whole_files(platform: str, places: dict[str, str], tmp_path: Path) -> None:
    routine = write_file(tmp_path, "short.yaml", SHORT_ROUTINE)
    out = tmp_path / "out"
    status, text, _ = run(
        platform, places, "export", str(routine), "--engine", "pyttsx3", "-o", str(out)
    )
    clean(status, text)
    assert sorted(p.name for p in out.iterdir()) == [
        "short-check.chapters.json",
        "short-check.cues.json",
        "short-check.lrc",
        "short-check.m3u8",
        "short-check.vtt",
        "short-check.wav",
    ]
    assert soundfile.info(str(out / "short-check.wav")).duration > 40


@pytest.mark.parametrize("platform", PLATFORMS)
def test_doctor_says_what_is_linux_only(platform: str, places: dict[str, str]) -> None:
    status, text, _ = run(platform, places, "doctor")
    name = {"win32": "Windows", "darwin": "macOS"}[platform]
    assert f"{name}; not available here: media keys" in " ".join(text.split())
    assert "Traceback" not in text
    assert status in (0, 1)  # 1 when something blocks play: no device, no engine here


def test_play_on_windows_takes_the_console_s_keys_and_quits(
    places: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The right arrow (as the console gives it: a prefix, then a code), pause, resume, quit.
    routine = write_file(tmp_path, "short.yaml", SHORT_ROUTINE)
    # The keys are waiting before playing starts: with every clip made ahead, the step the
    # arrow goes to is known at once (otherwise the skip waits for the voice, and the
    # space that follows cancels it).
    warmed, text, _ = run("win32", places, "cache", "warm", str(routine), "--engine", "pyttsx3")
    assert warmed == 0, text
    status, text, _ = run(
        "win32", places, "play", str(routine), "--engine", "pyttsx3", keys="\xe0M  q"
    )
    clean(status, text)
    assert "Quit Short check at" in text
    assert "in step 1 (Short check (right))" in text  # the arrow moved on a step
    [session] = sessions(places, monkeypatch)
    assert (session.outcome, session.reason) == ("quit", "user quit")


def test_play_on_macos_takes_the_terminal_s_keys_and_quits(
    places: dict[str, str], tmp_path: Path
) -> None:
    routine = write_file(tmp_path, "short.yaml", SHORT_ROUTINE)
    child = start("darwin", places, "play", str(routine), "--engine", "pyttsx3")
    child.expect(r"0/4\s+Before you start")  # keys and display are on
    child.send("n")
    child.expect(r"1/4\s+Short check \(right\)")
    child.send("q")
    status, text = finish(child)
    clean(status, text)
    assert "Quit Short check at" in text


@pytest.mark.parametrize(
    ("platform", "signum", "status"),
    [
        # Windows' Ctrl-Break is SIGBREAK, 21; on this Linux 21 is SIGTTIN, unused here.
        ("win32", 21, 130),
        ("darwin", signal.SIGHUP, 129),
    ],
    ids=["win32-ctrl-break", "darwin-sighup"],
)
def test_a_signal_ends_a_simulated_session_the_normal_way(
    platform: str,
    signum: int,
    status: int,
    places: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routine = write_file(tmp_path, "short.yaml", SHORT_ROUTINE)
    child = start(platform, places, "play", str(routine), "--engine", "pyttsx3")
    child.expect(r"0:0\d / 0:5\d")  # playing, with the display
    time.sleep(0.2)
    os.kill(child.pid, signum)
    ended, text = finish(child)
    assert ended == status, text
    assert "Traceback" not in text
    [session] = sessions(places, monkeypatch)
    assert (session.outcome, session.reason) == ("quit", "interrupted")
