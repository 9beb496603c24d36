"""Tests of voiceguide/render."""
