"""Heard words against the command list: whole phrases only, stop and pause favoured,
the rest only on a close and confident match, and never when a stop was nearly as
likely."""

from __future__ import annotations

import pytest

from voiceguide.listen.transcript import Transcript
from voiceguide.listen.vocabulary import (
    ANSWER_PHRASES,
    PHRASES,
    RIVAL_MARGIN,
    STOPPING_PHRASES,
    decide,
    match,
    spoken_help,
    words_of,
)
from voiceguide.player.commands import AGAIN, GO_ON, Answer, Command

SURE = -0.2  # a recogniser's certainty (mean log-probability per token) when it is sure


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("Stop.", Command.HURT),
        ("It hurts!", Command.HURT),
        ("Ouch", Command.HURT),
        ("Ow!", Command.HURT),
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


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Yes.", AGAIN),
        ("One more.", AGAIN),
        ("No.", GO_ON),
        ("Zero.", 0),
        ("Three.", 3),
        ("3", 3),
        ("Seven", 7),
        ("Ten.", 10),
        ("10", 10),
    ],
)
def test_answers_are_heard_as_answers(text: str, answer: Answer) -> None:
    heard = match(text, SURE)
    assert heard is not None and heard.command is Command.ANSWER and heard.answer == answer


def test_every_listed_answer_matches_itself() -> None:
    for answer, phrases in ANSWER_PHRASES.items():
        for phrase in phrases:
            heard = match(phrase, SURE)
            assert heard is not None and heard.answer == answer, phrase


def test_an_unsure_yes_or_number_does_nothing_but_an_unsure_no_goes_on() -> None:
    # "yes" adds a round and a number goes into the journal: only when sure. "No" does
    # what silence would.
    unsure = -1.0
    assert match("Yes.", unsure) is None
    assert match("Four.", unsure) is None
    heard = match("No.", unsure)
    assert heard is not None and heard.answer == GO_ON


def test_the_help_lists_every_phrase() -> None:
    shown = spoken_help().lower()
    words = [answer for answer in ANSWER_PHRASES if not isinstance(answer, int)]
    for phrases in [*PHRASES.values(), *(ANSWER_PHRASES[answer] for answer in words)]:
        for phrase in phrases:
            assert f'"{phrase}"' in shown, phrase
    assert 'a number from "zero" to "ten"' in shown


def heard_as(text: str, likelihood: float, **rivals: float) -> Transcript:
    """A sure transcript of ``text`` whose words had ``likelihood``, and the stopping
    phrases the recogniser weighed instead (those not named: far behind)."""
    weighed = {phrase: likelihood - 20.0 for phrase in STOPPING_PHRASES}
    weighed.update({phrase.replace("_", " "): bound for phrase, bound in rivals.items()})
    return Transcript(text, SURE, 0.0, likelihood, weighed)


def test_a_command_that_moves_on_gives_way_to_a_stop_nearly_as_likely() -> None:
    # Whisper's figures when it heard espeak-ng's "that hurts" as "Next.": "Next" at
    # -0.30, "That" at -3.03 in its place.
    heard = decide(heard_as("Next.", -0.30, that_hurts=-3.03))
    assert heard is not None and heard.command is Command.HURT
    assert heard.phrase == "that hurts" and heard.text == "Next."
    paused = decide(heard_as("Again.", -0.5, wait=-0.5 - RIVAL_MARGIN + 0.1))
    assert paused is not None and paused.command is Command.PAUSE


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("Next.", Command.NEXT),
        ("Back.", Command.BACK),
        ("Again.", Command.REPEAT),
        ("Go on.", Command.PLAY),
        ("Yes.", AGAIN),
    ],
)
def test_every_command_that_pushes_on_is_weighed_against_the_stops(
    text: str, meaning: Command | Answer
) -> None:
    near = decide(heard_as(text, -0.4, it_hurts=-0.4 - RIVAL_MARGIN + 0.5))
    assert near is not None and near.command is Command.HURT
    far = decide(heard_as(text, -0.4, it_hurts=-0.4 - RIVAL_MARGIN - 0.5))
    assert far is not None and far.meaning == meaning


@pytest.mark.parametrize(
    ("text", "meaning"),
    [("Where am I?", Command.WHERE), ("Quit.", Command.QUIT), ("Four.", 4), ("No.", GO_ON)],
)
def test_what_does_not_push_on_is_taken_as_heard(text: str, meaning: Command | Answer) -> None:
    # "Where am I?" is heard with "Wait" close behind (the same first sound): answering it
    # costs nothing, and a rating or a "no" changes nothing that is done.
    heard = decide(heard_as(text, -0.3, wait=-0.5))
    assert heard is not None and heard.meaning == meaning


def test_a_stop_heard_stays_a_stop_whatever_else_was_likely() -> None:
    heard = decide(heard_as("It hurts.", -0.4, stop=-0.2))
    assert heard is not None and heard.command is Command.HURT and heard.phrase == "it hurts"


def test_an_unsure_command_that_moves_on_pauses_when_a_stop_was_nearly_as_likely() -> None:
    # Whisper's figures for espeak-ng's "that hurts" over noise at 10 dB: "Next." too
    # unsure to skip on (-1.02 a token), "That" 4.1 behind: it was taken as nothing.
    unsure = Transcript("Next.", -1.02, 0.0, -0.54, {"that hurts": -4.67, "stop": -9.0})
    heard = decide(unsure)
    assert heard is not None and heard.command is Command.PAUSE and heard.text == "Next."


def test_an_unsure_command_that_moves_on_with_no_stop_near_is_nothing() -> None:
    unsure = Transcript("Next.", -1.02, 0.0, -0.54, {"that hurts": -0.54 - RIVAL_MARGIN - 0.5})
    assert decide(unsure) is None
