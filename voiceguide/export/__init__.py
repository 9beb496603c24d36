"""Export: a ``Timeline`` to files, all written atomically. The ``export`` command around
it is ``app.export``.

- ``writer``: audio files (FLAC, MP3, WAV, ...), cue sidecars and the playlist;
- ``captions``: LRC and WebVTT from a ``Script``;
- ``chapters``: a script's steps as chapters (Podcasting 2.0 JSON, Vorbis, ID3);
- ``split``: a Timeline cut at its steps, for ``export --split``.
"""
