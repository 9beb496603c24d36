"""The Script: the timed cue list, what is said and when.

The compiler produces it as a pure function of (routine, options, clip durations); render,
play, export and ``show`` consume it. Times are seconds from the start of the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from voiceguide.routine.records import CountStyle

CueKind = Literal["say", "caution", "count", "inhale", "exhale", "release", "side", "rest", "tone"]
# "answer": a question's answer window, between its opening and closing tones.
PhaseKind = Literal["hold", "inhale", "exhale", "hold-in", "hold-out", "rest", "pause", "answer"]
ToneKind = Literal["caution", "step", "window-open", "window-close"]

DEFAULT_RATE = 160  # words per minute: unhurried, for someone following with eyes closed
PACE_RANGE = (0.5, 3.0)
RATE_RANGE = (80, 300)


@dataclass(frozen=True)
class CompileOptions:
    """What the user chose: how slow (``pace`` multiplies every timed silence), how fast
    the voice speaks (``rate``, words per minute) and the counting style override."""

    pace: float = 1.0
    rate: int = DEFAULT_RATE
    count: CountStyle | None = None


@dataclass(frozen=True)
class Cue:
    """Something heard: speech from ``start`` to ``end``, or a tone (``kind == "tone"``,
    with ``tone`` saying which). ``step`` indexes ``Script.steps``."""

    start: float
    end: float
    kind: CueKind
    text: str
    step: int
    tone: ToneKind | None = None


@dataclass(frozen=True)
class Phase:
    """A timed stretch of the session that is not speech: a hold, a breath, a rest."""

    start: float
    end: float
    kind: PhaseKind
    step: int


@dataclass(frozen=True)
class StepSpan:
    """One step as the user experiences it (skip and back move between these; an MP3
    chapter each). ``title`` is a short label such as "Knees to chest (right)"."""

    index: int
    start: float
    end: float
    title: str


@dataclass(frozen=True)
class QuestionSpan:
    """Where a question is answered: the answer window from ``opens`` to ``closes``; the
    answer is settled at ``decided``, once the closing tone has been heard. Step
    ``round_step`` is the round an answer asks for; without one, playing goes on at the
    start of the step after it."""

    opens: float
    closes: float
    decided: float
    round_step: int


@dataclass(frozen=True)
class Script:
    """The compiled session. ``notices`` tell the user where timing had to give way
    (a count dropped, an instruction that ran long)."""

    routine_id: str
    title: str
    duration: float
    cues: tuple[Cue, ...]
    phases: tuple[Phase, ...]
    steps: tuple[StepSpan, ...]
    options: CompileOptions
    notices: tuple[str, ...] = ()

    @property
    def step_count(self) -> int:
        """How many steps the user counts. Step 0, "Before you start" (the title and the
        safety lines), is not one of them: a step's number is its index, from 1 for the
        routine's first step to ``step_count`` for the closing."""
        return max(0, len(self.steps) - 1)

    def step_label(self, index: int) -> str:
        """Step ``index`` numbered as every view shows it: "2/8" (the terminal, the phone's
        page; ``show``, ``--from`` and "where am I?" use the same numbers)."""
        return f"{index}/{self.step_count}"

    def questions(self) -> tuple[QuestionSpan, ...]:
        """Every question's answer window, in order (a question whose closing tone or
        round is not compiled yet is left out)."""
        found = []
        for window in (p for p in self.phases if p.kind == "answer"):
            closing = next(
                (c for c in self.cues if c.tone == "window-close" and c.start >= window.end), None
            )
            if closing is not None and window.step + 1 < len(self.steps):
                found.append(QuestionSpan(window.start, window.end, closing.end, window.step + 1))
        return tuple(found)

    def to_json(self) -> dict[str, Any]:
        """The shape shared by ``show --json`` and the export's ``.cues.json``."""
        return {
            "routine": self.routine_id,
            "title": self.title,
            "duration": round(self.duration, 6),
            "cues": [
                {
                    "start": round(c.start, 6),
                    "end": round(c.end, 6),
                    "kind": c.kind,
                    "text": c.text,
                    "step": c.step,
                    "tone": c.tone,
                }
                for c in self.cues
            ],
            "phases": [
                {
                    "start": round(p.start, 6),
                    "end": round(p.end, 6),
                    "kind": p.kind,
                    "step": p.step,
                }
                for p in self.phases
            ],
            "steps": [
                {
                    "index": s.index,
                    "start": round(s.start, 6),
                    "end": round(s.end, 6),
                    "title": s.title,
                }
                for s in self.steps
            ],
        }
