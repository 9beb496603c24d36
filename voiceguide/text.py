"""Text from a file, made safe to print: data on the terminal, never control.

Routine files are checked at load (``yamlfile`` refuses control characters), but text also
comes from other places (the journal, file names in messages), so everything that prints
such text passes it through ``printable`` as well: an escape sequence in it (which could
set the terminal's title, write the clipboard, or hide what follows) is shown as ``\\x1b``.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates (which no
# encoder can write: they end in UnicodeEncodeError).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, and line breaks too: for what must stay on one line.
CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character (but tab and newline) written as an escape."""
    return CONTROL.sub(_escaped, text)


def one_line(text: str) -> str:
    """``text`` on one line: line breaks become spaces, other controls escapes."""
    return CONTROL.sub(_escaped, re.sub("[\r\n\u2028\u2029\x85]+", " ", text))
