"""The one exception tree.

Every error a user can cause or fix is a ``VoiceguideError``; the CLI prints its message as
one line, ``Error: ...``, and exits with status 1. Anything else is a bug and keeps its
traceback. Each stage has its own subclass carrying that stage's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourcePosition:
    """Where in a file something is: 1-based line and column."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class VoiceguideError(Exception):
    """Base of every error meant for the user: the message says what is wrong and what to do."""


class FileFormatError(VoiceguideError):
    """A file (routine, config) that cannot be used, with its position."""

    def __init__(self, message: str, position: SourcePosition | None = None) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{position}: {message}" if position else message)


class UnreadableFileError(FileFormatError):
    """A file that cannot be read at all: missing, not a regular file, or too large."""


class RoutineError(FileFormatError):
    """A routine file that is not valid, or a routine that cannot be found."""


class ConfigError(FileFormatError):
    """A config file that is not valid."""


class CompileError(VoiceguideError):
    """Options the compiler cannot honour (pace out of range and the like)."""


class SpeechError(VoiceguideError):
    """A speech engine or voice that is missing or failed."""


class CacheError(VoiceguideError):
    """The clip cache cannot be used (not writable, not a directory)."""


class BedError(VoiceguideError):
    """A soundscape that cannot be used: no such built-in one, or a file that cannot be
    read as audio."""


class ExportError(VoiceguideError):
    """Files cannot be written where asked."""


class PlaybackError(VoiceguideError):
    """No audio device, a busy device, a missing backend or a server gone mid-routine."""


class ServeError(VoiceguideError):
    """The server cannot start: the port is in use, the address is not this machine's."""


class PhoneRequestError(ServeError):
    """What the phone's page posted cannot be recorded: not the JSON it sends, or a
    session this server did not start."""


class JournalError(VoiceguideError):
    """The practice journal cannot be read or written."""


class ChartError(VoiceguideError):
    """A chart of the journal that cannot be made (no plotting library) or written where
    asked."""


class SafetyError(VoiceguideError):
    """Playing was refused by the safety gate or the frequency guard."""


class Declined(SafetyError):
    """The user answered no to the safety gate's or the frequency guard's question: a
    choice, said as one, not as an error."""

    def __init__(self, title: str) -> None:
        super().__init__(f"not playing {title}: you answered no")
        self.title = title
