"""The use cases, each end to end: what one command does, from a routine's name to its
result, through the stages.

- ``play``: safety gate, render while playing, device warm-up, signals, terminal, journal;
- ``export``: routines to files in a folder: dedupe, refuse to overwrite, render, parallel
  writers, Ctrl-C;
- ``serve``: export, then serve to a phone until Ctrl-C;
- ``warm``: ``cache warm``, every clip some routines need, made ahead;
- ``doctor``: what this machine has for speech and playback, and the fixes.
"""
