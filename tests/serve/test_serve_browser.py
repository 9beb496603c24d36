"""The phone's page in a real headless Chromium (the distribution's, driven through its
chromedriver; nothing is downloaded): opened through the address `voiceguide serve`
prints, played, and checked against the cue list the server publishes."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support.serving import ServeProcess, request, serve_process

# Every test here drives the page in Chromium, so tests/conftest.py marks each `audio`: the
# page plays the session in real time and the words must keep up with it.
pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
TOLERANCE = 0.25  # seconds between a cue's start and the words changing on screen
ROUTINE = "floor-option1"

# Runs before the page's own script: keeps every Media Session action handler the page
# registers, so the test can press "next" and "previous" as a headset would.
RECORD_HANDLERS = """
window.recordedHandlers = {};
const original = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
navigator.mediaSession.setActionHandler = (action, handler) => {
  window.recordedHandlers[action] = handler;
  return original(action, handler);
};
"""

# Notes the audio clock each time the shown cue changes.
WATCH_WORDS = """
window.wordChanges = [];
const words = document.getElementById("words");
const audio = document.getElementById("audio");
new MutationObserver(() => window.wordChanges.push(
  {cue: Number(words.dataset.cue), text: words.textContent, time: audio.currentTime}
)).observe(words, {attributes: true, attributeFilter: ["data-cue"]});
"""

# Text that, put in the page as it is, ends or reopens the page's script elements.
HOSTILE_TITLE = "<!--<script> & </script>"
HOSTILE_ROUTINE = f"""\
id: hostile
title: '{HOSTILE_TITLE}'
kind: stretch
steps:
  - say: 'Lie down. <!--<script> Rest.'
    pause: 2
  - say: Breathe out.
