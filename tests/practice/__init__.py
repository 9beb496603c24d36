"""Tests of voiceguide/practice."""
