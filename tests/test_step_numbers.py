"""One numbering of a routine's steps in every view, on every built-in routine.

"Before you start" (the title and the safety lines) is step 0 and is not counted; the
routine's first step is 1 and the closing is the last, N, where N is the number of steps
after the opening. The terminal shows "2/N", "where am I?" says "Step 2 of N", ``show``
heads the step "-- 2.", ``--from 2`` starts there, the phone's page shows "2/N", the
podcast feed says "N steps" and ``export --split`` writes step 2 as ``ID-02``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tests.support.cli import voiceguide
from tests.support.fake_output import FakeOutput
from voiceguide.export.writer import ExportedRoutine, split_output_files
from voiceguide.paths import builtin_routines_dir
from voiceguide.player.display import render
from voiceguide.player.player import Player
from voiceguide.player.whereami import answer_parts
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import find_routine
from voiceguide.script.compiler import compile_script
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.lookup import find_step
from voiceguide.script.records import CompileOptions, Script
from voiceguide.serve import feed, page

BUILT_IN = sorted(path.stem for path in builtin_routines_dir().glob("*.yaml"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def compiled(routine_id: str) -> Script:
    return compile_script(find_routine(routine_id), CompileOptions(), estimated_duration(160))


def counted(script: Script) -> int:
    """The steps a user counts: all but the opening."""
    assert script.steps[0].title == "Before you start"
    return len(script.steps) - 1


def terminal_line(script: Script, index: int) -> str:
    """The display's "Now" line while step ``index`` plays."""
    timeline = Timeline(script, 8000, 1, round(script.duration * 8000), (), {})
    status = Player(timeline, FakeOutput(), start_step=index).status()
    console = Console(width=200, record=True, color_system=None)
    console.print(render(status))
    (line,) = [line for line in console.export_text().splitlines() if line.startswith("Now")]
    return line


@pytest.mark.parametrize("routine_id", BUILT_IN)
def test_the_terminal_show_from_and_where_am_i_count_alike(routine_id: str) -> None:
    script = compiled(routine_id)
    last = counted(script)
    shown = voiceguide("show", routine_id).output
    headings = re.findall(r"^-- (\d+)\. (.*)$", shown, re.MULTILINE)
    assert headings == [(str(step.index), step.title) for step in script.steps]
    for number, step in enumerate(script.steps):
        assert terminal_line(script, number).split() == [
            "Now",
            f"{number}/{last}",
            *step.title.split(),
        ]
        heading = answer_parts(script, step.start)[0]
        assert heading.startswith(f"Step {number} of {last}: ")
        assert find_step(script, str(number)) == number


@pytest.mark.parametrize("routine_id", BUILT_IN)
def test_split_tracks_are_named_by_the_step_numbers(routine_id: str) -> None:
    script = compiled(routine_id)
    tracks = split_output_files(script, Path("out"), "mp3")[: len(script.steps)]
    names = [f"{routine_id}-{number:02d}.mp3" for number in range(counted(script) + 1)]
    assert [track.name for track in tracks] == names


def exported(script: Script, folder: Path) -> ExportedRoutine:
    """Files standing for an export of ``script``: the feed reads their sizes and bytes."""
    files = tuple(
        folder / f"{script.routine_id}{suffix}"
        for suffix in (".mp3", ".cues.json", ".lrc", ".vtt", ".chapters.json")
    )
    for path in files:
        path.write_bytes(b"x")
    return ExportedRoutine(script.routine_id, script.title, script.duration, files, script)


def test_the_feed_counts_the_steps_as_the_player_does(tmp_path: Path) -> None:
    scripts = [compiled(routine_id) for routine_id in BUILT_IN]
    items = [exported(script, tmp_path) for script in scripts]
    served = {path: f"files/{path.name}" for item in items for path in item.files}
    document = feed.feed_xml(items, "http://127.0.0.1/t/", served)
    found_items = ET.fromstring(document).findall("channel/item")
    assert len(found_items) == len(scripts)
    for item, script in zip(found_items, scripts, strict=True):
        description = item.findtext("description") or ""
        found = re.fullmatch(r"Before you start, then (\d+) steps: (.*)\.", description)
        assert found, description
        assert int(found[1]) == counted(script)
        assert found[2] == "; ".join(step.title for step in script.steps[1:])


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("needs the distribution's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    # Off the test's session bus, where Chromium would register a media player.
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.slow
def test_the_phone_page_counts_the_steps_as_the_player_does(chromium: Any, tmp_path: Path) -> None:
    links = page.Links(audio="none.mp3", downloads=(), home=None, feed="feed.xml")
    for routine_id in BUILT_IN:
        script = compiled(routine_id)
        last = counted(script)
        html = tmp_path / f"{routine_id}.html"
        html.write_text(page.routine_page(script, links), encoding="utf-8")
        chromium.get(html.as_uri())
        for number, step in enumerate(script.steps):
            line = chromium.execute_script(
                f"showStep({number}); return document.getElementById('step').textContent"
            )
            assert line == f"{number}/{last} · {step.title}", routine_id
