"""The one write the server accepts: the routine page posts its sessions and ratings into
the practice journal. Over real HTTP against voiceguide's own server, the journal read
back from its file after each post; every refusal checked, with nothing written."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.serve.test_serve_browser import (
    browser,
    current_time,
    keep_screenshots,
    needs_chromium,
    open_page,
    seek,
    wait_for,
)
from tests.serve.test_serve_practice import exported
from tests.support.routines import sided_routine_file
from tests.support.serving import Reply, ServeProcess, request, serve_process, site_server
from voiceguide.export.writer import ExportedRoutine
from voiceguide.practice.journal import Journal, PainStop, SessionRecord, SessionStart
from voiceguide.routine.library import load_routine
from voiceguide.script import phrasing
from voiceguide.serve import practice, sessions
from voiceguide.serve.site import Site, build_site
from voiceguide.serve.token import new_token

# The fixtures: Chromium, used below with this module's ``served``; two routines exported.
__all__ = ["browser", "exported"]

ENDPOINT = sessions.ENDPOINT


def starts(exported: list[ExportedRoutine], folder: Path) -> dict[str, SessionStart]:
    return {
        item.routine_id: SessionStart(
            load_routine(sided_routine_file(folder, item.routine_id)), 1.25, "espeak-ng", None
        )
        for item in exported
    }


@pytest.fixture
def site(exported: list[ExportedRoutine], tmp_path: Path) -> Iterator[tuple[str, Site]]:
    token = new_token()
    known = starts(exported, tmp_path)
    with site_server(
        lambda origin: build_site(exported, token, origin, journal=Journal(), starts=known)
    ) as served:
        yield served


def post(
    site: tuple[str, Site],
    body: bytes | dict[str, Any],
    *,
    path: str | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
) -> Reply:
    origin, served = site
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    sent = {"Origin": origin, "Content-Type": "application/json", **(headers or {})}
    try:
        connection.request(method, path or f"/{served.token}/{ENDPOINT}", body=data, headers=sent)
        response = connection.getresponse()
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def answer(reply: Reply, status: int = 200) -> Any:
    assert reply.status == status, (reply.status, reply.body)
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    return json.loads(reply.body)


def journal() -> list[SessionRecord]:
    """The journal as a new reader of its file sees it."""
    return Journal().sessions()


def start(site: tuple[str, Site], routine: str = "one") -> str:
    key = answer(post(site, {"action": "start", "routine": routine}), 201)["session"]
    assert isinstance(key, str)
    return key


def test_a_session_with_its_ratings_goes_into_the_journal_as_it_is_given(
    site: tuple[str, Site],
) -> None:
    key = start(site)
    [row] = journal()
    assert (row.routine_id, row.title, row.kind) == ("one", "Routine one", "stretch")
    assert (row.pace, row.engine, row.voice) == (1.25, "espeak-ng", None)
    assert row.ended is None and row.rating_before is None

    rated = post(site, {"action": "rate", "session": key, "moment": "before", "value": 3})
    assert answer(rated) == {"advice": None}
    assert journal()[0].rating_before == 3  # written at once, before the session ends

    rated = post(site, {"action": "rate", "session": key, "moment": "after", "value": 6})
    assert answer(rated) == {"advice": phrasing.RATING_ADVICE}  # a rise of 3
    assert journal()[0].rating_after == 6

    assert answer(post(site, {"action": "end", "session": key, "outcome": "completed"})) == {}
    [row] = journal()
    assert (row.outcome, row.rating_before, row.rating_after) == ("completed", 3, 6)
    assert row.ended is not None and row.ended >= row.started
    # Ended: the key records nothing more.
    again = post(site, {"action": "rate", "session": key, "moment": "after", "value": 1})
    assert "no such session" in answer(again, 400)["error"]
    assert journal()[0].rating_after == 6


def test_a_high_rating_before_gets_the_advice_at_once(site: tuple[str, Site]) -> None:
    key = start(site, "two")
    rated = post(site, {"action": "rate", "session": key, "moment": "before", "value": 8})
    assert answer(rated) == {"advice": phrasing.RATING_ADVICE}


def test_a_page_left_is_a_stopped_session_and_shows_in_the_practice_view(
    site: tuple[str, Site],
) -> None:
    first, second = start(site), start(site, "two")
    post(site, {"action": "end", "session": second, "outcome": "stopped"})
    post(site, {"action": "rate", "session": first, "moment": "before", "value": 4})
    post(site, {"action": "end", "session": first, "outcome": "completed"})
    rows = {row.routine_id: row for row in journal()}
    assert rows["two"].outcome == "stopped" and rows["two"].ended is not None
    assert rows["one"].outcome == "completed"
    origin, served = site
    view = request(origin, "GET", f"/{served.token}/{practice.PAGE}").body.decode()
    assert "<td>1</td><td>1</td>" in view.split("Routine one")[1].split("</tr>")[0]
    assert "<td>1</td><td>0</td>" in view.split("Routine two")[1].split("</tr>")[0]


NOT_JSON = [b"", b"{", b"\xff\xfe", b"[1]", b'"start"', b"null"]
BAD_MESSAGES: list[dict[str, Any]] = [
    {},
    {"action": "begin", "routine": "one"},
    {"action": ["start"], "routine": "one"},
    {"action": "start"},
    {"action": "start", "routine": "one", "extra": 1},
    {"action": "start", "routine": "three"},  # not served
    {"action": "start", "routine": 1},
    {"action": "end", "session": "made-up", "outcome": "completed"},
    {"action": "end", "session": ["x"], "outcome": "completed"},
]
BAD_RATINGS: list[dict[str, Any]] = [
    {"moment": "before", "value": 11},
    {"moment": "before", "value": -1},
    {"moment": "before", "value": True},
    {"moment": "before", "value": 3.0},
    {"moment": "before", "value": "3"},
    {"moment": "before", "value": None},
    {"moment": "during", "value": 3},
]


def test_what_the_page_does_not_send_is_400_and_writes_nothing(site: tuple[str, Site]) -> None:
    for body in NOT_JSON:
        assert answer(post(site, body), 400)["error"], body
    for message in BAD_MESSAGES:
        assert answer(post(site, message), 400)["error"], message
    assert journal() == []
    key = start(site)
    for rating in BAD_RATINGS:
        message = {"action": "rate", "session": key, **rating}
        assert answer(post(site, message), 400)["error"], rating
    for outcome in ("quit", "", None):
        message = {"action": "end", "session": key, "outcome": outcome}
        assert answer(post(site, message), 400)["error"], outcome
    wrong_type = post(
        site, b'{"action": "start", "routine": "one"}', headers={"Content-Type": "text/plain"}
    )
    assert answer(wrong_type, 400)["error"]
    [row] = journal()
    assert (row.rating_before, row.rating_after, row.ended) == (None, None, None)


def test_a_post_from_elsewhere_is_403(site: tuple[str, Site]) -> None:
    origin, _ = site
    port = urlsplit(origin).port
    message = {"action": "start", "routine": "one"}
    for other in (
        "http://evil.example",
        f"http://evil.example:{port}",
        f"http://localhost:{port}",  # served too, but not the name this page was opened by
        f"https://127.0.0.1:{port}",
        "null",
    ):
        assert answer(post(site, message, headers={"Origin": other}), 403)["error"], other
    # No Origin at all: not a browser's page of this server.
    origin_less = post(site, message, headers={"Origin": ""})
    assert answer(origin_less, 403)["error"]
    assert journal() == []


def test_a_body_over_the_limit_is_413(site: tuple[str, Site]) -> None:
    padding = "x" * sessions.MAX_BODY
    message = {"action": "start", "routine": "one", "pad": padding}
    assert answer(post(site, message), 413)["error"]
    # Told by Content-Length, or only found while reading a chunked body.
    origin, served = site
    parts = urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/{served.token}/{ENDPOINT}",
            body=iter([b"{" + b" " * 600, b" " * 600 + b"}"]),
            headers={"Origin": origin, "Content-Type": "application/json"},
            encode_chunked=True,
        )
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert journal() == []


def test_the_endpoint_is_behind_the_token_and_takes_only_post(site: tuple[str, Site]) -> None:
    origin, served = site
    message = {"action": "start", "routine": "one"}
    for path in (f"/{ENDPOINT}", f"/{served.token[:-1]}/{ENDPOINT}", f"/{served.token}/sessions"):
        assert post(site, message, path=path).status == 404, path
    wrong_host = post(site, message, headers={"Host": f"evil.example:{urlsplit(origin).port}"})
    assert wrong_host.status == 404
    for method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
        refused = post(site, b"", method=method)
        assert refused.status == 405 and refused.headers["allow"] == "POST", method
    # Every other name stays read-only.
    for name in ("", "one/", practice.PAGE):
        refused = post(site, message, path=f"/{served.token}/{name}")
        assert refused.status == 405 and refused.headers["allow"] == "GET, HEAD", name
    assert journal() == []


def test_an_unwritable_journal_is_503_and_the_page_goes_on(
    exported: list[ExportedRoutine], tmp_path: Path
) -> None:
    token = new_token()
    blocked = tmp_path / "journal.sqlite3"
    blocked.mkdir()  # a folder where the journal's file should be
    known = starts(exported, tmp_path)
    with site_server(
        lambda origin: build_site(exported, token, origin, journal=Journal(blocked), starts=known)
    ) as served:
        reply = post(served, {"action": "start", "routine": "one"})
        assert "journal" in answer(reply, 503)["error"]


def test_the_page_asks_for_ratings_only_where_sessions_are_recorded(
    site: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    origin, served = site
    page = request(origin, "GET", f"/{served.token}/one/").body.decode()
    data = json.loads(page.split('id="data">')[1].split("</script>")[0])
    script = exported[0].script
    assert data["rating"] == {
        "routine": "one",
        "before": round(script.steps[1].start, 3),
        "after": round(script.steps[-1].start, 3),
        "window": 60,
        "post": f"../{ENDPOINT}",
    }
    assert (
        "connect-src 'self'"
        in request(origin, "GET", f"/{served.token}/one/").headers["content-security-policy"]
    )
    token = new_token()
    with site_server(lambda o: build_site(exported, token, o, journal=Journal())) as (o, _):
        assert request(o, "GET", f"/{token}/{ENDPOINT}").status == 404
        page = request(o, "GET", f"/{token}/one/").body.decode()
        assert json.loads(page.split('id="data">')[1].split("</script>")[0])["rating"] is None


# --- in Chromium, through `voiceguide serve` ------------------------------------------------------


@pytest.fixture
def served(short: Path) -> Iterator[ServeProcess]:
    """``voiceguide serve`` of the short routine, with this test's journal."""
    with serve_process(str(short), "--host", "127.0.0.1", "--port", "0") as running:
        yield running
        running.interrupt()


