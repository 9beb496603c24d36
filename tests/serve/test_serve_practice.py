"""The phone's "Your practice" view: the journal's ratings charted with the same SVG as
``history --chart``, the counts per routine, read afresh at each request, behind the token
like everything else; over real HTTP, then in a real headless Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.serve.test_serve_browser import browser, keep_screenshots, needs_chromium, wait_for
from tests.support.records import bare_routine
from tests.support.routines import sided_routine_file
from tests.support.serving import ServeProcess, request, serve_process, site_server
from voiceguide.app.export import export_routines
from voiceguide.export.writer import ExportedRoutine
from voiceguide.practice.journal import Journal, PainStop, SessionStart, journal_path
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import load_routine
from voiceguide.serve import practice
from voiceguide.serve.site import Site, build_site
from voiceguide.serve.token import new_token

__all__ = ["browser"]  # the Chromium fixture, used below with this module's ``served``

SVG = "{http://www.w3.org/2000/svg}"
NOON = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)


def record(
    routine_id: str, days_ago: int, before: int | None, after: int | None, pain: bool = False
) -> None:
    journal = Journal()
    started = NOON - timedelta(days=days_ago)
    session = journal.start_session(
        SessionStart(bare_routine(routine_id, "stretch"), pace=1.0, engine="espeak-ng", voice=None),
        now=started,
    )
    if before is not None:
        journal.record_rating(session, "before", before)
    if after is not None:
        journal.record_rating(session, "after", after)
    if pain:
        journal.finish_session(
            session, "stopped", "pain", pain_stop=PainStop(1, "Lie down"), now=started
        )
    else:
        journal.finish_session(session, "completed", now=started + timedelta(minutes=5))


def a_month() -> None:
    record("one", 20, 6, 4)  # -2
    record("one", 15, 5, 4)  # -1
    record("one", 10, 7, None, pain=True)
    record("one", 5, 4, 1)  # -3
    record("two", 2, 3, 6)  # +3


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path
) -> list[ExportedRoutine]:
    folder = tmp_path_factory.mktemp("routines")
    routines = [load_routine(sided_routine_file(folder, name)) for name in ("one", "two")]
    options = RenderOptions(VoiceOptions(engine="espeak-ng"))
    out = tmp_path_factory.mktemp("served")
    return export_routines(routines, out, options, shared_cache_dir, fmt="mp3")


@pytest.fixture
def site(exported: list[ExportedRoutine]) -> Iterator[tuple[str, Site]]:
    token = new_token()
    with site_server(lambda origin: build_site(exported, token, origin, journal=Journal())) as s:
        yield s


def get(site: tuple[str, Site], name: str) -> Any:
    origin, served = site
    return request(origin, "GET", f"/{served.token}/{name}")


def routine_rows(page: str) -> list[list[str]]:
    return [
        re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
        for row in re.findall(r"<tr><th scope=row>.*?</tr>", page)
    ]


def test_the_view_has_the_chart_and_the_counts_per_routine(site: tuple[str, Site]) -> None:
    a_month()
    reply = get(site, practice.PAGE)
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    page = reply.body.decode()
    assert "<h1>Your practice</h1>" in page
    assert f'<img id="chart" src="{practice.CHART}"' in page
    assert routine_rows(page) == [
        ["One", "4", "3", "1", "−2"],  # the median of -3, -2, -1
        ["Two", "1", "1", "0", "+3"],
    ]
    assert "script-src 'none'" in reply.headers["content-security-policy"]


def test_the_chart_is_the_journals_ratings_as_svg(site: tuple[str, Site]) -> None:
    a_month()
    reply = get(site, practice.CHART)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("image/svg+xml")
    assert reply.headers["content-security-policy"] == practice.CHART_POLICY
    root = ET.fromstring(reply.body)
    counts = {}
    for gid in ("before", "after", "pain-stops"):
        group = root.find(f".//{SVG}g[@id='{gid}']")
        assert group is not None, gid
        counts[gid] = len(list(group.iter(f"{SVG}use")))
    assert counts == {"before": 5, "after": 4, "pain-stops": 1}


def test_a_session_played_while_serving_shows_at_the_next_request(site: tuple[str, Site]) -> None:
    record("one", 3, 5, 5)
    first = get(site, practice.PAGE)
    chart = get(site, practice.CHART)
    record("two", 0, 2, 1)
    again = get(site, practice.PAGE)
    assert again.headers["etag"] != first.headers["etag"]
    assert ["Two", "1", "1", "0", "−1"] in routine_rows(again.body.decode())
    assert get(site, practice.CHART).body != chart.body


def test_an_empty_journal_says_so_and_creates_nothing(site: tuple[str, Site]) -> None:
    page = get(site, practice.PAGE).body.decode()
    assert "No sessions recorded yet." in page and "<img" not in page
    assert ET.fromstring(get(site, practice.CHART).body).tag == f"{SVG}svg"
    assert not journal_path().exists()


def test_sessions_without_ratings_have_no_chart_yet(site: tuple[str, Site]) -> None:
    record("one", 1, None, None)
    page = get(site, practice.PAGE).body.decode()
    assert "No ratings yet" in page and "<img" not in page
    assert routine_rows(page) == [["One", "1", "1", "0", "–"]]


def test_a_routine_title_is_shown_as_text(site: tuple[str, Site]) -> None:
    journal = Journal()
    odd = replace(bare_routine("odd", "stretch"), title="<b>Bold</b> & co")
    journal.start_session(SessionStart(odd, pace=1.0, engine="espeak-ng", voice=None))
    page = get(site, practice.PAGE).body.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>" not in page


def test_the_view_is_behind_the_token(site: tuple[str, Site]) -> None:
    a_month()
    origin, served = site
    for name in (practice.PAGE, practice.CHART):
        assert request(origin, "GET", f"/{name}").status == 404
        assert request(origin, "GET", f"/{served.token[:-1]}/{name}").status == 404
        assert request(origin, "POST", f"/{served.token}/{name}").status == 405


def test_every_page_links_to_the_view(site: tuple[str, Site]) -> None:
    assert f'href="{practice.PAGE}">Your practice' in get(site, "").body.decode()
    assert f'href="../{practice.PAGE}">Your practice' in get(site, "one/").body.decode()


def test_a_site_without_a_journal_has_no_view(exported: list[ExportedRoutine]) -> None:
    token = new_token()
    with site_server(lambda origin: build_site(exported, token, origin)) as (origin, _):
        assert request(origin, "GET", f"/{token}/{practice.PAGE}").status == 404
        assert "Your practice" not in request(origin, "GET", f"/{token}/").body.decode()


# --- in Chromium, through `voiceguide serve` ------------------------------------------------------


@pytest.fixture
def served(short: Path) -> Iterator[ServeProcess]:
    """``voiceguide serve`` of the short routine, with this test's journal."""
    with serve_process(str(short), "--host", "127.0.0.1", "--port", "0") as running:
        yield running
        running.interrupt()


