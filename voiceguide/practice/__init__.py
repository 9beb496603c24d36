"""Practice: the person's side of playing.

- ``safety``: the safety gate and the frequency guard (its ``FrequencyLimits``) before
  ``play``, the way out on pain;
- ``journal``: the practice journal (SQLite);
- ``history``: summaries of the journal (period, counts per routine, streak).
"""