def rated(moment: str, value: int) -> Callable[[], SessionRecord | None]:
    def check() -> SessionRecord | None:
        rows = journal()
        return rows[-1] if rows and getattr(rows[-1], f"rating_{moment}") == value else None

    return check


@pytest.mark.slow
@needs_chromium
def test_ratings_clicked_on_the_page_go_into_the_journal(
    browser: Any, served: ServeProcess, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    times = open_page(browser, served.url)["rating"]
    box = browser.find_element(By.ID, "rating")
    play = browser.find_element(By.ID, "play")
    assert not box.is_displayed()
    play.click()
    wait_for(lambda: current_time(browser) > 0.1, "playback")
    wait_for(lambda: len(journal()) == 1, "the session started")
    assert not box.is_displayed()  # the opening is not interrupted

    # The first step begins: asked over the audio, play/pause still where it was.
    seek(browser, times["before"] - 0.2)
    wait_for(box.is_displayed, "the rating asked at the start")
    assert not browser.execute_script("return document.getElementById('audio').paused")
    assert play.is_displayed()
    assert browser.find_element(By.ID, "words").text  # the words still shown, above
    digits = box.find_elements(By.CSS_SELECTOR, "[data-rating]")
    assert [d.text for d in digits] == [str(n) for n in range(11)]
    for button in digits:
        assert button.size["height"] >= 50 and button.size["width"] >= 80, button.size
    shots = tmp_path / "screenshots"
    shots.mkdir()
    browser.save_screenshot(str(shots / "rating.png"))
    digits[3].click()
    wait_for(lambda: not box.is_displayed(), "the rating closed")
    wait_for(rated("before", 3), "the rating before in the journal")
    assert not browser.find_element(By.ID, "advice").is_displayed()

    # The closing begins: asked again. The audio ends while it is asked: the session
    # ends only once it is answered, 9, which gets the advice on the page.
    seek(browser, times["after"] - 0.2)
    wait_for(box.is_displayed, "the rating asked at the end")
    seek(browser, browser.execute_script("return document.getElementById('audio').duration") - 0.3)
    wait_for(
        lambda: browser.execute_script("return document.getElementById('audio').ended"), "the end"
    )
    assert box.is_displayed() and journal()[-1].ended is None
    box.find_element(By.CSS_SELECTOR, "[data-rating='9']").click()
    advice = browser.find_element(By.ID, "advice")
    wait_for(advice.is_displayed, "the advice")
    assert advice.text == phrasing.RATING_ADVICE
    wait_for(lambda: journal()[-1].outcome == "completed", "the session completed")
    browser.save_screenshot(str(shots / "advice.png"))
    keep_screenshots(shots)
    [row] = journal()
    assert (row.routine_id, row.rating_before, row.rating_after) == ("short-check", 3, 9)

    # Played again: a second session. Its window (shortened here from a minute) passes
    # without an answer, the closing's is skipped, then the page is left: stopped, not rated.
    browser.execute_script("data.rating.window = 1.5")
    play.click()
    wait_for(lambda: len(journal()) == 2, "a second session")
    seek(browser, times["before"] - 0.2)
    wait_for(box.is_displayed, "the rating asked again")
    assert not advice.is_displayed()  # the last session's
    wait_for(lambda: not box.is_displayed(), "the window passed", timeout=10)
    seek(browser, times["after"] - 0.2)
    wait_for(box.is_displayed, "the rating asked at the end again")
    browser.find_element(By.ID, "rating-skip").click()
    wait_for(lambda: not box.is_displayed(), "skipped")
    assert play.is_displayed()
    browser.get("about:blank")
    wait_for(lambda: journal()[-1].outcome == "stopped", "the session stopped")
    second = journal()[-1]
    assert (second.rating_before, second.rating_after) == (None, None)

    # "Your practice" shows both.
    view = request(served.origin, "GET", served.path.replace("short-check/", practice.PAGE))
    row_html = view.body.decode().split("Short check</th>")[1].split("</tr>")[0]
    assert row_html.startswith("<td>2</td><td>1</td><td>0</td><td>+6</td>"), row_html


def test_without_the_token_a_body_is_never_waited_for(site: tuple[str, Site]) -> None:
    # A stranger announces a body and sends none: the 404 comes at once, as nothing of a
    # request without the token is read (a server waiting for it would time out here).
    origin, _ = site
    parts = urlsplit(origin)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"POST /not-the-token/{ENDPOINT} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\nContent-Type: application/json\r\n"
            "Content-Length: 500\r\n\r\n".encode()
        )
        reply = sock.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.1 404 ")


