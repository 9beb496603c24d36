"""Reading YAML files safely, with the position of every value.

This is the only module that knows YAML. It returns plain Python values wrapped so that a
validator can say *where* a value came from: mappings are ``YamlMap`` (a dict remembering
the position of each key and value), sequences ``YamlList``. Scalars are the plain values
``yaml.safe_load`` would give. Hostile input (huge files, alias bombs, bad bytes, duplicate
keys) becomes a ``FileFormatError`` subclass with a position, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from voiceguide.errors import FileFormatError, SourcePosition, UnreadableFileError
from voiceguide.reading import read_file
from voiceguide.text import CONTROL, printable

# Aliases can make a small document expand into a huge one ("billion laughs"); no honest
# routine or config file repeats anywhere near this many values through aliases, or nests
# this deep. Values written out are bounded by the file's size cap instead.
MAX_VALUES = 50_000
MAX_DEPTH = 64

# libyaml, PyYAML's C parser, composes a routine about 25 times faster than the pure-Python
# parser (the 18 built-in routines: 2 ms against 57 ms), where PyYAML was built with it. Its
# error messages are its own, so a file it refuses is parsed again in Python, whose words
# and positions are the ones users are shown.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


class YamlMap(dict[str, Any]):
    """A mapping that remembers where it, each key and each value stand in the file."""

    position: SourcePosition
    key_positions: dict[str, SourcePosition]
    value_positions: dict[str, SourcePosition]


class YamlList(list[Any]):
    """A sequence that remembers where it and each item stand in the file."""

    position: SourcePosition
    item_positions: list[SourcePosition]


def position_of(value: Any, fallback: SourcePosition) -> SourcePosition:
    """The position of a mapping or sequence, or ``fallback`` for a scalar."""
    return getattr(value, "position", fallback)


def read_yaml(path: Path, *, max_bytes: int, error: type[FileFormatError] = FileFormatError) -> Any:
    """Parse ``path`` and return its value; errors are raised as ``error``."""
    try:
        raw = read_file(path, max_bytes=max_bytes)
    except UnreadableFileError as exc:
        raise error(exc.message, exc.position) from None
    text = _decode(raw, path, error)
    return parse_yaml(text, path, error=error)


def parse_yaml(text: str, path: Path, *, error: type[FileFormatError] = FileFormatError) -> Any:
    """Parse YAML ``text`` (said to come from ``path``) into located values."""
    try:
        node = _compose(text)
    except RecursionError:
        # PyYAML composes recursively: thousands of nested brackets exhaust the stack.
        raise error(
            f"the file nests more than {MAX_DEPTH} levels deep; flatten it",
            SourcePosition(path, 1, 1),
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow, written as it is (not as an escape): its place.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise error(
            f"the file contains {_control_kind(code)} (U+{code:04X}); remove it",
            SourcePosition(path, line, column),
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark_position(path, mark) if mark else SourcePosition(path)
        problem = exc.problem or exc.context or "not valid YAML"
        raise error(f"YAML syntax error: {problem}", where) from None
    except yaml.YAMLError as exc:
        raise error(f"YAML syntax error: {exc}", SourcePosition(path)) from None
    if node is None:
        return None
    return _Converter(path, error).convert(node)


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # said again below, in the pure-Python parser's words
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _decode(raw: bytes, path: Path, error: type[FileFormatError]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise error(
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            SourcePosition(path, line, column),
        ) from None


def _mark_position(path: Path, mark: Any) -> SourcePosition:
    return SourcePosition(path, mark.line + 1, mark.column + 1)


class _Converter:
    """Turns a composed node tree into located Python values, like ``safe_load`` does."""

    def __init__(self, path: Path, error: type[FileFormatError]) -> None:
        self.path = path
        self.error = error
        self.count = 0  # values made again through an alias
        self.seen: set[int] = set()  # the nodes converted once already
        self.open_nodes: list[yaml.Node] = []  # the mappings and sequences being converted
        # SafeConstructor knows how to turn each scalar tag into a value (ints, bools, ...).
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node) -> Any:
        where = _mark_position(self.path, node.start_mark)
        if id(node) in self.seen:
            self.count += 1
        self.seen.add(id(node))
        if self.count > MAX_VALUES:
            raise self.error(
                f"the file's aliases expand to more than {MAX_VALUES} values; "
                "write the values out instead",
                where,
            )
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if any(node is open_node for open_node in self.open_nodes):
                raise self.error("an alias refers to the value it stands inside; remove it", where)
            if len(self.open_nodes) >= MAX_DEPTH:
                raise self.error(f"values nest more than {MAX_DEPTH} levels deep", where)
            self.open_nodes.append(node)
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node)
                return self._sequence(node)
            finally:
                self.open_nodes.pop()
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise self.error(
                f"cannot read the value {_excerpt(node)}: {_problem(exc)}", where
            ) from None
        if isinstance(value, str) and (control := CONTROL.search(value)):
            # Written as an escape in quotes ("\e", "\x9b", "\ud800"): text is shown and
            # spoken, and must never reach the terminal as a command or fail to encode.
            code = ord(control.group())
            kind = _control_kind(code)
            raise self.error(
                f"the text {_excerpt(node)} contains {kind} (U+{code:04X}); remove it", where
            )
        return value

    def _mapping(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap()
        result.position = _mark_position(self.path, node.start_mark)
        result.key_positions = {}
        result.value_positions = {}
        try:
            self.constructor.flatten_mapping(node)  # resolves "<<" merge keys
        except yaml.YAMLError as exc:
            raise self.error(
                f"a '<<' merge key must name a mapping: {_problem(exc)}",
                _mark_position(self.path, node.start_mark),
            ) from None
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            where = _mark_position(self.path, key_node.start_mark)
            if not isinstance(key, str):
                raise self.error(f"keys must be words, not {key!r}", where)
            if key in result:
                raise self.error(f"'{key}' is given twice in this mapping; keep one", where)
            result[key] = self.convert(value_node)
            result.key_positions[key] = where
            result.value_positions[key] = _mark_position(self.path, value_node.start_mark)
        return result

    def _sequence(self, node: yaml.SequenceNode) -> YamlList:
        result = YamlList(self.convert(item) for item in node.value)
        result.position = _mark_position(self.path, node.start_mark)
        result.item_positions = [_mark_position(self.path, item.start_mark) for item in node.value]
        return result


def _problem(exc: BaseException) -> str:
    """The short reason PyYAML or Python gives, without PyYAML's own position lines."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        return exc.problem
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _control_kind(code: int) -> str:
    if 0xD800 <= code <= 0xDFFF:
        return "an unpaired surrogate"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "a bidirectional control"
    if code >= 0xFDD0:
        return "a non-character"
    return "a control character"


def _excerpt(node: yaml.Node) -> str:
    text = str(node.value)
    return printable(repr(text if len(text) <= 30 else text[:27] + "..."))
