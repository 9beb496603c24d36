"""Scripts: a ``Routine`` compiled to timed cues, with no audio.

- ``records``: ``Script``, its ``Cue``s, ``Phase``s and ``StepSpan``s, ``CompileOptions``;
- ``compiler``: ``Routine`` + options + clip lengths to ``Script``; every timing rule;
- ``counting``: which seconds of a hold are counted aloud, in which words;
- ``estimate``: a text's spoken length from the speech rate alone;
- ``phrasing``: the spoken wording (numbers as words, "two more", side switches).
"""
