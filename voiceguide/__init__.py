"""voiceguide: a voice-guided routine player.

The package reads top-down in the order the data flows:
routine file -> ``loader`` -> Routine -> ``compiler`` -> Script -> ``render`` -> Timeline
-> ``player`` (speakers) or ``export`` (files).
"""

__version__ = "0.1.0"
