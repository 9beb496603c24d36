from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.routines import write_file
from voiceguide.errors import FileFormatError, RoutineError
from voiceguide.yamlfile import MAX_VALUES, YamlList, YamlMap, read_yaml


def test_values_carry_their_positions(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc.yaml", "title: Test\nsteps:\n  - say: hello\n    hold: 5\n")
    data = read_yaml(path, max_bytes=1000)
    assert isinstance(data, YamlMap)
    assert data == {"title": "Test", "steps": [{"say": "hello", "hold": 5}]}
    assert (data.key_positions["steps"].line, data.key_positions["steps"].column) == (2, 1)
    steps = data["steps"]
    assert isinstance(steps, YamlList)
    assert steps.item_positions[0].line == 3
    assert steps[0].value_positions["hold"].line == 4
    assert steps[0].value_positions["hold"].column == 11


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc.yaml", "title: Test\nsteps: [unclosed\n")
    with pytest.raises(RoutineError) as caught:
        read_yaml(path, max_bytes=1000, error=RoutineError)
    assert str(caught.value).startswith(f"{path}:3:1: YAML syntax error:")


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc.yaml", "title: A\ntitle: B\n")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=1000)
    assert str(caught.value) == f"{path}:2:1: 'title' is given twice in this mapping; keep one"


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc.yaml", b"title: ok\nsay: caf\xe9\n")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=1000)
    assert str(caught.value) == (f"{path}:2:9: byte 0xe9 is not UTF-8; save the file as UTF-8")


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_file(tmp_path, "doc.yaml", "a: " + "x" * 5000 + "\n")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=2048)
    assert "at most 2 KiB is allowed" in str(caught.value)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write_file(tmp_path, "doc.yaml", "\n".join(lines) + "\n")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=100_000)
    assert f"more than {MAX_VALUES} values" in str(caught.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no such file"):
        read_yaml(tmp_path / "nope.yaml", max_bytes=1000)
    with pytest.raises(FileFormatError, match="is a folder"):
        read_yaml(tmp_path, max_bytes=1000)


def test_empty_document_is_none(tmp_path: Path) -> None:
    assert read_yaml(write_file(tmp_path, "doc.yaml", "# only a comment\n"), max_bytes=1000) is None


def test_scalars_are_typed_like_safe_load(tmp_path: Path) -> None:
    data = read_yaml(
        write_file(tmp_path, "doc.yaml", "a: 1\nb: 1.5\nc: true\nd: null\ne: '3'\n"), max_bytes=1000
    )
    assert data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "3"}
