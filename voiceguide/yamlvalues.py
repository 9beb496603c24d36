"""Checked values from a YAML file read with positions (``yamlfile``): a number in a range,
true or false, one of a few words, a text. Each refusal is the caller's error class at the
value's file, line and column, saying what was found and what to write instead. The
routine loader and the config file read their values with the same ``ValueReader``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from voiceguide.errors import FileFormatError, SourcePosition
from voiceguide.text import did_you_mean
from voiceguide.yamlfile import YamlMap

W = TypeVar("W", bound=str)


def shown(value: Any) -> str:
    """A value as the user wrote it, short, for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"
    if isinstance(value, float):
        short = f"{value:g}"
        # 1.0000001 is not "1": shortened only where nothing is lost.
        return short if float(short) == value else repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def not_text_hint(value: Any) -> str:
    """Why YAML read a value as something other than the text that was meant."""
    if isinstance(value, bool):
        return " (YAML reads yes, no, on and off as true or false: put the text in quotes)"
    if isinstance(value, int | float):
        return " (put it in quotes)"
    return ""


class ValueReader:
    """Reads and checks values of the YAML file ``path``; ``fail`` raises ``error`` at a
    position in it (the start of the file when there is none)."""

    def __init__(self, error: type[FileFormatError], path: Path) -> None:
        self.error = error
        self.path = path

    def fail(self, message: str, where: SourcePosition | None = None) -> NoReturn:
        raise self.error(message, where or SourcePosition(self.path, 1, 1))

    def number(
        self,
        mapping: YamlMap,
        key: str,
        low: float,
        high: float,
        *,
        what: str | None = None,
        integer: bool = False,
        example: str | None = None,
    ) -> float:
        """``mapping[key]``, a number from ``low`` to ``high`` (a whole one if ``integer``,
        which then comes back as an int; 3.0 counts as whole)."""
        value = mapping[key]
        what = what or f"'{key}'"
        where = mapping.value_positions[key]
        if integer and isinstance(value, float) and value.is_integer():
            value = int(value)
        wanted = int | float if not integer else int
        if isinstance(value, bool) or not isinstance(value, wanted):
            kind = "a whole number" if integer else "a number"
            like = f", like '{example}'" if example else ""
            self.fail(
                f"{what} must be {kind} from {low:g} to {high:g}{like}, not {shown(value)}", where
            )
        if not low <= value <= high:  # also refuses nan
            self.fail(f"{what} must be from {low:g} to {high:g}, not {shown(value)}", where)
        return value

    def true_or_false(self, mapping: YamlMap, key: str) -> bool:
        """``mapping[key]``, true or false."""
        value = mapping[key]
        if not isinstance(value, bool):
            self.fail(
                f"'{key}' must be true or false, like '{key}: true', not {shown(value)}",
                mapping.value_positions[key],
            )
        return value

    def word(self, mapping: YamlMap, key: str, words: Sequence[W], hint: str = "") -> W:
        """``mapping[key]``, one of ``words``; ``hint`` is added to the refusal (after a
        "did you mean" when the value is text)."""
        value = mapping[key]
        for word in words:
            if value == word:
                return word
        if isinstance(value, str):
            hint = did_you_mean(value, words) + hint
        listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
        self.fail(
            f"'{key}' must be {listed}, not {shown(value)}{hint}", mapping.value_positions[key]
        )

    def checked_text(
        self, value: Any, where: SourcePosition, what: str, *, limit: int | None = None
    ) -> str:
        """``value``, a text that is not empty (nor longer than ``limit``), stripped."""
        if value is None:
            self.fail(f"{what} is empty; write the text, or leave the key out", where)
        if not isinstance(value, str):
            self.fail(f"{what} must be text, not {shown(value)}{not_text_hint(value)}", where)
        text = value.strip()
        if not text:
            self.fail(f"{what} is empty; write the text, or leave the key out", where)
        if limit is not None and len(text) > limit:
            self.fail(
                f"{what} is {len(text)} characters long; at most {limit} are allowed: "
                "split it into shorter steps",
                where,
            )
        return text
