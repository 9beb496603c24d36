"""Everything the guide says in its own words, around a routine's text.

Numbers as words, the phrases between rounds and sides, the default release, breath
prompts and the safety lines every routine carries (used by ``compiler``); the answers
the player gives while a routine plays ("where am I?", the controls answered in words);
the frequency guard's reason and the calm way out after a stop for pain. Kept apart from
the timing rules in ``compiler`` so that wording can change without touching timing, and
so that ``compiler.spoken_texts`` and the compiled cues can never disagree about a text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voiceguide.text import word_list

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = [
    "_",
    "_",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
]

# Said at the end of a hold whose step gives no ``then``.
DEFAULT_RELEASE = "And release."
TEN_SECONDS_LEFT = "Ten seconds left."
FIVE_SECONDS_LEFT = "Five seconds left."
BREATHE_IN = "Breathe in."
BREATHE_OUT = "Breathe out."
BREATH_HOLD = "Hold."
REST = "Rest."
AGAIN = "Again."
LAST_ONE = "Last one."

STOP_IF_IT_HURTS = "Stop at once if anything hurts, and move only as far as is comfortable."
# Crack routines: the physical therapist's whole answer, said once at the start in one
# sentence: not something to try on your own, since without knowing how it may not help
# and may harm, so check first.
CHECK_WITH_A_THERAPIST = (
    "A physical therapist advises against cracking your back on your own: done without "
    "knowing how, it may not help, and it may harm, so check with one first that it is "
    "safe for you."
)
# Said once, right before the first attempt at a crack, so no one tries for a second.
ONCE_IS_ENOUGH = (
    "One release is all you are after: once you feel or hear it, do not try for another "
    "in the same place. You may not hear or feel a pop at all, and it may still have worked."
)
# The closing words of a crack routine.
KEEP_IT_OCCASIONAL = (
    "Keep cracking occasional: doing it often can leave your back too loose. "
    "For mild aches, stretching usually helps more than cracking."
)
SEE_A_DOCTOR = "If your back keeps hurting, or the pain comes back, see a doctor."
CLOSING = "That is the end of the routine. Take your time before you move on."
CLOSING_SESSION = "That is the end of the session. Take your time before you move on."
# Said after a question's own sentence: how to take one more round, and that without an
# answer the routine goes on (once is enough, so moving on is the default).
HOW_TO_ANSWER = "Then say again, or press A. Otherwise, we go on."
# Said when the answer window closes: which way it went.
ONE_MORE = "One more, then."
GOING_ON = "Going on."

OPENING_TITLE = "Before you start"
CLOSING_TITLE = "Closing"


def number_words(n: int) -> str:
    """``n`` (0 to 9999) in words, as a voice should say it: 21 -> "twenty-one"."""
    if not 0 <= n <= 9999:
        raise ValueError(f"number_words takes 0 to 9999, not {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_ONES[hundreds]} hundred"
    else:
        thousands, rest = divmod(n, 1000)
        head = f"{_ONES[thousands]} thousand"
        if rest >= 100:
            return f"{head} {number_words(rest)}"
    return f"{head} and {number_words(rest)}" if rest else head


def count_text(n: int) -> str:
    """A spoken count: "Five."."""
    return number_words(n).capitalize() + "."


def round_phrase(round_number: int, times: int) -> str | None:
    """What is said before round ``round_number`` (1-based) of ``times``: nothing before
    the first, "Last one." before the last, "Two more."/"Three more." as the end nears."""
    remaining = times - round_number + 1
    if round_number == 1:
        return None
    if remaining == 1:
        return LAST_ONE
    if remaining <= 3:
        return f"{number_words(remaining).capitalize()} more."
    return AGAIN


def side_phrase(index: int, side: str, *, first_time: bool = True) -> str:
    """The switch cue before side ``index`` (0-based) of a ``sides`` block; "Right side
    first." only the first time a routine starts a side, "Right side." after that."""
    named = f"{side[:1].upper()}{side[1:]} side"
    if index == 0:
        return f"{named} first." if first_time else f"{named}."
    return f"Now the {side} side."


def other_side(sides: Sequence[str], index: int) -> str:
    """What ``{other}`` means on side ``index``: the other of two, else the next one."""
    if len(sides) == 1:
        return {"right": "left", "left": "right"}.get(sides[0], sides[0])
    return sides[(index + 1) % len(sides)]


def fill_sides(text: str, side: str | None, other: str | None) -> str:
    """``text`` with ``{side}`` and ``{other}`` filled in, when inside a ``sides`` block."""
    if side is None or other is None:
        return text
    return text.replace("{side}", side).replace("{other}", other)


def title_line(title: str) -> str:
    """The first thing said: the routine's title as a sentence."""
    return title if title.endswith((".", "!", "?")) else f"{title}."


def contraindications_line(conditions: Sequence[str], *, session: bool = False) -> str:
    """Who must not do the routine (or the session) at all: the one wording the opening,
    the safety gate's printed notice and its spoken question all use."""
    what = "session" if session else "routine"
    return f"Do not do this {what} at all if you have {word_list(conditions)}."


# Things you go to rather than fetch: furniture that stays where it is.
_PLACES = re.compile(r"^(bed|sofa|couch)\b", re.IGNORECASE)
# A thing there only to hold on to ("wall or sturdy chair to steady yourself").
_SUPPORT = re.compile(r"\s*,?\s*to steady yourself$", re.IGNORECASE)


