"""Windows or macOS, as voiceguide's own code sees them, simulated in a process on Linux:
``python -m tests.support.platforms PLATFORM VOICEGUIDE-ARGS...``.

What is simulated, and what is not:

- ``sys.platform`` is ``win32`` or ``darwin`` before any voiceguide module is imported, so
  every platform choice voiceguide makes (at import or later) takes that platform's branch.
- The modules Windows does not have are refused by an import hook (``termios``, ``tty``,
  ``pty``, ``fcntl``, ``pwd``, ``grp``, ``resource``), and ``signal`` keeps only the names
  it has there (no SIGHUP, no signal masks; SIGBREAK added). On both, there is no D-Bus
  library or session bus and no PulseAudio server.
- ``msvcrt`` is a stand-in that hands out the keys in ``VOICEGUIDE_TEST_KEYS`` (what
  ``msvcrt.getwch`` gives on Windows: ``\\xe0M`` is the right arrow), so the Windows key
  reader runs through its own interface.
- The standard library and the third-party libraries are imported first, on the real
  platform: they are not voiceguide's to guard (click, rich, soundfile... choose their
  Windows code by ``sys.platform`` too, and that code cannot run here).
- Speech is the tests' fake voice and playback the fake output (``FakeOutput``, playing
  as fast as it is asked), named by ``--engine pyttsx3`` so that no engine is loaded.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import signal
import sys
import types
from collections.abc import Sequence

# Imported on the real platform before the switch (see above).
LIBRARIES = (
    "asyncio",
    "concurrent.futures",
    "concurrent.futures.process",
    "ctypes",
    "getpass",
    "locale",
    "mimetypes",
    "multiprocessing",
    "multiprocessing.connection",
    "multiprocessing.pool",
    "multiprocessing.synchronize",
    "platform",
    "selectors",
    "shutil",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "uuid",
    "click",
    "numpy",
    "platformdirs",
    "rich.console",
    "rich.live",
    "rich.progress",
    "segno",
    "soundfile",
    "mutagen",
    "mutagen.id3",
    "yaml",
    # SciPy reads the interpreter's build settings by sys.platform when first imported;
    # CTranslate2 loads its DLLs the Windows way.
    "pyloudnorm",
    "faster_whisper",
)
REFUSED = {
    "win32": {"termios", "tty", "pty", "fcntl", "pwd", "grp", "resource", "jeepney"},
    "darwin": {"jeepney"},
}
# The names Windows' signal module has (besides the functions every platform has).
WINDOWS_SIGNALS = {"SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM", "SIGBREAK"}
POSIX_ONLY_SIGNAL_FUNCTIONS = (
    "alarm",
    "getitimer",
    "pause",
    "pidfd_send_signal",
    "pthread_kill",
    "pthread_sigmask",
    "setitimer",
    "siginterrupt",
    "sigpending",
    "sigtimedwait",
    "sigwait",
    "sigwaitinfo",
)
KEYS_ENV = "VOICEGUIDE_TEST_KEYS"


class Refuse(importlib.abc.MetaPathFinder):
    """Makes ``import NAME`` fail, as on a platform without NAME."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> None:
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (simulated platform)")


def windows_signal_module() -> None:
    for name in dir(signal):
        posix_signal = name.startswith("SIG") and not name.startswith("SIG_")
        if posix_signal and name not in WINDOWS_SIGNALS:
            delattr(signal, name)
    for name in POSIX_ONLY_SIGNAL_FUNCTIONS:
        if hasattr(signal, name):
            delattr(signal, name)
    for name in ("SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"):
        delattr(signal, name)
    signal.SIGBREAK = 21  # type: ignore[attr-defined]
    signal.CTRL_C_EVENT = 0  # type: ignore[attr-defined]
    signal.CTRL_BREAK_EVENT = 1  # type: ignore[attr-defined]


def console_keys(keys: str) -> types.ModuleType:
    """A stand-in for ``msvcrt`` whose keyboard holds ``keys``."""
    module = types.ModuleType("msvcrt")
    waiting = list(keys)
    module.kbhit = lambda: bool(waiting)  # type: ignore[attr-defined]
    module.getwch = lambda: waiting.pop(0) if waiting else "\x00"  # type: ignore[attr-defined]
    return module


def simulate(platform: str) -> None:
    for name in LIBRARIES:
        importlib.import_module(name)
    assert not [m for m in sys.modules if m.split(".")[0] == "voiceguide"], "imported too soon"
    refused = REFUSED[platform]
    for name in list(sys.modules):  # what the libraries loaded on the way
        if name.split(".")[0] in refused:
            del sys.modules[name]
    sys.meta_path.insert(0, Refuse(refused))
    for variable in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
        os.environ.pop(variable, None)
    if platform == "win32":
        windows_signal_module()
        sys.modules["msvcrt"] = console_keys(os.environ.get(KEYS_ENV, ""))
    sys.platform = platform


def fakes() -> None:
    """The fake voice and the fake output in place of the real ones."""
    import voiceguide.output
    import voiceguide.speech
    from tests.support.fake_output import FakeOutput
    from tests.support.voices import ToneVoice

    voiceguide.speech.open_voice = lambda *_args: ToneVoice(parallelism="serial")
    voiceguide.output.open_output = lambda *_args: FakeOutput(block=4096)


def main() -> None:
    platform, *args = sys.argv[1:]
    simulate(platform)
    from voiceguide.cli import main as voiceguide

    fakes()
    voiceguide(args)


if __name__ == "__main__":
    main()
