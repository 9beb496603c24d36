"""Routines: the records a routine file becomes, and everything that reads them.

- ``records``: ``Routine`` and its step records (``Say``, ``Breathe``, ``Rest``, ...);
- ``format``: the routine format's keys, names and limits;
- ``values``: reading a routine file's texts (with placeholders) and durations;
- ``loader``: a YAML file to a validated ``Routine``, every rule of the routine format;
- ``library``: finding routines by id or path in the user's and the built-in folders;
- ``schema``: the routine format's JSON Schema (``routine.schema.json``) for editors;
- ``guidance``: what makes a valid routine hard to follow blind (``validate``'s warnings);
- ``movement``: which instructions change position, and the time that takes.
"""