def _with_article(item: str) -> str:
    return f"{'an' if item[:1].lower() in 'aeiou' else 'a'} {item}"


def equipment_line(equipment: Sequence[str]) -> str:
    """What to get ready before the first position, phrased from what each item is: a
    thing to fetch ("You need a foam roller and a yoga mat. Get them ready now."), a
    place to go to ("Go to your bed."), or a support to stand beside ("Stand within reach
    of a wall or sturdy chair, to steady yourself.")."""
    fetch = [item for item in equipment if not (_PLACES.match(item) or _SUPPORT.search(item))]
    sentences = []
    if fetch:
        them = "it" if len(fetch) == 1 else "them"
        items = [_with_article(item) for item in fetch]
        sentences.append(f"You need {word_list(items, 'and')}. Get {them} ready now.")
    for item in equipment:
        if _PLACES.match(item):
            sentences.append(f"Go to your {item}.")
        elif _SUPPORT.search(item):
            support = _with_article(_SUPPORT.sub("", item))
            sentences.append(f"Stand within reach of {support}, to steady yourself.")
    return " ".join(sentences)


def question_line(question: str) -> str:
    """A question as asked: its own sentence, then how to answer it."""
    return f"{question.strip()} {HOW_TO_ANSWER}"


def step_label(text: str) -> str:
    """A label for a step: its whole first sentence. It names the step's chapter, and a
    phone's player scrolls a long name; one cut short ("Lean back until your…") says less."""
    sentence = text.strip()
    for mark in (". ", "? ", "! "):
        sentence = sentence.split(mark, 1)[0]
    return sentence.rstrip(".!?,;: ")


# --- what the player says while a routine plays ------------------------------------------

GETTING_READY = "Getting ready."
# The numeric pain rating, asked at the start and at the end of a session.
RATING_QUESTION = (
    "How is your back, from 0 to 10? 0 is no pain, 10 the worst you can imagine. Press a number."
)


def rating_noted(value: int) -> str:
    """Said when a rating is taken: the number, so a wrong key is heard."""
    return f"{number_words(value).capitalize()}, noted."


NO_QUESTION = "There is no question to answer."
NOTHING_TO_REPEAT = "Nothing to repeat yet."
PAUSED = "Paused."
GOING_ON = "Going on."
SKIPPING_TO_THE_END = "Skipping to the end."
STOPPING_HERE = "Stopping here."
DONE_AFTER_THIS = "Then you are done."

_SIDE_TITLE = re.compile(r"\s*\((left|right)\)$")


def spoken_title(title: str) -> str:
    """A step title as said aloud: "Twist (right)" as "Twist, right side", no "…"."""
    title = title.rstrip("…").rstrip(" ,;:")
    return _SIDE_TITLE.sub(lambda m: f", {m.group(1)} side", title)


def step_heading(number: int, last: int, title: str) -> str:
    return f"Step {number} of {last}: {spoken_title(title)}."


def now_doing(text: str) -> str:
    return f"Now: {text.rstrip('.')}."


def next_step(title: str | None) -> str:
    """What comes next: the step titled ``title``, or (None) the end."""
    return DONE_AFTER_THIS if title is None else f"Next: {spoken_title(title)}."


def jumping_to(title: str | None, *, back: bool) -> str:
    """The answer to a skip or a step back landing on ``title`` (None: the end)."""
    if title is None:
        return SKIPPING_TO_THE_END
    return f"{'Back to' if back else 'Skipping to'}: {spoken_title(title)}."


def breaths_left(later: int) -> str:
    """What to say with ``later`` breaths still to come after this one."""
    return "This is the last breath." if later == 0 else f"This breath, then {later} more."


def seconds_left(kind: str, left: int) -> str:
    """Time left in a hold (``kind`` "hold") or a rest."""
    unit = "second" if left == 1 else "seconds"
    if kind == "hold":
        return f"{left} {unit} left in this hold."
    return f"{left} {unit} of rest left."


# --- before and after a routine ----------------------------------------------------------

HYPERMOBILITY = (
    "Cracking your back too often can make it hypermobile: too loose to hold itself well."
)

# What to do after a stop for pain: said after "Stopping here.", and printed after the
# line that says where play stopped (which says that already).
PAIN_ADVICE = (
    "Come out of the position slowly, and rest. Breathe easily. "
    "If the pain persists, please see a doctor."
)
PAIN_EXIT = f"{STOPPING_HERE} {PAIN_ADVICE}"

# Said and shown when a rating of how the back feels rises a lot during a session, or is
# high at all: the sources' advice, to stop when it hurts and to have persistent pain seen.
RATING_ADVICE = (
    "With pain like this, stop for today, and if it persists, see a doctor or a physical therapist."
)


def pain_last_time(step: int, title: str) -> str:
    """Said once, at the next play of a routine that was stopped for pain."""
    return (
        f"Last time, you stopped this routine because something hurt, in step {step}: "
        f"{spoken_title(title)}. Unless you choose otherwise, that step is left out today."
    )


def stretch_instead(title: str) -> str:
    """After a crack routine that hurt: the stretch to try instead."""
    return f"A stretch is usually the better choice: you could try {title} instead."
