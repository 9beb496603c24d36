"""Tests of voiceguide/app."""
