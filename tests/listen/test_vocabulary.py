"""Heard words against the command list: whole phrases only, stop and pause favoured,
the rest only on a close and confident match."""

from __future__ import annotations

import pytest

from voiceguide.listen.vocabulary import PHRASES, match, words_of
from voiceguide.player.commands import Command

SURE = -0.2  # a recogniser's certainty (mean log-probability per token) when it is sure


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("Stop.", Command.HURT),
        ("It hurts!", Command.HURT),
        ("Ouch", Command.HURT),
        ("Pause.", Command.PAUSE),
        ("Wait, please.", Command.PAUSE),
        ("Go on.", Command.PLAY),
        ("Continue", Command.PLAY),
        ("Next.", Command.NEXT),
        ("Skip", Command.NEXT),
        ("Back.", Command.BACK),
        ("Again.", Command.REPEAT),
        ("Repeat", Command.REPEAT),
        ("Where am I?", Command.WHERE),
        ("Quit.", Command.QUIT),
    ],
)
def test_every_phrase_is_its_command(text: str, command: Command) -> None:
    heard = match(text, SURE)
    assert heard is not None and heard.command is command


def test_every_listed_phrase_matches_its_own_command() -> None:
    for command, phrases in PHRASES.items():
        for phrase in phrases:
            heard = match(phrase, SURE)
            assert heard is not None and heard.command is command, phrase


def test_a_phrase_said_over_and_over_is_read_once() -> None:
    assert words_of("Go on... Go on... Go on... Go") == ["go", "on"]
    assert words_of("next next next next") == ["next"]
    assert match("Pause Pause Pause Pause", SURE) is not None


@pytest.mark.parametrize(
    "text",
    ["", "Thank you.", "I think the next step is hard", "Let us get on with it", "Music"],
)
def test_talk_that_is_not_a_command_does_nothing(text: str) -> None:
    assert match(text, SURE) is None


def test_a_near_miss_stops_but_does_not_skip() -> None:
    # "stap" is near "stop": a stop favours being heard. "nest" is as near "next", which
    # moves on: doubt means nothing happens.
    stopped = match("Stap.", SURE)
    assert stopped is not None and stopped.command is Command.HURT
    assert match("Nest.", SURE) is None


def test_an_unsure_recogniser_can_still_pause_but_not_move_on() -> None:
    unsure = -1.0
    paused = match("Pause.", unsure)
    assert paused is not None and paused.command is Command.PAUSE
    assert match("Next.", unsure) is None
    assert match("Again.", unsure) is None
