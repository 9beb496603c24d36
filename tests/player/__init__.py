"""Tests of voiceguide/player."""
