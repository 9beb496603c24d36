"""Single keys, without Enter: the player's controls, the same keys on every platform.

``parse_keys`` and ``parse_console_keys`` turn what a terminal or the Windows console
sends into controls; they are pure, so both key maps are tested on any system. The
readers that take keys from the keyboard, one per platform, are chosen by ``keyboard``.
"""

from __future__ import annotations

import enum


class Key(enum.Enum):
    PAUSE = "pause"  # space: pause or resume
    NEXT = "next"  # n or right arrow
    BACK = "back"  # p or left arrow: start of this step; again: the one before
    REPEAT = "repeat"  # r: the last instruction again
    WHERE = "where"  # w: "where am I?"
    QUIT = "quit"  # q
    STOP = "stop"  # s: "stop, it hurts"
    AGAIN = "again"  # a: the answer "again" (one more round) to a question
    # 0 to 9: a number, the answer to "how is your back, 0 to 10?" (1 then 0 is ten)
    DIGIT_0 = "0"
    DIGIT_1 = "1"
    DIGIT_2 = "2"
    DIGIT_3 = "3"
    DIGIT_4 = "4"
    DIGIT_5 = "5"
    DIGIT_6 = "6"
    DIGIT_7 = "7"
    DIGIT_8 = "8"
    DIGIT_9 = "9"


KEYMAP: dict[bytes, Key] = {
    b" ": Key.PAUSE,
    b"n": Key.NEXT,
    b"\x1b[C": Key.NEXT,
    b"\x1bOC": Key.NEXT,  # the right arrow in "application" cursor mode
    b"p": Key.BACK,
    b"\x1b[D": Key.BACK,
    b"\x1bOD": Key.BACK,
    b"r": Key.REPEAT,
    b"w": Key.WHERE,
    b"q": Key.QUIT,
    b"s": Key.STOP,
    b"a": Key.AGAIN,
    **{str(n).encode(): Key(str(n)) for n in range(10)},
}

ESCAPE = b"\x1b"
# How long the rest of an escape sequence may take to arrive after its ESC.
ESCAPE_WAIT = 0.05


def parse_keys(data: bytes) -> tuple[list[Key], bytes]:
    """The controls in ``data`` and any unfinished escape sequence left at its end.

    Letters count in either case; other keys and escape sequences (F-keys, the up and
    down arrows) are ignored.
    """
    keys: list[Key] = []
    i = 0
    while i < len(data):
        if data[i : i + 1] == ESCAPE:
            end = _escape_end(data, i)
            if end is None:
                return keys, data[i:]
            key = KEYMAP.get(data[i:end])
            i = end
        else:
            key = KEYMAP.get(data[i : i + 1].lower())
            i += 1
        if key is not None:
            keys.append(key)
    return keys, b""


def _escape_end(data: bytes, start: int) -> int | None:
    """Where the escape sequence at ``start`` ends, or None if it is not complete yet."""
    if start + 1 >= len(data):
        return None
    kind = data[start + 1 : start + 2]
    if kind not in (b"[", b"O"):
        return start + 1  # a lone ESC (or Alt+key): drop the ESC, read on
    for j in range(start + 2, len(data)):
        if 0x40 <= data[j] <= 0x7E:  # a CSI sequence ends at its first "final" byte
            return j + 1
    return None


# The Windows console (msvcrt.getwch): an arrow or a function key comes as one of these
# prefixes, then a code; the right and left arrows' codes are "M" and "K".
CONSOLE_PREFIXES = ("\x00", "\xe0")
CONSOLE_KEYMAP: dict[str, Key] = {"M": Key.NEXT, "K": Key.BACK}


def parse_console_keys(chars: str) -> tuple[list[Key], str]:
    """The controls in what the Windows console gave (``msvcrt.getwch``), and a prefix
    left at its end whose code has not come yet. Letters count in either case; other
    special keys are ignored."""
    keys: list[Key] = []
    i = 0
    while i < len(chars):
        if chars[i] in CONSOLE_PREFIXES:
            if i + 1 >= len(chars):
                return keys, chars[i:]
            key = CONSOLE_KEYMAP.get(chars[i + 1])
            i += 2
        else:
            key = KEYMAP.get(chars[i].lower().encode("latin-1", "replace"))
            i += 1
        if key is not None:
            keys.append(key)
    return keys, ""
