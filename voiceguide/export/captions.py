"""Captions for an exported session: LRC synced lyrics and WebVTT.

Many phone music players show an ``.lrc`` beside an audio file line by line as it plays;
video players and browsers read ``.vtt``. Both carry the spoken cues (tones have no words)
at their exact times.
"""

from __future__ import annotations

from voiceguide.script.records import Cue, Script

ARTIST = "voiceguide"


def lrc(script: Script) -> str:
    """The script as LRC: ``[mm:ss.xx]text``, one spoken cue a line."""
    lines = [
        f"[ti:{_one_line(script.title)}]",
        f"[ar:{ARTIST}]",
        "[length:{:02d}:{:02d}]".format(*divmod(round(script.duration), 60)),
    ]
    lines += [f"[{_lrc_time(cue.start)}]{_one_line(cue.text)}" for cue in _spoken(script)]
    return "\n".join(lines) + "\n"


def vtt(script: Script) -> str:
    """The script as WebVTT captions, each shown while its cue is spoken."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(_spoken(script), start=1):
        end = max(cue.end, cue.start + 0.001)  # a cue must end after it starts
        text = _one_line(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{number}\n{vtt_time(cue.start)} --> {vtt_time(end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def _spoken(script: Script) -> list[Cue]:
    return [cue for cue in script.cues if cue.kind != "tone"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _lrc_time(seconds: float) -> str:
    hundredths = round(seconds * 100)
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def vtt_time(seconds: float) -> str:
    """``seconds`` as HH:MM:SS.mmm, the clock WebVTT and Vorbis chapters use."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
