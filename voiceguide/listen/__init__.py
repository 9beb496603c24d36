"""Voice commands while playing (``play --listen``), offline and in memory only.

- ``vocabulary``: what may be said, and heard words matched against it (never free text);
- ``guard``: when the guide itself is audible, watched on what the output plays, so that
  its own voice never commands it;
- ``gate``: the microphone's sound cut into utterances by Silero voice-activity detection;
- ``recogniser``: an utterance to words, with faster-whisper and the packaged tiny.en model;
- ``capture``: the microphone (a PortAudio input), and the inputs ``devices`` lists;
- ``listener``: the thread that ties them together and pushes the player's ``Request``s.
"""
