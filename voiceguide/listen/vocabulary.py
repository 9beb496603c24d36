"""The spoken commands, and what heard words mean.

Heard text is matched as a whole against the phrases below: a command is said alone (a
"please" or "okay" around it is allowed), so that words in a sentence about something
else never act. How close a match must be depends on what the command costs if it is
wrong: a stop or a pause favours being heard (a false pause costs a press of space), a
command that moves on or adds effort needs a confident match, and any doubt means nothing
happens.

And a command that moves on or adds effort (``PUSHING_ON``: next, back, again, go on, a
"yes" to an extra round) is never taken when a stopping phrase was nearly as likely: if
the recogniser's log-probability of a stopping phrase in place of the words it heard is
within ``RIVAL_MARGIN`` of theirs, the stop (or the pause) is taken instead. Whisper once
heard espeak-ng's "that hurts" as "Next." (a person in pain, and the guide moving on),
with "That" as the next likeliest first word: stop rather than push on. Heard too unsure
to act on, such words pause when a stopping phrase was nearly as likely.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from voiceguide.listen.transcript import Transcript
from voiceguide.player.commands import AGAIN, GO_ON, Answer, Command
from voiceguide.script.phrasing import number_words

# Each command with the phrases that say it; the first is the one the help shows.
PHRASES: dict[Command, tuple[str, ...]] = {
    Command.HURT: ("stop", "it hurts", "ouch", "ow", "that hurts"),
    Command.PAUSE: ("pause", "wait"),
    Command.PLAY: ("go on", "continue"),
    Command.NEXT: ("next", "skip"),
    Command.BACK: ("back", "go back"),
    Command.REPEAT: ("again", "repeat"),
    Command.WHERE: ("where am i",),
    Command.QUIT: ("quit",),
}

# The answers, heard only as answers: to a question ("yes" takes its round, "no" goes on;
# "again" and "go on" are the commands above, which an open question takes as answers)
# and to "how is your back, 0 to 10?". Said when nothing is asked, they get the "nothing"
# buzz, as a key would. Whisper writes small numbers as words or as digits.
NUMBER_WORDS = tuple(number_words(n) for n in range(11))  # the rating's 0 to 10
ANSWER_PHRASES: dict[Answer, tuple[str, ...]] = {
    AGAIN: ("yes", "one more"),
    GO_ON: ("no",),
    **{n: (word, str(n)) for n, word in enumerate(NUMBER_WORDS)},
}

# How alike (0 to 1) heard words and a phrase must be, and how sure the recogniser must be
# of its words (its mean log-probability per token), by what a wrong match would cost.
# "No" is favoured too: it chooses what silence would (go on past the extra round).
FAVOURED: frozenset[Command | Answer] = frozenset({Command.HURT, Command.PAUSE, GO_ON})
LIKENESS = {True: 0.72, False: 0.86}  # favoured, not favoured
CERTAINTY = {True: -1.2, False: -0.7}
# What a mistaken match would push on with where a stop was meant, and the stopping
# phrases it must leave well behind (log-probability, natural log): a factor of 90.
# Measured over the bench's sayings, the words heard when "that hurts" was taken as
# "Next." were 2.7 and 4.1 more likely than "That ...", and those of every command
# recognised rightly at least 5.1 more than any stopping phrase (docs/listening.md).
PUSHING_ON: frozenset[Command | Answer] = frozenset(
    {Command.NEXT, Command.BACK, Command.REPEAT, Command.PLAY, AGAIN}
)
STOPPING: tuple[Command, ...] = (Command.HURT, Command.PAUSE)
STOPPING_PHRASES = tuple(phrase for command in STOPPING for phrase in PHRASES[command])
RIVAL_MARGIN = 4.5
# Words that may come around a command without changing it.
FILLERS = frozenset({"please", "okay", "ok", "oh", "um", "uh", "hey", "now", "so", "and"})


@dataclass(frozen=True)
class Heard:
    """A command recognised in ``text`` (the words as heard, for the display); for
    ``Command.ANSWER``, the ``answer``."""

    command: Command
    text: str
    phrase: str
    likeness: float
    answer: Answer | None = None

    @property
    def meaning(self) -> Command | Answer:
        return self.command if self.answer is None else self.answer


def _shown(phrase: str) -> str:
    return re.sub(r"\bi\b", "I", phrase)


def written(phrase: str) -> str:
    """``phrase`` as the recogniser writes it, its prompt having shown it how."""
    shown = _shown(phrase)
    return shown[:1].upper() + shown[1:]


def _likeness(said: str, phrase: str) -> float:
    return difflib.SequenceMatcher(None, said, phrase).ratio()


def words_of(text: str) -> list[str]:
    """``text`` as lower-case words, punctuation and fillers dropped, and a phrase the
    recogniser said over and over (it does, on a short utterance) said once."""
    words = [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in FILLERS]
    for period in range(1, len(words)):
        if all(words[i] == words[i % period] for i in range(len(words))):
            return words[:period]
    return words


def _closest(text: str) -> Heard | None:
    """The meaning whose phrase ``text`` is most like, or None: nothing close enough for
    what that meaning would do. How sure the recogniser was is not weighed here."""
    said = " ".join(words_of(text))
    if not said:
        return None
    meanings: list[tuple[Command | Answer, str]] = [
        *((command, phrase) for command, phrases in PHRASES.items() for phrase in phrases),
        *((answer, phrase) for answer, phrases in ANSWER_PHRASES.items() for phrase in phrases),
    ]
    likeness, meaning, phrase = max(
        ((_likeness(said, phrase), meaning, phrase) for meaning, phrase in meanings),
        key=lambda found: found[0],  # a tie goes to the first: the commands come first
    )
    if likeness < LIKENESS[meaning in FAVOURED]:
        return None
    if isinstance(meaning, Command):
        return Heard(meaning, text.strip(), phrase, likeness)
    return Heard(Command.ANSWER, text.strip(), phrase, likeness, answer=meaning)


def _sure(heard: Heard, certainty: float) -> bool:
    """Whether the recogniser was sure enough of its words for what ``heard`` would do."""
    return certainty >= CERTAINTY[heard.meaning in FAVOURED]


def match(text: str, certainty: float) -> Heard | None:
    """The command ``text`` says, or None: nothing close enough, or a recogniser too
    unsure of its words for what the command would do."""
    heard = _closest(text)
    return heard if heard is not None and _sure(heard, certainty) else None


def decide(transcript: Transcript) -> Heard | None:
    """The command ``transcript`` says, as ``match`` finds it, unless it pushes on and a
    stopping phrase was nearly as likely: then that phrase's stop or pause. Words that
    would push on but were too unsure to are weighed the same way, and a stopping phrase
    nearly as likely then pauses (a doubt costs a press of space, and nothing is pushed on
    for someone who may have said "that hurts")."""
    said = _closest(transcript.text)  # what the words say, however sure
    if said is None:
        return None
    sure = _sure(said, transcript.certainty)
    if said.meaning not in PUSHING_ON:
        return said if sure else None
    phrase, rival = max(transcript.rivals.items(), key=lambda found: found[1])
    if rival < transcript.likelihood - RIVAL_MARGIN:
        return said if sure else None
    command = next(c for c in STOPPING if phrase in PHRASES[c]) if sure else Command.PAUSE
    return Heard(command, said.text, phrase, _likeness(" ".join(words_of(said.text)), phrase))


# What each command does, for the help: the key it stands for.
DOES = {
    Command.HURT: "stop at once, as s",
    Command.PAUSE: "pause",
    Command.PLAY: "go on",
    Command.NEXT: "the next step",
    Command.BACK: "back",
    Command.REPEAT: "say it again",
    Command.WHERE: "where am I?",
    Command.QUIT: "quit",
}


def spoken_help() -> str:
    """Every phrase with what it does, and the answers, for ``play --help``."""
    commands = "; ".join(
        " or ".join(f'"{_shown(p)}"' for p in phrases) + f" ({DOES[command]})"
        for command, phrases in PHRASES.items()
    )
    yes, no = (" or ".join(f'"{p}"' for p in ANSWER_PHRASES[a]) for a in (AGAIN, GO_ON))
    return (
        f'{commands}. At a question, {yes} or "again" take the extra round, {no} or "go on"'
        f' go on; asked how your back is, a number from "{NUMBER_WORDS[0]}" to'
        f' "{NUMBER_WORDS[-1]}"'
    )
