"""Text from files is data on the terminal, never control."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import voiceguide
from tests.support.records import bare_routine
from voiceguide.errors import FileFormatError
from voiceguide.practice.journal import Journal, SessionStart, journal_path
from voiceguide.text import one_line, printable
from voiceguide.yamlfile import read_yaml

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # writes "hello" to the clipboard of many terminals


def test_printable_escapes_controls_and_keeps_lines() -> None:
    assert printable(f"a{OSC52}b\x9b2J\td\ne\ud800") == (
        "a\\x1b]52;c;aGVsbG8=\\x07b\\x9b2J\td\ne\\ud800"
    )
    assert one_line("one\r\ntwo\u2028three\x85four") == "one two three four"


@pytest.mark.parametrize(
    ("escape", "code", "kind"),
    [
        ("\\e]52;c;aGk=\\a", "001B", "a control character"),
        ("\\x9b2J", "009B", "a control character"),
        ("\\r", "000D", "a control character"),
        ("\\x7f", "007F", "a control character"),
        ("\\ud800", "D800", "an unpaired surrogate"),
        ("\\uFFFE", "FFFE", "a non-character"),
        ("\\uffff", "FFFF", "a non-character"),
        ("\\U0010FFFF", "10FFFF", "a non-character"),
        ("\\u202E", "202E", "a bidirectional control"),
        ("\\u2066", "2066", "a bidirectional control"),
    ],
)
@pytest.mark.parametrize("where", ["value", "key"])
def test_control_characters_are_refused_where_they_stand(
    tmp_path: Path, escape: str, code: str, kind: str, where: str
) -> None:
    path = tmp_path / "r.yaml"
    line = f'title: "Bad {escape} title"' if where == "value" else f'"k{escape}": 1'
    path.write_text(f"kind: stretch\n{line}\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=10_000)
    message = str(caught.value)
    assert message.startswith(f"{path}:2:")
    assert f"contains {kind} (U+{code}); remove it" in message
    assert message.isprintable()


@pytest.mark.parametrize(
    ("character", "code", "kind"),
    [("\ufffe", "FFFE", "a non-character"), ("\x01", "0001", "a control character")],
)
def test_a_character_yaml_refuses_written_as_it_is_is_placed_too(
    tmp_path: Path, character: str, code: str, kind: str
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(f"kind: stretch\ntitle: Bad{character} title\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        read_yaml(path, max_bytes=10_000)
    assert str(caught.value) == f"{path}:2:11: the file contains {kind} (U+{code}); remove it"


def test_bidirectional_controls_and_non_characters_are_escaped_when_printed() -> None:
    assert printable("abc\u202edef\u2067x\ufffe\U0010ffff") == (
        "abc\\u202edef\\u2067x\\ufffe\\U0010ffff"
    )
    # Marks that only say a direction, as right-to-left text uses, stay.
    assert printable("\u200f\u200e\u061c") == "\u200f\u200e\u061c"


def test_tabs_and_line_breaks_in_block_text_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('notes: |\n  One line.\n  Two\tcolumns.\ntitle: "a\\tb"\n', encoding="utf-8")
    assert read_yaml(path, max_bytes=10_000) == {
        "notes": "One line.\nTwo\tcolumns.\n",
        "title": "a\tb",
    }


def test_history_escapes_what_a_tampered_journal_holds() -> None:
    routine = bare_routine("chair", "crack")
    journal = Journal()
    journal.start_session(SessionStart(routine, pace=1.0, engine="pyttsx3", voice=None))
    with sqlite3.connect(journal_path()) as db:
        db.execute("UPDATE sessions SET routine_id = ?, reason = ?", (f"x{OSC52}[bold]", "\x9b"))
    db.close()
    result = voiceguide("history")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "x\\x1b]52;c;aGVsbG8=\\x07[bold]" in result.stdout


def test_an_error_naming_a_file_escapes_its_name(tmp_path: Path) -> None:
    result = voiceguide("show", str(tmp_path / f"no{OSC52}.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no such file: {tmp_path}/no\\x1b]52;c;aGVsbG8=\\x07.yaml\n"
