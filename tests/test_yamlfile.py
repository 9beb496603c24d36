from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.routines import write_file
from voiceguide import yamlfile
from voiceguide.errors import FileFormatError, RoutineError
from voiceguide.yamlfile import MAX_VALUES, YamlList, YamlMap, parse_yaml, read_yaml

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "routines-bad"


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


# libyaml composes the nodes where it is installed; every value and every position must be
# what the pure-Python parser gives.

TRICKY = [
    'title: Café 🙂 au lait\nsteps:\n  - say: "naïve — ok"\n    hold: 5\n',
    "a: &x {b: 1, c: [2, 3]}\nd:\n  <<: *x\n  e: |\n    two\n    lines\n",
    "title: 'quoted: yes'\r\nsteps:\r\n- {say: hi, hold: 1.5}\r\n"
    "- say: >-\r\n    folded\r\n    text\r\n",
    "- 0x1f\n- 1_000\n- .inf\n- ~\n- 2026-12-01\n- yes\n- '007'\n",
    "key: \"tab\\tinside\"\nother: 'a\ttab'\n",
]


def _located(value: object) -> object:
    """A value with every position inside it, to compare whole trees."""
    if isinstance(value, YamlMap):
        return (
            (value.position.line, value.position.column),
            {
                key: (
                    (value.key_positions[key].line, value.key_positions[key].column),
                    (value.value_positions[key].line, value.value_positions[key].column),
                    _located(item),
                )
                for key, item in value.items()
            },
        )
    if isinstance(value, YamlList):
        return (
            (value.position.line, value.position.column),
            [
                ((where.line, where.column), _located(item))
                for where, item in zip(value.item_positions, value, strict=True)
            ],
        )
    return (type(value).__name__, value)


def _parsed_in_python_only(text: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(yamlfile, "_FAST_LOADER", None)
        return _located(parse_yaml(text, path))


def _documents() -> list[tuple[str, str]]:
    files = sorted((ROOT / "routines").glob("*.yaml")) + sorted(BAD.glob("*.yaml"))
    return [(path.name, path.read_text(encoding="utf-8")) for path in files] + [
        (f"tricky-{number}", text) for number, text in enumerate(TRICKY)
    ]


def test_libyaml_is_used_here() -> None:
    assert yamlfile._FAST_LOADER is not None  # else the test below compares Python with itself


@pytest.mark.parametrize(("name", "text"), _documents(), ids=lambda item: str(item)[:40])
def test_libyaml_and_python_give_the_same_values_and_positions(
    name: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / name
    try:
        expected = _parsed_in_python_only(text, path, monkeypatch)
    except FileFormatError as refused:
        with pytest.raises(FileFormatError) as caught:
            parse_yaml(text, path)
        assert str(caught.value) == str(refused)
        return
    assert _located(parse_yaml(text, path)) == expected


def test_libyaml_reads_a_tab_before_a_value(tmp_path: Path) -> None:
    # The one difference found: the pure-Python parser refuses a tab between a key and its
    # value, which YAML allows and libyaml reads.
    assert parse_yaml("key:\t value\n", tmp_path / "tab.yaml") == {"key": "value"}
