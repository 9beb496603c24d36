"""Keys: the key map, and the POSIX reader on a real pseudo-terminal (cbreak while reading, the
terminal exactly as it was afterwards, escape sequences split across reads)."""

from __future__ import annotations

import contextlib
import errno
import os
import termios
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voiceguide.player.keys import KEYMAP, Key, parse_keys
from voiceguide.player.keys_posix import TerminalKeys


def test_every_control_has_its_keys() -> None:
    data = b" nNpPrRwWqQsSaA\x1b[C\x1b[D\x1bOC\x1bOD"
    keys, rest = parse_keys(data)
    assert keys == [
        Key.PAUSE,
        Key.NEXT,
        Key.NEXT,
        Key.BACK,
        Key.BACK,
        Key.REPEAT,
        Key.REPEAT,
        Key.WHERE,
        Key.WHERE,
        Key.QUIT,
        Key.QUIT,
        Key.STOP,
        Key.STOP,
        Key.AGAIN,
        Key.AGAIN,
        Key.NEXT,
        Key.BACK,
        Key.NEXT,
        Key.BACK,
    ]
    assert rest == b""


def test_other_keys_and_sequences_are_ignored() -> None:
    # x, Enter, up and down arrows, F5, Alt+n (ESC n: the n still counts), then space.
    keys, rest = parse_keys(b"x\r\x1b[A\x1b[B\x1b[15~\x1bn ")
    assert keys == [Key.NEXT, Key.PAUSE]
    assert rest == b""


def test_an_unfinished_escape_sequence_is_kept_for_the_next_read() -> None:
    assert parse_keys(b"n\x1b") == ([Key.NEXT], b"\x1b")
    assert parse_keys(b"\x1b[") == ([], b"\x1b[")
    assert parse_keys(b"\x1b[" + b"C") == ([Key.NEXT], b"")


@given(st.lists(st.sampled_from(sorted(KEYMAP)), max_size=20))
def test_any_run_of_known_keys_parses_back(sequence: list[bytes]) -> None:
    keys, rest = parse_keys(b"".join(sequence))
    assert keys == [KEYMAP[s] for s in sequence]
    assert rest == b""


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_reader_puts_the_terminal_in_cbreak_and_back(pty: tuple[int, int]) -> None:
    _, slave = pty
    before = termios.tcgetattr(slave)
    with TerminalKeys(slave):
        during = termios.tcgetattr(slave)
        assert not during[3] & termios.ICANON
        assert not during[3] & termios.ECHO
        assert during[3] & termios.ISIG  # Ctrl-C still interrupts
    assert termios.tcgetattr(slave) == before


def test_reader_restores_the_terminal_when_the_block_fails(pty: tuple[int, int]) -> None:
    _, slave = pty
    before = termios.tcgetattr(slave)
    with pytest.raises(KeyboardInterrupt), TerminalKeys(slave):
        raise KeyboardInterrupt
    assert termios.tcgetattr(slave) == before


def test_reader_restores_the_terminal_even_if_a_signal_cuts_the_first_try_short(
    pty: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, slave = pty
    before = termios.tcgetattr(slave)
    real = termios.tcsetattr
    tries: list[int] = []

    def interrupted_once(fd: int, when: int, attributes: list[Any]) -> None:
        tries.append(when)
        if len(tries) == 1:
            raise termios.error(errno.EINTR, "Interrupted system call")
        real(fd, when, attributes)

    with TerminalKeys(slave):
        monkeypatch.setattr(termios, "tcsetattr", interrupted_once)
    assert len(tries) == 2
    assert termios.tcgetattr(slave) == before


def test_reader_returns_keys_as_they_are_typed(pty: tuple[int, int]) -> None:
    master, slave = pty
    with TerminalKeys(slave) as reader:
        assert reader.read(0.0) is None
        os.write(master, b"n ")
        assert reader.read(1.0) is Key.NEXT
        assert reader.read(1.0) is Key.PAUSE
        os.write(master, b"\x1b[")  # an arrow split over two writes
        assert reader.read(0.0) is None
        os.write(master, b"D")
        assert reader.read(1.0) is Key.BACK


def test_a_lone_escape_is_dropped_and_keys_after_it_still_count(pty: tuple[int, int]) -> None:
    master, slave = pty
    with TerminalKeys(slave) as reader:
        os.write(master, b"\x1b")
        assert reader.read(0.2) is None
        os.write(master, b"q")
        assert reader.read(1.0) is Key.QUIT


def test_reader_notices_when_the_terminal_goes_away(pty: tuple[int, int]) -> None:
    master, slave = pty
    with TerminalKeys(slave) as reader:
        os.close(master)
        assert reader.read(1.0) is None
        assert reader.closed
        assert reader.read(1.0) is None
