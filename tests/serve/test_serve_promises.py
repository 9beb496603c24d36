"""What docs/phone.md promises about the server, each against the real server on loopback:
connections that send nothing (or a byte at a time) are closed and cannot shut a phone
out, requests that are not HTTP are counted and said once, the Host header must name this
server, every method without the token is a 404, the page's JSON cannot break its script,
the Content-Security-Policy allows only the page's own style and script, and every file's
address carries its content's digest."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.routines import sided_routine_file, write_file
from tests.support.serving import Reply, request, site_server
from voiceguide.app.export import export_routines
from voiceguide.export.writer import ExportedRoutine
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import load_routine
from voiceguide.serve import server
from voiceguide.serve.site import Site, build_site
from voiceguide.serve.token import new_token

# Text that ends or reopens a <script> element if it reaches the page as it is.
HOSTILE_TITLE = "<!--<script> & </script> \u2028 end"
HOSTILE_ROUTINE = """\
id: hostile
title: "<!--<script> & </script> \\L end"
kind: stretch
steps:
  - say: 'Lie down </script><script>alert(1)</script> <!-- and rest. -->'
    pause: 1
"""


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path
) -> list[ExportedRoutine]:
    folder = tmp_path_factory.mktemp("routines")
    out = tmp_path_factory.mktemp("served")
    routines = [
        load_routine(sided_routine_file(folder, "one")),
        load_routine(write_file(folder, "hostile.yaml", HOSTILE_ROUTINE)),
    ]
    options = RenderOptions(VoiceOptions(engine="espeak-ng"))
    return export_routines(routines, out, options, shared_cache_dir, fmt="mp3")


@pytest.fixture(scope="module")
def notices() -> list[str]:
    return []


@pytest.fixture(scope="module")
def served(exported: list[ExportedRoutine], notices: list[str]) -> Iterator[tuple[str, Site]]:
    token = new_token()
    with site_server(lambda origin: build_site(exported, token, origin), notices) as running:
        yield running


def get(served: tuple[str, Site], name: str, **headers: str) -> Reply:
    origin, site = served
    return request(origin, "GET", f"/{site.token}/{name}", headers)


def connect(origin: str) -> socket.socket:
    parts = urlsplit(origin)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` (which sent it no whole request) in time."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_phone_is_answered_while_200_connections_idle_or_trickle(
    served: tuple[str, Site],
) -> None:
    origin, _site = served
    held = [connect(origin) for _ in range(150)]
    trickling = [connect(origin) for _ in range(50)]
    try:
        for sock in trickling:
            sock.sendall(b"GET / HT")  # a request head a byte at a time, never finished
        for _ in range(3):
            assert get(served, "one/").status == 200
            for sock in trickling:
                sock.sendall(b"T")
    finally:
        for sock in held + trickling:
            sock.close()


def test_connections_past_the_limit_make_room_by_closing_the_longest_idle(
    served: tuple[str, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    origin, _site = served
    monkeypatch.setattr(server, "REQUEST_HEAD_SECONDS", 600.0)  # not closed for that
    first = connect(origin)
    time.sleep(0.05)  # so that it is the one idle longest
    others = [connect(origin) for _ in range(server.MAX_CONNECTIONS)]
    try:
        assert get(served, "one/").status == 200
        assert closed_by_server(first, within=10)
    finally:
        for sock in [first, *others]:
            sock.close()


def test_an_idle_or_slow_connection_is_closed(
    served: tuple[str, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    origin, site = served
    monkeypatch.setattr(server, "REQUEST_HEAD_SECONDS", 0.5)
    idle, slow, between = connect(origin), connect(origin), connect(origin)
    with idle, slow, between:
        slow.sendall(b"GET /")
        between.sendall(f"GET /{site.token}/one/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert between.recv(12) == b"HTTP/1.1 200"
        between.sendall(b"GET /")  # the next request on a kept connection, never finished
        # Closed by the server: without the deadline, recv would wait for the whole timeout.
        assert closed_by_server(idle, within=20)
        assert closed_by_server(slow, within=20)
        assert closed_by_server(between, within=20)


def test_requests_that_are_not_http_are_counted_and_said_once(
    exported: list[ExportedRoutine], capfd: pytest.CaptureFixture[str]
) -> None:
    notices: list[str] = []
    with site_server(lambda origin: build_site(exported, new_token(), origin), notices) as (
        origin,
        _site,
    ):
        for _ in range(30):
            with connect(origin) as sock:
                sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
                assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
        assert len(notices) == 1
        assert "not valid HTTP" in notices[0]
    assert len(notices) == 2
    assert notices[1] == "the server refused 30 requests it could not read as HTTP"
    assert "Invalid HTTP request" not in "".join(capfd.readouterr())


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "", "[::2]"]
)
def test_a_foreign_host_header_is_not_found(served: tuple[str, Site], host: str) -> None:
    reply = get(served, "one/", Host=host)
    assert reply.status == 404
    assert reply.body == b"Not found\n"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:1", "localhost", "LOCALHOST:80", "[::1]:8765", "127.0.0.2"]
)
def test_loopback_and_the_served_address_are_answered(served: tuple[str, Site], host: str) -> None:
    assert get(served, "one/", Host=host).status == 200


def test_a_name_given_for_the_server_is_answered(exported: list[ExportedRoutine]) -> None:
    def build(origin: str) -> Site:
        return build_site(exported, new_token(), origin, ["Mat-Laptop.local"])

    with site_server(build) as running:
        assert get(running, "one/", Host="mat-laptop.local:8765").status == 200
        assert get(running, "one/", Host="other-laptop.local").status == 404


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL", "BREW", "CONNECT", "OPTIONS"])
def test_any_method_without_the_token_is_not_found(served: tuple[str, Site], method: str) -> None:
    origin, site = served
    for path in ("/", "/x/", f"/{site.token[:-1]}/one/"):
        reply = request(origin, method, path)
        assert reply.status == 404, (method, path)
        assert "allow" not in reply.headers


def embedded_data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_text_that_would_end_the_script_is_escaped_in_the_page(served: tuple[str, Site]) -> None:
    page = get(served, "hostile/").body.decode()
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert found is not None
    embedded = found.group(1)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in embedded
    data = embedded_data(page)
    assert data["title"] == HOSTILE_TITLE
    cues = data["cues"]
    assert isinstance(cues, list)
    assert any("</script><script>alert(1)</script> <!--" in cue["text"] for cue in cues)
    # The page's own script still follows, whole, as the last script element.
    assert page.count("<script>") == 1


def test_the_policy_allows_only_the_pages_own_style_and_script(served: tuple[str, Site]) -> None:
    for name in ("one/", "hostile/", ""):
        reply = get(served, name)
        policy = reply.headers["content-security-policy"]
        assert "unsafe-inline" not in policy
        assert "default-src 'none'" in policy
        page = reply.body.decode()
        for kind in ("style", "script"):
            bodies = re.findall(rf"<{kind}>(.*?)</{kind}>", page, re.S)
            digests = {
                "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
                for b in bodies
            }
            allowed = re.search(rf"{kind}-src ([^;]*)", policy)
            assert allowed is not None
            assert set(allowed.group(1).split()) == (digests or {"'none'"}), (name, kind)


def test_a_file_changed_under_a_kept_token_gets_a_new_address(
    exported: list[ExportedRoutine], tmp_path: Path
) -> None:
    token = new_token()
    copy = tmp_path / "one.lrc"
    copy.write_bytes(exported[0].files[2].read_bytes())
    original = exported[0]
    files = (*original.files[:2], copy, *original.files[3:])
    item = ExportedRoutine("one", "One", original.duration, files, original.script)
    with site_server(lambda origin: build_site([item], token, origin)) as before:
        (old,) = [name for name in before[1].resources if name.endswith("/one.lrc")]
        reply = get(before, old)
        assert reply.headers["cache-control"] == "private, max-age=31536000, immutable"
        assert get(before, "one/").headers["cache-control"] == "private, no-cache"
        assert f'href="../{old}"' in get(before, "one/").body.decode()
    copy.write_text("[00:00.00]changed\n", encoding="utf-8")
    with site_server(lambda origin: build_site([item], token, origin)) as after:
        (new,) = [name for name in after[1].resources if name.endswith("/one.lrc")]
        assert new != old
        assert get(after, old).status == 404
        assert get(after, new).body == b"[00:00.00]changed\n"
        assert f'href="../{new}"' in get(after, "one/").body.decode()
