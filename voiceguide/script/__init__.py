"""Scripts: a ``Routine`` compiled to timed cues, with no audio.

- ``records``: ``Script``, its ``Cue``s, ``Phase``s and ``StepSpan``s, ``CompileOptions``;
- ``compiler``: ``Routine`` + options + clip lengths to ``Script``; every timing rule;
- ``phrasing``: the spoken wording (numbers as words, "two more", side switches).
"""
