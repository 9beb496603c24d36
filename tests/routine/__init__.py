"""Tests of voiceguide/routine."""
