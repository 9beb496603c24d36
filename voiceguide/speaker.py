"""Speech made while playing: the answer to "where am I?" and spoken acknowledgements.

Clips come through the clip cache, so a phrase said once is read back from disk the next
time. The voice is opened in the background as soon as playing starts (a Piper voice
takes a second or two to load) and the phrases that can be known ahead (the answers to
the controls) are made then too, so asking is answered at once. One lock: the in-process
engines are not thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from voiceguide.clips import ClipStore
from voiceguide.config import Settings
from voiceguide.errors import VoiceguideError
from voiceguide.timeline import Samples


class Speaker:
    """Clips of ``settings``' voice at ``sample_rate``, on demand."""

    def __init__(self, settings: Settings, cache_dir: Path, sample_rate: int) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self.sample_rate = sample_rate
        self._store: ClipStore | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        self._stopping = threading.Event()

    def clip(self, text: str) -> Samples:
        """The clip for ``text`` (SpeechError or CacheError when it cannot be made)."""
        with self._lock:
            return self._opened().get(text)

    def _opened(self) -> ClipStore:
        """The clip store, the voice opened the first time (call with the lock held)."""
        if self._store is None:
            from voiceguide.speech import open_voice

            s = self.settings
            voice = open_voice(s.engine, s.voice, s.rate)
            self._store = ClipStore(self.cache_dir, voice, self.sample_rate)
        return self._store

    def warm(self, texts: Iterable[str] = ()) -> None:
        """Open the voice and make ``texts`` in a background thread."""
        wanted = list(dict.fromkeys(texts))

        def work() -> None:
            try:
                with self._lock:
                    self._opened()
                for text in wanted:
                    if self._stopping.is_set():
                        return
                    self.clip(text)
            except VoiceguideError:
                return  # said when a phrase is asked for; nothing to do here

        self._warming = threading.Thread(target=work, name="speaker-warm-up", daemon=True)
        self._warming.start()

    def close(self) -> None:
        """Stop warming up (after the phrase in hand)."""
        self._stopping.set()
        if self._warming is not None:
            self._warming.join()
