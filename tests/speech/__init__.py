"""Tests of voiceguide/speech."""
