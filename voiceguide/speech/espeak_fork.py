"""libespeak-ng from a fresh start for every text, at the cost of a fork.

libespeak-ng keeps its synthesizer's state (pitch, wave phase, levels) from one text to
the next in static variables that no call resets, so a text spoken after another came
out a few samples longer or shorter and never the same twice: a cached clip depended on
what the process had said before it. An ``espeak-ng`` process per text is fresh but
loads the voice data each time (about 14 ms a text against 3 ms).

So a small server process (this file, run by the same Python; it imports nothing of
voiceguide, so it stays small and forks quickly) initializes libespeak-ng once,
synchronous (no thread of its own, so it can fork), and sets the voice and the rate;
then for each text it forks a child that speaks it and exits. Every text starts from the
state libespeak-ng has before its first synthesis, the same calls in the same order as
an ``espeak-ng`` process makes, and so the same samples. A server speaks one voice at
one rate (a ``Server`` starts another when asked for a different one), takes one text at
a time on standard input and answers on standard output, and ends when its standard
input closes (its parent gone).

A request is a 4-byte big-endian length and the text in UTF-8; an answer is a status
byte (0: samples, 1: an error message), a 4-byte length and the 16-bit samples at
``SAMPLE_RATE`` (or the message in UTF-8).
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

SAMPLE_RATE = 22050  # what libespeak-ng speaks at
_HEADER = struct.Struct(">I")
_ANSWER = struct.Struct(">BI")
_OK, _FAILED = 0, 1


class ForkError(Exception):
    """The server could not speak a text; the message says why."""


class Server:
    """A server process of this process, started on first use (and again for another
    voice or rate)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._speaks: tuple[str, int] | None = None  # the voice and rate it was started with

    def speak(self, text: str, voice: str, rate: int, timeout: float) -> bytes:
        """The 16-bit samples of ``text``, spoken from a fresh libespeak-ng."""
        process = self._started(voice, rate)
        assert process.stdin is not None and process.stdout is not None
        request = text.encode("utf-8")
        try:
            process.stdin.write(_HEADER.pack(len(request)) + request)
            process.stdin.flush()
            deadline = time.monotonic() + timeout
            status, length = _ANSWER.unpack(_read(process.stdout, _ANSWER.size, deadline))
            payload = _read(process.stdout, length, deadline)
        except (OSError, EOFError, TimeoutError) as exc:
            self.close()  # a server that broke or hung is not asked again
            raise ForkError(f"the libespeak-ng server stopped answering ({exc})") from exc
        except BaseException:
            self.close()  # interrupted half way (Ctrl-C): its answer must not be read later
            raise
        if status != _OK:
            raise ForkError(payload.decode("utf-8", "replace"))
        return payload

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the server ends when its input closes
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def _started(self, voice: str, rate: int) -> subprocess.Popen[bytes]:
        if self._process is not None and (
            self._speaks != (voice, rate) or self._process.poll() is not None
        ):
            self.close()
        if self._process is None:
            self._process = subprocess.Popen(
                # -P: this file's folder is not put on sys.path
                [sys.executable, "-P", __file__, voice, str(rate)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # libespeak-ng's chatter stays off the terminal
                start_new_session=True,  # Ctrl-C goes to the parent, which closes it
            )
            self._speaks = (voice, rate)
        return self._process


class Servers:
    """As many servers as there are texts being spoken at once in this process (one per
    thread speaking), each used again for the next text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[Server] = []
        self._all: list[Server] = []

    def speak(self, text: str, voice: str, rate: int, timeout: float) -> bytes:
        with self._lock:
            if not self._idle:
                self._all.append(Server())
                self._idle.append(self._all[-1])
            server = self._idle.pop()
        try:
            return server.speak(text, voice, rate, timeout)
        finally:
            with self._lock:
                self._idle.append(server)

    def close(self) -> None:
        with self._lock:
            for server in self._all:
                server.close()


def _read(stream: IO[bytes], size: int, deadline: float) -> bytes:
    """Exactly ``size`` bytes from ``stream`` before ``deadline``."""
    fd = stream.fileno()
    chunks: list[bytes] = []
    left = size
    while left:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError("no answer in time")
        chunk = os.read(fd, left)
        if not chunk:
            raise EOFError("the server ended")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- the server (its own process) ------------------------------------------------------


def _answer(status: int, payload: bytes | str) -> bytes:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return _ANSWER.pack(status, len(data)) + data


def _whole(answer: bytes) -> bool:
    """True when ``answer`` is one complete answer."""
    if len(answer) < _ANSWER.size:
        return False
    length: int = _ANSWER.unpack(answer[: _ANSWER.size])[1]
    return len(answer) == _ANSWER.size + length


def _read_whole(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _speak_in_child(espeak: Any, collected: list[bytes], text: str) -> bytes:
    """Runs in the forked child: the answer for one text."""
    # The flags pyttsx3's espeak driver speaks with: a pause at the end, UTF-8 text.
    status = espeak.Synth(text, flags=espeak.ENDPAUSE | espeak.CHARS_UTF8)
    if status != 0:
        return _answer(_FAILED, f"libespeak-ng refused {text!r} (error {status})")
    return _answer(_OK, b"".join(collected))


def _serve(voice: str, rate: int) -> None:
    from pyttsx3.drivers import _espeak as espeak

    problem = None
    if espeak.Initialize(espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000) == -1:
        problem = "libespeak-ng could not be initialized"
    elif espeak.SetVoiceByName(voice.encode("utf-8")) != 0:
        problem = f"libespeak-ng cannot use the voice {voice!r}"
    else:
        espeak.SetParameter(espeak.RATE, rate, 0)
    collected: list[bytes] = []

    def on_synth(wav: Any, frames: int, _events: Any) -> int:
        if frames > 0:
            collected.append(ctypes.string_at(wav, frames * ctypes.sizeof(ctypes.c_short)))
        return 0

    espeak.SetSynthCallback(on_synth)
    source, sink = sys.stdin.buffer.fileno(), sys.stdout.buffer
    while True:
        header = _read_whole(source, _HEADER.size)
        body = None if header is None else _read_whole(source, _HEADER.unpack(header)[0])
        if body is None:
            return  # the parent closed our input: done
        text = body.decode("utf-8")
        if problem is not None:
            answer = _answer(_FAILED, problem)
        else:
            answer = _forked(_speak_in_child, espeak, collected, text)
        sink.write(answer)
        sink.flush()


def _forked(speak: Callable[..., bytes], *arguments: Any) -> bytes:
    """``speak(*arguments)`` run in a child forked for it: whatever it changes in
    libespeak-ng ends with the child."""
    if sys.platform == "win32":  # the server is started on Linux only (pyttsx3_engine)
        return _answer(_FAILED, "a fresh libespeak-ng for each text needs fork(), not on Windows")
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reading)
        try:
            answer = speak(*arguments)
        except BaseException as exc:  # anything: the parent must get an answer
            answer = _answer(_FAILED, f"libespeak-ng failed: {exc}")
        with os.fdopen(writing, "wb") as out:
            out.write(answer)
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answers:
        answer = answers.read()
    _, code = os.waitpid(child, 0)
    if not _whole(answer):
        return _answer(_FAILED, f"libespeak-ng ended with status {code} while speaking")
    return answer


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
