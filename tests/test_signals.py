"""The signals that end a command's work, and their one way out, in this process (the
commands' own tests send them to real ``export``, ``serve`` and ``play`` processes)."""

from __future__ import annotations

import signal

import pytest

from voiceguide import signals


def test_the_signals_that_end_work_here() -> None:
    assert set(signals.ENDING) == {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def test_each_signal_has_the_exit_status_a_shell_expects() -> None:
    assert signals.Interrupted(signal.SIGINT).exit_status == 130
    assert signals.Interrupted(signal.SIGTERM).exit_status == 143
    assert signals.Interrupted(signal.SIGHUP).exit_status == 129
    assert signals.exit_status(KeyboardInterrupt()) == 130
    try:
        try:
            raise signals.Interrupted(signal.SIGHUP)
        except KeyboardInterrupt as exc:
            raise RuntimeError("on the way out") from exc
    except RuntimeError as outer:
        assert signals.exit_status(outer) == 129


def test_leaving_on_a_signal_raises_at_once_and_ignores_the_rest() -> None:
    with pytest.raises(signals.Interrupted) as caught, signals.leave_on_signals():
        signal.raise_signal(signal.SIGTERM)
    assert caught.value.signum == signal.SIGTERM
    # The way out of a session is not cut short by a second signal.
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_a_noticed_signal_waits_for_the_block_and_only_the_first_counts() -> None:
    seen: list[int] = []
    before = signal.getsignal(signal.SIGHUP)
    with signals.noticed(seen.append) as notice:
        signal.raise_signal(signal.SIGHUP)
        signal.raise_signal(signal.SIGINT)
        assert seen == [signal.SIGHUP]  # still running: the block decides when to stop
    assert signal.getsignal(signal.SIGHUP) == before
    with pytest.raises(signals.Interrupted) as caught:
        notice.raise_if_received()
    assert caught.value.exit_status == 129


def test_an_interrupt_raised_because_of_a_noticed_signal_carries_that_signal() -> None:
    with pytest.raises(signals.Interrupted) as caught, signals.noticed(lambda _signum: None):
        signal.raise_signal(signal.SIGTERM)
        raise KeyboardInterrupt  # a worker saw the stop
    assert caught.value.exit_status == 143


def test_held_signals_are_ignored_and_the_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with signals.leave_on_signals(), signals.held():
        signal.raise_signal(signal.SIGTERM)  # ignored, not raised
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_deferred_signal_takes_effect_when_the_block_ends() -> None:
    done: list[str] = []
    with pytest.raises(signals.Interrupted) as caught, signals.leave_on_signals():
        with signals.deferred():
            signal.raise_signal(signal.SIGHUP)
            done.append("first")  # not cut short: the block's steps go together
            signal.raise_signal(signal.SIGTERM)
            done.append("second")
        done.append("after")  # never: the signal took effect as the block ended
    assert done == ["first", "second"]
    assert caught.value.exit_status == 129  # the first signal's
