"""Tests of voiceguide/serve."""
