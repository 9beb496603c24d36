"""Tests of voiceguide/audio."""
