"""What the tests share: the CLI runner, routine and script builders, fake voices and a fake
output, small hand-made Timelines, the private PulseAudio server and recordings of what it
played, HTTP serving helpers, what a folder holds after writing (and a write
interrupted part way), and a full disk in a forked child."""
