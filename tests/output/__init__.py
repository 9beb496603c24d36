"""Tests of voiceguide/output."""