def test_a_stop_for_pain_records_the_step_that_hurt_as_the_s_key_does(
    site: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    titles = [s.title for s in exported[0].script.steps]
    key = start(site)
    for step in (-1, len(titles), 1.0, True, "1"):
        refused = post(site, {"action": "hurt", "session": key, "step": step})
        assert "the step is a number" in answer(refused, 400)["error"], step
    assert answer(post(site, {"action": "hurt", "session": key, "step": 1})) == {}
    [row] = journal()
    assert (row.outcome, row.reason) == ("stopped", "pain")
    assert row.pain_stop == PainStop(1, titles[1])
    # Ended: nothing more is taken from that key.
    again = post(site, {"action": "end", "session": key, "outcome": "completed"})
    assert "no such session" in answer(again, 400)["error"]
    assert journal()[0].outcome == "stopped"


@pytest.mark.slow
@needs_chromium
def test_it_hurts_on_the_page_stops_and_records_the_step(
    browser: Any, served: ServeProcess
) -> None:
    from selenium.webdriver.common.by import By

    steps = open_page(browser, served.url)["steps"]
    browser.find_element(By.ID, "play").click()
    wait_for(lambda: current_time(browser) > 0.1, "playback")
    wait_for(lambda: len(journal()) == 1, "the session started")
    seek(browser, steps[2]["start"] + 0.5)
    wait_for(lambda: current_time(browser) > steps[2]["start"] + 0.6, "the third step playing")
    browser.find_element(By.ID, "hurt").click()
    wait_for(lambda: journal()[0].outcome == "stopped", "the stop for pain recorded")
    assert browser.execute_script("return document.getElementById('audio').paused")
    assert browser.find_element(By.ID, "advice").text == phrasing.PAIN_EXIT
    [row] = journal()
    assert row.reason == "pain"
    assert row.pain_stop == PainStop(2, steps[2]["title"])
