"""What the tests share: the CLI runner, routine and script builders, fake voices and a fake
output, small hand-made Timelines, the private PulseAudio server and recordings of what it
played, HTTP serving helpers, and a full disk in a forked child."""
