"""Sound made and shaped in code, with no device and no voice.

- ``samples``: ``Samples``, the one type sound travels in;
- ``signal``: trim, loudness, limiter, resample, PCM, the clip cache's file format;
- ``tones``: the chimes and breath tones placed in a routine;
- ``acks``: the short sounds that acknowledge a key.
"""
