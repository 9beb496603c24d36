"""Practice: the person's side of playing.

- ``safety``: the safety gate and the frequency guard (its ``FrequencyLimits``) before
  ``play``, the way out on pain;
- ``journal``: the practice journal (SQLite);
- ``migrations``: the journal's schema, and older journals brought up to it;
- ``recording``: one session in the journal while it plays (its ratings too);
- ``history``: summaries of the journal (period, counts per routine with the median
  change in rating, streak, the ratings to chart);
- ``textchart``: the ratings drawn with text, under ``history``'s table;
- ``chart``: the ratings as an SVG or PNG chart (matplotlib).
"""
