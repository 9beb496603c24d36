"""Tests of voiceguide/script."""
