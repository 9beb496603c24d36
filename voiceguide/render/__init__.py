"""Render: a ``Script`` becomes a ``Timeline``, every clip placed to the sample. The only
stage that asks for speech.

- ``options``: what render is told: ``RenderOptions`` (the voice, the timing, the
  mixing) and ``VoiceOptions`` (which voice speaks, and how fast);
- ``assembly``: ``prepare`` (a Routine all the way to its Timeline), ``place``, and the
  clips ``show --exact`` and the safety questions need;
- ``clips``: the content-addressed clip cache (text to processed clip);
- ``timeline``: the ``Timeline`` record, mixed on demand;
- ``streaming``: a Timeline that grows while the voice renders, for ``play``;
- ``speaker``: speech made while playing ("where am I?", spoken acknowledgements).
"""
