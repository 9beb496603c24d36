"""Text helpers shared by every stage: times as a clock shows them, lists as a sentence
says them, "did you mean", and text from a file made safe to print.

Text from a file is data on the terminal, never control.

Routine files are checked at load (``yamlfile`` refuses control characters), but text also
comes from other places (the journal, file names in messages), so everything that prints
such text passes it through ``printable`` as well: an escape sequence in it (which could
set the terminal's title, write the clipboard, or hide what follows) is shown as ``\\x1b``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates (which no encoder
# can write: they end in UnicodeEncodeError), the bidirectional embeddings, overrides and
# isolates (U+202E shows text backwards: what is printed would not be what is read), and
# the non-characters (XML forbids U+FFFE and U+FFFF: a podcast feed would be ill-formed).
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
)
BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{BIDI}{_NONCHARACTERS}]")
# The same, and line breaks too: for what must stay on one line.
CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every control character (but tab and newline) written as an escape."""
    return CONTROL.sub(_escaped, text)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces, other controls escapes."""
    return CONTROL.sub(_escaped, re.sub("[\r\n\u2028\u2029\x85]+", " ", text))


def clock(seconds: float, *, hours: bool = True, floor: bool = False) -> str:
    """``seconds`` as m:ss, or h:mm:ss from an hour when ``hours`` (otherwise the minutes
    go on counting); to the nearest second, or the whole seconds gone with ``floor`` (a
    running clock, which never shows a second that has not passed). Never negative."""
    whole = max(0, int(seconds) if floor else round(seconds))
    minutes, secs = divmod(whole, 60)
    if hours and minutes >= 60:
        hour, minutes = divmod(minutes, 60)
        return f"{hour}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def clock_tenths(seconds: float) -> str:
    """``seconds`` as m:ss.s, the way ``show`` and the compiler's notices write times."""
    minutes, tenths = divmod(round(seconds * 10), 600)
    return f"{minutes}:{tenths // 10:02d}.{tenths % 10}"


def word_list(items: Sequence[str], join: str = "or") -> str:
    """``items`` as a sentence lists them: "a, b or c"."""
    names = list(items)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {join} {names[-1]}"


def count_of(number: int, noun: str) -> str:
    """ "1 voice", "131 voices": ``number`` of ``noun`` (a noun made plural with an s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """ "; did you mean 'x'?" for the choice closest to a mistyped ``word``, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
