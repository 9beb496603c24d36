"""The values a routine file holds beyond the generic ones (``yamlvalues``): texts that may
be spoken, with their ``{side}`` and ``{other}`` placeholders, lists of texts, and
durations in seconds."""

from __future__ import annotations

from typing import Any

from voiceguide.errors import SourcePosition
from voiceguide.routine.format import MAX_SECONDS, MAX_TEXT, MAX_TIMES, PLACEHOLDERS, TEXT_BRACES
from voiceguide.text import did_you_mean
from voiceguide.yamlfile import YamlList, YamlMap
from voiceguide.yamlvalues import ValueReader, shown


class RoutineValues(ValueReader):
    """Reads the values of one routine file (``fail`` raises at a position in it)."""

    def text(
        self,
        mapping: YamlMap,
        key: str,
        *,
        spoken: bool,
        in_sides: bool,
        limit: int = MAX_TEXT,
    ) -> str:
        return self.text_value(
            mapping[key],
            mapping.value_positions[key],
            f"'{key}'",
            spoken=spoken,
            in_sides=in_sides,
            limit=limit,
        )

    def text_value(
        self,
        value: Any,
        where: SourcePosition,
        what: str,
        *,
        spoken: bool,
        in_sides: bool,
        limit: int = MAX_TEXT,
    ) -> str:
        text = self.checked_text(value, where, what, limit=limit)
        if spoken:
            self.placeholders(text, where, what, in_sides=in_sides)
        return text

    def placeholders(self, text: str, where: SourcePosition, what: str, *, in_sides: bool) -> None:
        for match in TEXT_BRACES.finditer(text):
            name = match.group(1)
            if name is None:
                self.fail(
                    f"{what} has a lone '{match.group(0)}'; braces are only for {{side}} "
                    "and {other}",
                    where,
                )
            if name not in PLACEHOLDERS:
                hint = did_you_mean(name, PLACEHOLDERS)
                self.fail(
                    f"{what} has an unknown placeholder '{{{name}}}'{hint} "
                    "(only {side} and {other} are filled in)",
                    where,
                )
            if not in_sides:
                self.fail(
                    f"'{{{name}}}' is only filled in inside a 'sides' block; write the side "
                    "out, or put this step under 'sides: [right, left]'",
                    where,
                )

    def text_list(self, data: YamlMap, key: str, *, spoken: bool) -> tuple[str, ...]:
        if key not in data:
            return ()
        value = data[key]
        if not isinstance(value, YamlList):
            self.fail(
                f"'{key}' must be a list, like '{key}: [first, second]' or one '- item' "
                f"a line, not {shown(value)}",
                data.value_positions[key],
            )
        return tuple(
            self.text_value(item, where, f"each item of '{key}'", spoken=spoken, in_sides=False)
            for item, where in zip(value, value.item_positions, strict=True)
        )

    def seconds(
        self, mapping: YamlMap, key: str, what: str | None = None, *, zero_ok: bool = False
    ) -> float:
        value = mapping[key]
        what = what or f"'{key}'"
        where = mapping.value_positions[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(
                f"{what} must be a number of seconds, like '{key}: 5', not {shown(value)}",
                where,
            )
        low_ok = value >= 0 if zero_ok else value > 0
        if not (low_ok and value <= MAX_SECONDS):  # also refuses nan
            low = "0 or more" if zero_ok else "more than 0"
            self.fail(
                f"{what} must be {low} and at most {MAX_SECONDS} seconds, not {shown(value)}"
                + ("; split a longer time into several steps" if value > MAX_SECONDS else ""),
                where,
            )
        return float(value)

    def times(self, mapping: YamlMap, key: str, what: str | None = None) -> int:
        count = self.number(
            mapping, key, 1, MAX_TIMES, what=what, integer=True, example=f"{key}: 3"
        )
        return int(count)
