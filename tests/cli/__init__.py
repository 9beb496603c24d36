"""Tests of voiceguide/cli."""
