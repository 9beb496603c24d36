"""Loading routine files: YAML in, a validated ``Routine`` out.

Every mistake in a routine file becomes a ``RoutineError`` pointing at the offending key or
value (file:line:column) and saying what to write instead. The first mistake found stops
the load: a user fixes one thing at a time, and a message that is always about the first
problem in the file is easy to follow.

``routine: ID`` steps are resolved through the lookup the caller gives (the library's:
the user's routines folder, then the built-ins; see ``library.load_routine``), or as a
``.yaml`` path next to the including file; the whole included
``Routine`` is kept in the ``Include`` step. Cycles are refused and, like nesting, the
total size of a routine after expansion is bounded so that a hostile file cannot make the
compiler run for ever.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from voiceguide.errors import RoutineError, SourcePosition
from voiceguide.paths import builtin_routines_dir, user_routines_dir
from voiceguide.routine.format import (
    ACTIONS,
    ALL_STEP_KEYS,
    BREATHE_KEYS,
    DEFAULT_SIDES,
    FLAG_KEYS,
    ID_PATTERN,
    MAX_DEPTH,
    MAX_EXPANDED,
    MAX_FILE_BYTES,
    MAX_ID,
    MAX_NOTES,
    MAX_TEXT,
    SIDE_NAMES,
    STEP_KEYS,
    TOP_KEYS,
    YAML_SUFFIXES,
)
from voiceguide.routine.records import (
    COUNT_STYLES,
    KINDS,
    Block,
    Breathe,
    Caution,
    CountStyle,
    Include,
    Kind,
    Question,
    Repeat,
    Rest,
    Routine,
    Say,
    Sides,
    Step,
)
from voiceguide.routine.values import RoutineValues
from voiceguide.text import did_you_mean
from voiceguide.yamlfile import YamlList, YamlMap, read_yaml
from voiceguide.yamlvalues import not_text_hint, shown

# The file of the routine an include names by id; raises ``RoutineError`` (its message
# without a position) for an id it does not know.
IncludeLookup = Callable[[str], Path]


def load_file(path: Path, find_include: IncludeLookup) -> Routine:
    """Read and validate the routine file at ``path``, with its includes resolved
    (``find_include`` turns a ``routine: ID`` into a file)."""
    return _Loader(find_include).load(path).routine


@dataclass(frozen=True)
class _Loaded:
    """A routine and what its includes need to know: leaf steps after expansion and
    how deeply its blocks nest."""

    routine: Routine
    size: int
    depth: int


@dataclass(frozen=True)
class _Built:
    step: Step
    size: int
    depth: int


def _real_path(path: Path) -> Path:
    """``path`` with every link resolved; a symlink loop is left for reading to report
    (``Path.resolve`` raises RuntimeError on one)."""
    return Path(os.path.realpath(path))


def _library_folders() -> tuple[Path, ...]:
    return (user_routines_dir().resolve(), builtin_routines_dir().resolve())


def _says_anything_included(steps: Sequence[Step]) -> bool:
    """Whether any of ``steps`` is still said when a session includes them (a step marked
    ``alone`` is left out there; a block says something only through its steps)."""
    for step in steps:
        if isinstance(step, Block):
            if _says_anything_included(step.steps):
                return True
        elif isinstance(step, Include) or not step.alone:
            return True
    return False


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "my-routine"


class _Loader:
    """One top-level load: remembers the files already loaded (a routine included many
    times is read once) and the chain of files being loaded (to name a cycle)."""

    def __init__(self, find_include: IncludeLookup) -> None:
        self.find_include = find_include
        self.loaded: dict[Path, _Loaded] = {}
        self.chain: list[tuple[Path, str]] = []

    def load(self, path: Path) -> _Loaded:
        key = _real_path(path)
        if key in self.loaded:
            return self.loaded[key]
        data = read_yaml(path, max_bytes=MAX_FILE_BYTES, error=RoutineError)
        loaded = _File(self, path, key).routine(data)
        self.loaded[key] = loaded
        return loaded


class _File(RoutineValues):
    """Validation of one file; ``fail`` raises a ``RoutineError`` at a position in it."""

    def __init__(self, loader: _Loader, path: Path, resolved: Path) -> None:
        super().__init__(RoutineError, path)
        self.loader = loader
        self.resolved = resolved

    # -- the top level ----------------------------------------------------------------

    def routine(self, data: Any) -> _Loaded:
        if data is None:
            self.fail("the file is empty; a routine needs at least 'title:', 'kind:' and 'steps:'")
        if not isinstance(data, YamlMap):
            where = data.position if isinstance(data, YamlList) else None
            self.fail(
                "a routine file must be a mapping with 'title:', 'kind:' and 'steps:' at the "
                f"top, not {shown(data) if isinstance(data, YamlList) else 'a single value'}",
                where,
            )
        for key in data:
            if key not in TOP_KEYS:
                hint = did_you_mean(key, TOP_KEYS) or f"; a routine takes {', '.join(TOP_KEYS)}"
                self.fail(f"unknown key {shown(key)}{hint}", data.key_positions[key])
        for key, example in (
            ("title", "'title: Morning stretch'"),
            ("kind", "'kind: stretch' or 'kind: crack'"),
            ("steps", "'steps:' with a list of steps, like '- say: Lie on your back.'"),
        ):
            if key not in data:
                self.fail(f"missing '{key}'; add {example}", data.position)

        routine_id = self.routine_id(data)
        title = self.text(data, "title", spoken=True, in_sides=False)
        kind = self.kind(data)
        advice = (
            self.text(data, "advice", spoken=True, in_sides=False) if "advice" in data else None
        )
        optional = {
            key: self.text(data, key, spoken=False, in_sides=False, limit=limit)
            if key in data
            else None
            for key, limit in (
                ("summary", MAX_NOTES),
                ("source", MAX_TEXT),
                ("area", MAX_TEXT),
                ("position", MAX_TEXT),
                ("notes", MAX_NOTES),
            )
        }
        lists = {
            key: self.text_list(data, key, spoken=key != "equipment")
            for key in ("equipment", "contraindications", "cautions")
        }
        self.loader.chain.append((self.resolved, routine_id))
        try:
            steps, size, depth = self.steps(data, kind, depth=0, in_sides=False)
        finally:
            self.loader.chain.pop()
        routine = Routine(
            id=routine_id,
            title=title,
            kind=kind,
            steps=steps,
            path=self.path,
            summary=optional["summary"],
            advice=advice,
            source=optional["source"],
            area=optional["area"],
            position=optional["position"],
            equipment=lists["equipment"],
            contraindications=lists["contraindications"],
            cautions=lists["cautions"],
            notes=optional["notes"],
            bed=self.bed(data) if "bed" in data else None,
        )
        return _Loaded(routine, size, depth)

    def bed(self, data: YamlMap) -> str:
        """``bed:``: a soundscape's name (a word: no folder, no suffix) as it is, a file's
        path from the routine file's folder. Whether either can be used is known when it
        is opened for rendering, which names it if not."""
        value = data["bed"]
        if not isinstance(value, str) or not value.strip():
            self.fail(
                f"'bed' must be a soundscape's name (like 'waves') or an audio file's path, "
                f"not {shown(value)}{not_text_hint(value)}",
                data.value_positions["bed"],
            )
        path = Path(value).expanduser()
        if path.suffix == "" and path.name == value:
            return value
        return str(self.path.parent / path)

    def routine_id(self, data: YamlMap) -> str:
        stem = self.path.stem
        if "id" not in data:
            if ID_PATTERN.fullmatch(stem) and len(stem) <= MAX_ID:
                return stem
            self.fail(
                f"the file name '{stem}' cannot be used as the routine's id; add "
                f"'id: {_slug(stem)}' (lowercase letters, digits and dashes) or rename the file"
            )
        value = data["id"]
        where = data.value_positions["id"]
        if not isinstance(value, str):
            self.fail(f"'id' must be text, not {shown(value)}{not_text_hint(value)}", where)
        if not ID_PATTERN.fullmatch(value) or len(value) > MAX_ID:
            self.fail(
                "'id' must be lowercase letters, digits and dashes, not starting with a dash, "
                f"at most {MAX_ID} characters, like 'id: {_slug(value)}', not {shown(value)}",
                where,
            )
        if value != stem and self.resolved.parent in _library_folders():
            self.fail(
                f"this file is in a routines folder, where routines are found by file name: "
                f"write 'id: {stem}' (or leave 'id' out), or rename the file to '{value}.yaml'",
                where,
            )
        return value

    def kind(self, data: YamlMap) -> Kind:
        return self.word(data, "kind", KINDS)

    # -- steps ------------------------------------------------------------------------

    def steps(
        self, owner: YamlMap, kind: Kind, *, depth: int, in_sides: bool
    ) -> tuple[tuple[Step, ...], int, int]:
        """The ``steps`` list of ``owner``, with its expanded size and nesting depth."""
        value = owner["steps"]
        where = owner.value_positions["steps"]
        if not isinstance(value, YamlList):
            self.fail(
                f"'steps' must be a list of steps, each on a line starting with '- ', "
                f"not {shown(value)}",
                where,
            )
        if not value:
            self.fail("'steps' is empty; add at least one step, like '- say: Lie down.'", where)
        built = [
            self.step(item, item_where, kind, depth=depth, in_sides=in_sides)
            for item, item_where in zip(value, value.item_positions, strict=True)
        ]
        size = sum(b.size for b in built)
        if size > MAX_EXPANDED:
            self.too_big(size, owner.key_positions["steps"])
        return tuple(b.step for b in built), size, max(b.depth for b in built)

    def too_big(self, size: int, where: SourcePosition) -> NoReturn:
        self.fail(
            f"these steps expand to {size} steps once repeated; at most {MAX_EXPANDED} are "
            "allowed: lower a 'repeat' or 'cycles'",
            where,
        )

    def step(
        self, item: Any, where: SourcePosition, kind: Kind, *, depth: int, in_sides: bool
    ) -> _Built:
        if not isinstance(item, YamlMap):
            self.fail(
                f"each step must be a mapping with one action, like '- say: Lie down.', "
                f"not {shown(item)}",
                where,
            )
        for key in item:
            if key not in ALL_STEP_KEYS:
                hint = did_you_mean(key, ALL_STEP_KEYS) or (
                    f"; a step takes {', '.join(ALL_STEP_KEYS)}"
                )
                self.fail(f"unknown key {shown(key)} in a step{hint}", item.key_positions[key])
        action = self.action(item)
        for key in item:
            if key not in STEP_KEYS[action]:
                self.fail(self.misplaced(key, action), item.key_positions[key])
        line = where.line or 1
        if action == "say":
            return _Built(self.say(item, line, in_sides), 1, 0)
        if action == "breathe":
            breathe = self.breathe(item, line, in_sides)
            return _Built(breathe, breathe.cycles, 0)
        if action == "rest":
            say = self.optional_say(item, in_sides)
            rest = Rest(self.seconds(item, "rest"), line, say, alone=self.flag(item, "alone"))
            return _Built(rest, 1, 0)
        if action == "caution":
            text = self.text(item, "caution", spoken=True, in_sides=in_sides)
            return _Built(Caution(text, line, alone=self.flag(item, "alone")), 1, 0)
        if action == "routine":
            return self.include(item, line, kind, depth)
        return self.block(item, action, line, kind, depth, in_sides)

    def action(self, item: YamlMap) -> str:
        """The one thing this step does; ``say`` only counts when nothing else is there."""
        found = [key for key in item if key in ACTIONS and key != "say"]
        if len(found) > 1:
            self.fail(
                f"a step does one thing, but this one has '{found[0]}' and '{found[1]}'; "
                "split it into two steps",
                item.key_positions[found[1]],
            )
        if found:
            if "say" in item and found[0] not in ("breathe", "rest"):
                first, second = sorted(("say", found[0]), key=list(item).index)
                self.fail(
                    f"a step does one thing, but this one has '{first}' and '{second}'; "
                    "split it into two steps",
                    item.key_positions[second],
                )
            return found[0]
        if "say" in item:
            return "say"
        if "steps" in item:
            self.fail(
                "'steps' needs 'repeat: N', 'sides: [right, left]' or 'question: ...' beside it",
                item.key_positions["steps"],
            )
        for key in item:  # pause, hold, count, then or a flag, all belonging to an action
            if key in FLAG_KEYS:
                owners = " or ".join(f"'{a}'" for a, keys in STEP_KEYS.items() if key in keys)
                self.fail(f"'{key}' goes beside {owners}", item.key_positions[key])
            self.fail(
                f"'{key}' needs 'say:' beside it, with the words to speak first",
                item.key_positions[key],
            )
        self.fail(f"this step is empty; give it one of {', '.join(ACTIONS)}", item.position)

    def misplaced(self, key: str, action: str) -> str:
        allowed = ", ".join(f"'{k}'" for k in STEP_KEYS[action] if k != action)
        if action == "breathe" and key in ("hold", "count"):
            return (
                f"'{key}' goes inside the breathe mapping, like "
                f"'breathe: {{in: 4, hold: 4, out: 6}}'"
            )
        besides = f"; beside it you may write {allowed}" if allowed else ""
        return f"'{key}' does not go with '{action}'{besides}"

    def optional_say(self, item: YamlMap, in_sides: bool) -> str | None:
        return self.text(item, "say", spoken=True, in_sides=in_sides) if "say" in item else None

    def say(self, item: YamlMap, line: int, in_sides: bool) -> Say:
        text = self.text(item, "say", spoken=True, in_sides=in_sides)
        if "pause" in item and "hold" in item:
            self.fail(
                "give either 'pause' (silence to get ready) or 'hold' (a timed, counted hold), "
                "not both",
                item.key_positions["hold"],
            )
        for key in ("count", "then"):
            if key in item and "hold" not in item:
                self.fail(
                    f"'{key}' only goes with 'hold'; add 'hold: SECONDS' or remove '{key}'",
                    item.key_positions[key],
                )
        pause = self.seconds(item, "pause") if "pause" in item else None
        hold = self.seconds(item, "hold") if "hold" in item else None
        count = self.count_style(item) if "count" in item else "down"
        then = self.text(item, "then", spoken=True, in_sides=in_sides) if "then" in item else None
        return Say(
            text,
            line,
            pause=pause,
            hold=hold,
            count=count,
            then=then,
            attempt=self.flag(item, "attempt"),
            loads=self.flag(item, "loads"),
            alone=self.flag(item, "alone"),
        )

    def flag(self, item: YamlMap, key: str) -> bool:
        """A true-or-false key such as ``attempt`` or ``alone``; false when left out."""
        return key in item and self.true_or_false(item, key)

    def count_style(self, item: YamlMap) -> CountStyle:
        hint = " (YAML reads 'no' and 'off' as false: write 'count: none')"
        return self.word(item, "count", COUNT_STYLES, hint if item["count"] is False else "")

    def breathe(self, item: YamlMap, line: int, in_sides: bool) -> Breathe:
        spec = item["breathe"]
        if not isinstance(spec, YamlMap):
            self.fail(
                "'breathe' must be a mapping, like 'breathe: {in: 4, out: 6, cycles: 3}', "
                f"not {shown(spec)}",
                item.value_positions["breathe"],
            )
        for key in spec:
            if key not in BREATHE_KEYS:
                hint = did_you_mean(key, BREATHE_KEYS) or f"; it takes {', '.join(BREATHE_KEYS)}"
                self.fail(f"unknown key {shown(key)} in 'breathe'{hint}", spec.key_positions[key])
        for key, meaning in (("in", "breathe in"), ("out", "breathe out")):
            if key not in spec:
                self.fail(
                    f"'breathe' needs '{key}:', the seconds to {meaning}, like "
                    "'breathe: {in: 4, out: 6}'",
                    spec.position,
                )
        count = False
        if "count" in spec:
            count = spec["count"]
            if not isinstance(count, bool):
                self.fail(
                    f"'count' in 'breathe' must be true or false, not {shown(count)}",
                    spec.value_positions["count"],
                )
        return Breathe(
            inhale=self.seconds(spec, "in", "'in' (breathing in)"),
            exhale=self.seconds(spec, "out", "'out' (breathing out)"),
            line=line,
            hold_in=self.seconds(spec, "hold", zero_ok=True) if "hold" in spec else 0.0,
            hold_out=self.seconds(spec, "hold_out", zero_ok=True) if "hold_out" in spec else 0.0,
            cycles=self.times(spec, "cycles") if "cycles" in spec else 1,
            count=count,
            say=self.optional_say(item, in_sides),
            attempt=self.flag(item, "attempt"),
            loads=self.flag(item, "loads"),
            alone=self.flag(item, "alone"),
        )

    def block(
        self, item: YamlMap, action: str, line: int, kind: Kind, depth: int, in_sides: bool
    ) -> _Built:
        if "steps" not in item:
            what = {"repeat": "repeat", "sides": "do on each side"}.get(
                action, "do only when the answer asks for one more round"
            )
            self.fail(
                f"'{action}' needs 'steps:' beside it, with the steps to {what}",
                item.key_positions[action],
            )
        if depth + 1 > MAX_DEPTH:
            self.fail(
                f"blocks nest more than {MAX_DEPTH} deep here (repeat, sides, question and "
                "routine count); move this block out, or split the routine",
                item.key_positions[action],
            )
        if action == "repeat":
            times = self.times(item, "repeat")
            steps, size, inner = self.steps(item, kind, depth=depth + 1, in_sides=in_sides)
            step: Step = Repeat(times, steps, line)
        elif action == "question":
            times = 1
            text = self.text(item, "question", spoken=True, in_sides=in_sides)
            steps, size, inner = self.steps(item, kind, depth=depth + 1, in_sides=in_sides)
            step = Question(text, steps, line)
        else:
            sides = self.sides(item)
            times = len(sides)
            title = (
                self.text(item, "title", spoken=True, in_sides=True) if "title" in item else None
            )
            steps, size, inner = self.steps(item, kind, depth=depth + 1, in_sides=True)
            step = Sides(sides, steps, line, title=title)
        if times * size > MAX_EXPANDED:
            self.too_big(times * size, item.key_positions[action])
        return _Built(step, times * size, inner + 1)

    def sides(self, item: YamlMap) -> tuple[str, ...]:
        value = item["sides"]
        where = item.value_positions["sides"]
        if value is None:
            return DEFAULT_SIDES
        if not isinstance(value, YamlList):
            self.fail(
                f"'sides' must be a list, like 'sides: [right, left]', not {shown(value)}", where
            )
        for index, (side, side_where) in enumerate(zip(value, value.item_positions, strict=True)):
            if side not in SIDE_NAMES:
                hint = did_you_mean(side, SIDE_NAMES) if isinstance(side, str) else ""
                self.fail(f"{shown(side)} is not a side; write right or left{hint}", side_where)
            if side in value[:index]:
                self.fail(f"'{side}' is given twice in 'sides'; write each side once", side_where)
        if len(value) < 2:
            self.fail(
                "'sides' needs both sides, like 'sides: [right, left]'; for one side only, "
                "write the steps without 'sides'",
                where,
            )
        return tuple(value)

    def include(self, item: YamlMap, line: int, kind: Kind, depth: int) -> _Built:
        value = item["routine"]
        where = item.value_positions["routine"]
        if not isinstance(value, str) or not value.strip():
            self.fail(
                f"'routine' must be a routine id, like 'routine: chair', not {shown(value)}",
                where,
            )
        name = value.strip()
        path = self.include_path(name, where)
        resolved = _real_path(path)
        chain = self.loader.chain
        for index, (link, _) in enumerate(chain):
            if link == resolved:
                names = [routine_id for _, routine_id in chain[index:]]
                cycle = " -> ".join([*names, names[0]])
                self.fail(
                    f"including '{name}' here makes a cycle: {cycle}; a routine cannot "
                    "include itself, directly or through others",
                    where,
                )
        included = self.loader.load(path)
        if included.routine.kind == "crack" and kind == "stretch":
            self.fail(
                f"'{name}' is a crack routine, so a routine that includes it must be "
                "'kind: crack' too (the safety reminders depend on it)",
                where,
            )
        if not _says_anything_included(included.routine.steps):
            self.fail(
                f"'{name}' has nothing to say inside a session: every step of it is marked "
                "'alone: true'; leave 'alone' off the steps the session needs, or do not "
                "include it",
                where,
            )
        total_depth = depth + 1 + included.depth
        if total_depth > MAX_DEPTH:
            self.fail(
                f"including '{name}' here nests blocks {total_depth} deep; at most "
                f"{MAX_DEPTH} are allowed (repeat, sides, question and routine count)",
                where,
            )
        return _Built(Include(included.routine, line), included.size, included.depth + 1)

    def include_path(self, name: str, where: SourcePosition) -> Path:
        if name.endswith(YAML_SUFFIXES):
            if Path(name).name != name or "\\" in name:
                # The format promises a file in the same folder: a path could reach any
                # YAML file on the machine (and show pieces of it in error messages).
                self.fail(
                    f"'routine' names a file in the same folder as this one, like "
                    f"'routine: {Path(name).name or 'other.yaml'}', not a path: {shown(name)}",
                    where,
                )
            path = self.path.parent / name
            if not os.path.isfile(path):  # False too for a name too long to exist
                self.fail(f"no routine file '{name}' next to this one (looked for {path})", where)
            return path
        if not ID_PATTERN.fullmatch(name):
            self.fail(
                f"'routine' must be a routine id (lowercase letters, digits and dashes) or a "
                f"file name ending in .yaml, not {shown(name)}",
                where,
            )
        try:
            return self.loader.find_include(name)
        except RoutineError as exc:
            self.fail(exc.message, where)