"""

needs_chromium = pytest.mark.skipif(
    not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)),
    reason="needs the distribution's chromium and chromium-driver",
)

T = TypeVar("T")


@pytest.fixture(scope="module")
def served() -> Iterator[ServeProcess]:
    with serve_process(ROUTINE, "--host", "127.0.0.1", "--port", "0") as running:
        yield running
        running.interrupt()


@pytest.fixture(scope="module")
def cue_list(served: ServeProcess) -> dict[str, Any]:
    page = request(served.origin, "GET", served.path).body.decode()
    link = re.search(rf'href="\.\./(files/[0-9a-f]+/{ROUTINE}\.cues\.json)"', page)
    assert link is not None, "the page links to no cue list"
    reply = request(served.origin, "GET", served.path.replace(f"{ROUTINE}/", link.group(1)))
    assert reply.status == 200
    document: dict[str, Any] = json.loads(reply.body)
    return document


@pytest.fixture
def browser(served: ServeProcess) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # as root, in a container
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(flag)
    # Off the test's session bus: Chromium would register an MPRIS player there and start
    # an accessibility bus, beside the media-key tests' players.
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    service = Service(executable_path=CHROMEDRIVER, env=env)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_HANDLERS})
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    folder = tmp_path_factory.mktemp("hostile")
    routine = folder / "hostile.yaml"
    routine.write_text(HOSTILE_ROUTINE, encoding="utf-8")
    with serve_process(str(routine), "--host", "127.0.0.1", "--port", "0") as running:
        yield running
        running.interrupt()


def wait_for(check: Callable[[], T], what: str, timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def spoken(cue_list: dict[str, Any]) -> list[dict[str, Any]]:
    return [cue for cue in cue_list["cues"] if cue["kind"] != "tone"]


def current_time(driver: Any) -> float:
    return float(driver.execute_script("return document.getElementById('audio').currentTime"))


def seek(driver: Any, seconds: float) -> None:
    driver.execute_script(f"document.getElementById('audio').currentTime = {seconds}")


def open_page(driver: Any, url: str) -> dict[str, Any]:
    """Open the routine page at ``url`` and wait until its audio's length is known; returns
    the data the page embeds for its script (cues, steps, questions, rating)."""
    driver.get(url)
    wait_for(
        lambda: driver.execute_script("return document.getElementById('audio').readyState >= 1"),
        "the audio",
    )
    data: dict[str, Any] = driver.execute_script(
        "return JSON.parse(document.getElementById('data').textContent)"
    )
    return data


@needs_chromium
def test_the_page_plays_with_the_words_in_time(
    browser: Any, served: ServeProcess, cue_list: dict[str, Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, served.url)
    play = browser.find_element(By.ID, "play")
    size, place = play.size, play.location
    assert place["y"] >= PHONE["height"] * 0.45 and size["height"] >= PHONE["height"] * 0.4
    assert size["width"] >= PHONE["width"] - 2
    screenshots = tmp_path / "screenshots"
    screenshots.mkdir()
    browser.save_screenshot(str(screenshots / "paused.png"))

    play.click()
    first = wait_for(lambda: current_time(browser) > 0.3 and current_time(browser), "playback")
    later = wait_for(lambda: current_time(browser) > first + 0.5 and current_time(browser), "time")
    assert later > first
    assert browser.find_element(By.ID, "play-label").text == "Pause"

    # Half a second before a cue in the middle, then watch the words change as it starts.
    cues = spoken(cue_list)
    middle = len(cues) // 2
    target = cues[middle]
    browser.execute_script(WATCH_WORDS)
    seek(browser, target["start"] - 1.0)
    changes = wait_for(
        lambda: [
            c for c in browser.execute_script("return window.wordChanges") if c["cue"] >= middle + 1
        ],
        "the words after the cue",
        timeout=30,
    )
    seen = {c["cue"]: c for c in browser.execute_script("return window.wordChanges")}
    assert middle in seen, seen
    assert seen[middle]["text"] == target["text"]
    assert abs(seen[middle]["time"] - target["start"]) <= TOLERANCE, (seen[middle], target)
    following = cues[middle + 1]
    assert seen[middle + 1]["text"] == following["text"]
    assert abs(seen[middle + 1]["time"] - following["start"]) <= TOLERANCE
    assert changes
    # For the README: the page while the longest instruction is being said.
    longest = max(cues, key=lambda cue: len(cue["text"]))
    seek(browser, longest["start"] + 0.3)
    wait_for(lambda: browser.find_element(By.ID, "words").text == longest["text"], "the words")
    browser.save_screenshot(str(screenshots / "playing.png"))
    keep_screenshots(screenshots)


@needs_chromium
def test_a_step_in_the_list_jumps_to_its_start(
    browser: Any, served: ServeProcess, cue_list: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url)
    steps = cue_list["steps"]
    buttons = browser.find_elements(By.CSS_SELECTOR, "#steps button")
    assert [b.text.split(" ", 1)[1] for b in buttons] == [s["title"] for s in steps]
    buttons[2].click()
    assert current_time(browser) == pytest.approx(steps[2]["start"], abs=TOLERANCE)
    current = browser.find_element(By.CSS_SELECTOR, "#steps li.current")
    assert current.text.split(" ", 1)[1] == steps[2]["title"]
    shown = browser.find_element(By.ID, "words").text
    started = [c for c in spoken(cue_list) if c["start"] <= steps[2]["start"] + 0.001]
    assert shown == started[-1]["text"]


@needs_chromium
def test_the_lock_screen_gets_the_step_and_next_previous(
    browser: Any, served: ServeProcess, cue_list: dict[str, Any]
) -> None:
    browser.get(served.url)
    steps = cue_list["steps"]
    metadata = browser.execute_script(
        "const m = navigator.mediaSession.metadata;"
        "return m && {title: m.title, artist: m.artist, album: m.album};"
    )
    assert metadata == {
        "title": steps[0]["title"],
        "artist": "voiceguide",
        "album": cue_list["title"],
    }
    actions = browser.execute_script("return Object.keys(window.recordedHandlers)")
    assert {"play", "pause", "nexttrack", "previoustrack"} <= set(actions)

    browser.execute_script("window.recordedHandlers.nexttrack({action: 'nexttrack'})")
    assert current_time(browser) == pytest.approx(steps[1]["start"], abs=0.01)
    title = browser.execute_script("return navigator.mediaSession.metadata.title")
    assert title == steps[1]["title"]
    browser.execute_script("window.recordedHandlers.nexttrack({action: 'nexttrack'})")
    assert current_time(browser) == pytest.approx(steps[2]["start"], abs=0.01)
    browser.execute_script("window.recordedHandlers.previoustrack({action: 'previoustrack'})")
    assert current_time(browser) == pytest.approx(steps[1]["start"], abs=0.01)

    browser.execute_script("window.recordedHandlers.play({action: 'play'})")
    wait_for(
        lambda: browser.execute_script("return !document.getElementById('audio').paused"), "play"
    )
    assert browser.execute_script("return navigator.mediaSession.playbackState") == "playing"
    browser.execute_script("window.recordedHandlers.pause({action: 'pause'})")
    wait_for(
        lambda: browser.execute_script("return document.getElementById('audio').paused"), "pause"
    )


def keep_screenshots(folder: Path) -> None:
    """Also copy them where a person can look: $VOICEGUIDE_SCREENSHOTS, if set."""
    target = os.environ.get("VOICEGUIDE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in folder.iterdir():
            shutil.copy(shot, Path(target) / shot.name)


@needs_chromium
def test_a_title_that_looks_like_markup_still_plays_and_shows_words(
    browser: Any, hostile_served: ServeProcess
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, hostile_served.url)
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE_TITLE
    browser.find_element(By.ID, "play").click()
    wait_for(lambda: current_time(browser) > 0.3, "playback")
    assert browser.find_element(By.ID, "play-label").text == "Pause"
    wait_for(
        lambda: browser.find_element(By.ID, "words").text == "Lie down. <!--<script> Rest.",
        "the words said",
    )
    assert browser.find_element(By.ID, "step").text  # the step being said, named


def questions(cue_list: dict[str, Any]) -> list[dict[str, float]]:
    """Each question of the served routine: where it is asked, its window, its round and
    the step after the round, from the published cue list."""
    steps, found = cue_list["steps"], []
    for phase in (p for p in cue_list["phases"] if p["kind"] == "answer"):
        closing = next(
            c
            for c in cue_list["cues"]
            if c["tone"] == "window-close" and c["start"] >= phase["end"]
        )
        found.append(
            {
                "asked": steps[phase["step"]]["start"],
                "opens": phase["start"],
                "closes": phase["end"],
                "decided": closing["end"],
                "round": steps[phase["step"] + 1]["start"],
                "resume": steps[phase["step"] + 2]["start"],
            }
        )
    return found


@needs_chromium
def test_two_large_buttons_answer_a_question_and_silence_goes_on(
    browser: Any, served: ServeProcess, cue_list: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, served.url)
    first, second = questions(cue_list)[:2]
    answer_box = browser.find_element(By.ID, "answer")
    assert not answer_box.is_displayed()
    browser.find_element(By.ID, "play").click()
    wait_for(lambda: current_time(browser) > 0.1, "playback")

    # During the question, two large buttons in place of play/pause.
    seek(browser, first["asked"] + 0.5)
    wait_for(answer_box.is_displayed, "the answer buttons")
    assert not browser.find_element(By.ID, "play").is_displayed()
    for name in ("again", "goon"):
        button = browser.find_element(By.ID, name)
        assert button.size["height"] >= PHONE["height"] * 0.2
        assert button.size["width"] >= PHONE["width"] - 2
    # "Go on": past the round.
    browser.find_element(By.ID, "goon").click()
    wait_for(lambda: current_time(browser) >= first["resume"] - 0.01, "going on", timeout=10)
    assert not answer_box.is_displayed()

    # Back before the window: asked again. "One more": the round plays.
    seek(browser, first["asked"] + 0.5)
    wait_for(answer_box.is_displayed, "the question asked again")
    browser.find_element(By.ID, "again").click()
    wait_for(lambda: current_time(browser) > first["round"] + 1.5, "the round", timeout=15)
    assert current_time(browser) < first["resume"]
    assert not answer_box.is_displayed()

    # No answer: once the closing tone has been heard, past the round.
    seek(browser, second["closes"] - 0.5)
    wait_for(lambda: current_time(browser) >= second["resume"] - 0.01, "going on", timeout=10)
