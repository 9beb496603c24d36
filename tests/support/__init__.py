"""What the tests share: the CLI runner, routine and script builders, fake voices and a fake
output, small hand-made Timelines, the private PulseAudio server and recordings of what it
played, HTTP serving helpers, what a folder holds after writing (and a write
interrupted part way), and a full disk in a forked child.

A fixture more uniform than real data hides the bugs it is meant to catch. The hand-made
Timelines' steps were all called "Step N", of equal length, so MP3 chapters written in
order of their titles' length looked right while every built-in routine's came out of
time order. Check a claim on the built-in routines too (``paths.builtin_routines_dir``),
and where a fixture stands for data, vary what real data varies (lengths, counts, text).
"""