@pytest.mark.slow
@needs_chromium
def test_your_practice_in_chromium(browser: Any, served: ServeProcess, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    a_month()
    browser.get(served.url)
    browser.find_element(By.ID, "practice").click()
    wait_for(lambda: browser.title == "Your practice · voiceguide", "the practice view")
    chart = browser.find_element(By.ID, "chart")
    # Chromium fetched the SVG with the token and drew it: it has its own size.
    width = wait_for(
        lambda: browser.execute_script("return arguments[0].naturalWidth", chart), "the chart"
    )
    assert width > 300 and chart.size["width"] <= 390
    assert browser.execute_script("return arguments[0].complete", chart)
    rows = [
        [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
        for row in browser.find_elements(By.CSS_SELECTOR, "#routines tbody tr")
    ]
    assert rows == [["One", "4", "3", "1", "−2"], ["Two", "1", "1", "0", "+3"]]
    # All of it on the phone's screen: nothing runs off to the right.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    shots = tmp_path / "screenshots"
    shots.mkdir()
    browser.save_screenshot(str(shots / "practice.png"))
    keep_screenshots(shots)
    # A session recorded while the page is open is there after a reload.
    record("one", 0, 3, 2)
    browser.refresh()
    first = browser.find_element(By.CSS_SELECTOR, "#routines tbody tr")
    assert [c.text for c in first.find_elements(By.CSS_SELECTOR, "th, td")][1] == "5"
