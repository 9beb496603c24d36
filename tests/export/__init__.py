"""Tests of voiceguide/export."""
