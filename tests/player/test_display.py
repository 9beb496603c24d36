"""The display: what it shows for a player's status, and clock formatting."""

from __future__ import annotations

from rich.console import Console

from voiceguide.player.display import KEYS_HELP, Display, render
from voiceguide.player.state import Status
from voiceguide.text import clock


def shown(status: Status) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(render(status))
    return console.export_text()


def status(**changes: object) -> Status:
    base = {
        "title": "Floor option 1",
        "position": 75.4,
        "duration": 322.1,
        "step": 2,
        "step_label": "2/4",
        "step_title": "Knees to chest (right)",
        "next_title": "Knees to chest (left)",
        "paused": False,
        "message": None,
    }
    base.update(changes)
    return Status(**base)  # type: ignore[arg-type]


def test_it_shows_the_routine_the_steps_the_time_and_the_keys() -> None:
    text = shown(status())
    assert "Floor option 1" in text
    assert "Now  2/4  Knees to chest (right)" in text
    assert "Next Knees to chest (left)" in text
    assert "1:15 / 5:22  ·  4:06 left" in text
    assert KEYS_HELP in text
    assert "PAUSED" not in text


def test_the_total_is_rounded_as_every_other_length_while_the_clock_counts_whole_seconds() -> None:
    # 6:45.6 long: a length of 6:46, as `list`, `show` and the line when play ends say it.
    text = shown(status(position=75.6, duration=405.6))
    assert "1:15 / 6:46" in text
    assert f"/ {clock(405.6)}" in text


def test_paused_the_last_step_and_a_message() -> None:
    text = shown(
        status(
            paused=True,
            step=4,
            step_label="4/4",
            step_title="Closing",
            next_title=None,
            message="Paused: space to go on",
        )
    )
    assert "PAUSED" in text
    assert "Now  4/4  Closing" in text
    assert "Next the end" in text
    assert "Paused: space to go on" in text


def test_before_the_first_step() -> None:
    assert "Now  getting ready" in shown(status(step=-1, step_label=None, step_title=None))


def test_clock() -> None:
    assert [clock(s, floor=True) for s in (0, 59.9, 61, 3600, 3725)] == [
        "0:00",
        "0:59",
        "1:01",
        "1:00:00",
        "1:02:05",
    ]
    assert clock(-3, floor=True) == clock(-3) == "0:00"


def test_the_live_display_draws_on_its_console_and_leaves_nothing_behind() -> None:
    console = Console(width=100, record=True, force_terminal=True, color_system=None)
    with Display(console) as display:
        display.update(status())
    assert "Knees to chest (right)" in console.export_text()


def test_it_shows_the_voice_being_prepared_and_a_wait_for_it() -> None:
    text = shown(status(rendered=(12, 40), waiting=True))
    assert "Preparing the voice: 12 of 40 clips" in text
    assert "Waiting for the voice to catch up…" in text
    done = shown(status(rendered=(40, 40)))
    assert "Preparing" not in done and "Waiting" not in done
