"""The spoken commands, and what heard words mean.

Heard text is matched as a whole against the phrases below: a command is said alone (a
"please" or "okay" around it is allowed), so that words in a sentence about something
else never act. How close a match must be depends on what the command costs if it is
wrong: a stop or a pause favours being heard (a false pause costs a press of space), a
command that moves on or adds effort needs a confident match, and any doubt means nothing
happens.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from voiceguide.player.commands import Command

# Each command with the phrases that say it; the first is the one the help shows.
PHRASES: dict[Command, tuple[str, ...]] = {
    Command.HURT: ("stop", "it hurts", "ouch", "that hurts"),
    Command.PAUSE: ("pause", "wait"),
    Command.PLAY: ("go on", "continue"),
    Command.NEXT: ("next", "skip"),
    Command.BACK: ("back", "go back"),
    Command.REPEAT: ("again", "repeat"),
    Command.WHERE: ("where am i",),
    Command.QUIT: ("quit",),
}

# How alike (0 to 1) heard words and a phrase must be, and how sure the recogniser must be
# of its words (its mean log-probability per token), by what a wrong match would cost.
FAVOURED = frozenset({Command.HURT, Command.PAUSE})
LIKENESS = {True: 0.72, False: 0.86}  # favoured, not favoured
CERTAINTY = {True: -1.2, False: -0.7}
# Words that may come around a command without changing it.
FILLERS = frozenset({"please", "okay", "ok", "oh", "um", "uh", "hey", "now", "so", "and"})


@dataclass(frozen=True)
class Heard:
    """A command recognised in ``text`` (the words as heard, for the display)."""

    command: Command
    text: str
    phrase: str
    likeness: float


def words_of(text: str) -> list[str]:
    """``text`` as lower-case words, punctuation and fillers dropped, and a phrase the
    recogniser said over and over (it does, on a short utterance) said once."""
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in FILLERS]
    for period in range(1, len(words)):
        if all(words[i] == words[i % period] for i in range(len(words))):
            return words[:period]
    return words


def match(text: str, certainty: float) -> Heard | None:
    """The command ``text`` says, or None: nothing close enough, or a recogniser too
    unsure of its words for what the command would do."""
    said = " ".join(words_of(text))
    if not said:
        return None
    best: tuple[float, Command, str] | None = None
    for command, phrases in PHRASES.items():
        for phrase in phrases:
            likeness = difflib.SequenceMatcher(None, said, phrase).ratio()
            if best is None or likeness > best[0]:
                best = (likeness, command, phrase)
    assert best is not None
    likeness, command, phrase = best
    favoured = command in FAVOURED
    if likeness < LIKENESS[favoured] or certainty < CERTAINTY[favoured]:
        return None
    return Heard(command, text.strip(), phrase, likeness)


def spoken_help() -> str:
    """The commands as one line, for ``play --help`` and the display."""
    return " · ".join(" / ".join(f'"{p}"' for p in phrases) for phrases in PHRASES.values())
