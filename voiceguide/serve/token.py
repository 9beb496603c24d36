"""The secret in every URL: new each run, or kept in the data folder so that a podcast
app subscribed to the feed finds it again next time."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from voiceguide import writing
from voiceguide.errors import ServeError, UnreadableFileError
from voiceguide.paths import data_dir
from voiceguide.reading import read_file

TOKEN_FILE = "serve-token"
_TOKEN_BYTES = 16  # 128 bits: not guessable over a network, short enough for a QR code
_VALID = re.compile(r"[A-Za-z0-9_-]{22,64}")
_MAX_BYTES = 1024  # a token and a line break; anything larger is not one
_LEAKED = (
    "the secret may be known: delete the file to make a new one (podcast apps then "
    "subscribe again), or run `chmod 600` on it if no one else could have read it"
)


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def session_token(keep: bool, folder: Path | None = None) -> str:
    """A fresh token, or with ``keep`` the one saved in ``folder`` (the data folder),
    made and saved (readable by this user only) the first time."""
    if not keep:
        return new_token()
    path = (folder or data_dir()) / TOKEN_FILE
    saved = ""
    if os.path.lexists(path):
        # Read safely: a named pipe or a huge file there must not hang the server.
        try:
            data = read_file(path, max_bytes=_MAX_BYTES, private=_LEAKED)
            saved = data.decode("ascii").strip()
        except UnicodeDecodeError:
            saved = ""  # damaged: replaced below
        except UnreadableFileError as exc:
            raise ServeError(f"cannot use the kept token: {exc}") from exc
    if _VALID.fullmatch(saved):
        return saved
    token = new_token()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with writing.atomic_path(path) as temp:
            temp.write_text(token + "\n", encoding="ascii")
    except OSError as exc:
        raise ServeError(
            f"cannot keep the token in {path}: {exc.strerror or exc}; "
            "run without --keep-token, or make that folder writable"
        ) from exc
    return token
