"""Speech made while playing: the answer to "where am I?" and spoken acknowledgements.

Clips come through the session's clip cache, so a phrase said once is read back from disk
the next time. A background thread starts as soon as playing does (its first clip loads a
Piper voice, a second or two), makes the sentences "where am I?" may need in the first
steps (the longest answer to make on the spot), then the answers to the controls and the
questions, and then follows the routine: as each step starts it makes the sentences
"where am I?" may need there and in the next step. Asking is then answered from clips
already made; Piper takes a few tenths of a second for a long sentence, too slow to make
the whole answer on the spot.

One lock: the in-process engines are not thread-safe. A request from the player goes
first: the thread waits while one is pending, so it delays an answer by at most the one
phrase it is making.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from voiceguide.audio.samples import Samples
from voiceguide.errors import VoiceguideError
from voiceguide.render.clips import ClipStore

FOLLOW = 0.25  # seconds between looks at where the routine is


class Speaker:
    """Clips from ``store`` (the session's voice), on demand."""

    def __init__(self, store: ClipStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._asking = 0  # clip() calls waiting for the lock: the thread lets them go first
        self._asking_lock = threading.Lock()
        self._made: set[str] = set()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def clip(self, text: str) -> Samples:
        """The clip for ``text`` (SpeechError or CacheError when it cannot be made)."""
        with self._asking_lock:
            self._asking += 1
        try:
            with self._lock:
                return self._make(text)
        finally:
            with self._asking_lock:
                self._asking -= 1

    def _make(self, text: str) -> Samples:
        """The clip (call with the lock held)."""
        clip = self._store.get(text)
        self._made.add(text)
        return clip

    def start(
        self, texts: Iterable[str] = (), upcoming: Callable[[], Iterable[str]] | None = None
    ) -> None:
        """In a background thread: make what ``upcoming()`` lists now, then ``texts``,
        then every ``FOLLOW`` seconds whatever ``upcoming()`` lists that is not made yet."""
        wanted = list(dict.fromkeys(texts))

        def work() -> None:
            try:
                if upcoming is not None:
                    self._prepare(upcoming())
                self._prepare(wanted)
                while upcoming is not None and not self._stopping.wait(FOLLOW):
                    self._prepare(upcoming())
            except VoiceguideError:
                return  # said when a phrase is asked for; nothing more to do here

        self._thread = threading.Thread(target=work, name="speaker", daemon=True)
        self._thread.start()

    def _prepare(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text in self._made:
                continue
            while self._asking and not self._stopping.is_set():
                self._stopping.wait(0.005)
            if self._stopping.is_set():
                return
            with self._lock:
                self._make(text)

    def stop(self) -> None:
        """Make no more clips after the phrase in hand (without waiting for it)."""
        self._stopping.set()

    def close(self) -> None:
        """Stop making clips, and wait for the phrase in hand."""
        self.stop()
        if self._thread is not None:
            self._thread.join()
