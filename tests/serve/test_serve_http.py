"""The server over real HTTP on loopback: the token, read-only, no way out of what is
served, Range requests and the headers a phone's browser needs, many clients at once,
and the podcast feed read back."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import json
import os
import re
import socket
import struct
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.routines import sided_routine_file
from tests.support.serving import Reply, request, site_server
from voiceguide.app.export import export_routines
from voiceguide.export.writer import ExportedRoutine
from voiceguide.render.options import RenderOptions, VoiceOptions
from voiceguide.routine.library import load_routine
from voiceguide.script.records import Script
from voiceguide.serve import feed
from voiceguide.serve.site import Document, LiveDocument, Site, build_site
from voiceguide.serve.token import new_token


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path
) -> list[ExportedRoutine]:
    folder = tmp_path_factory.mktemp("routines")
    out = tmp_path_factory.mktemp("served")
    routines = [
        load_routine(sided_routine_file(folder, routine_id)) for routine_id in ("one", "two")
    ]
    options = RenderOptions(VoiceOptions(engine="espeak-ng"))
    return export_routines(routines, out, options, shared_cache_dir, fmt="mp3")


@pytest.fixture(scope="module")
def served(exported: list[ExportedRoutine]) -> Iterator[tuple[str, Site]]:
    token = new_token()
    with site_server(lambda origin: build_site(exported, token, origin)) as running:
        yield running


def file_url(served: tuple[str, Site], name: str) -> str:
    """Where the file ``name`` is served: under the digest of its content."""
    (found,) = [key for key in served[1].resources if key.endswith("/" + name)]
    assert re.fullmatch(rf"files/[0-9a-f]{{16}}/{re.escape(name)}", found), found
    return found


def get(served: tuple[str, Site], name: str, **headers: str) -> Reply:
    origin, site = served
    return request(origin, "GET", f"/{site.token}/{name}", headers)


def test_the_entry_page_lists_the_routines_and_the_feed(served: tuple[str, Site]) -> None:
    origin, site = served
    assert site.entry_url == f"{origin}/{site.token}/"
    reply = request(origin, "GET", urlsplit(site.entry_url).path)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    text = reply.body.decode()
    assert 'href="one/"' in text and 'href="two/"' in text and 'href="feed.xml"' in text
    assert reply.headers["referrer-policy"] == "no-referrer"


def test_a_routine_page_is_self_contained(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    reply = get(served, "one/")
    assert reply.status == 200
    text = reply.body.decode()
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    # Nothing from anywhere else: every link and source is relative to this server.
    for link in re.findall(r'(?:src|href)="([^"]*)"', text):
        assert not re.match(r"[a-z]+:|//", link), link
    embedded = re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1))
    script = exported[0].script
    spoken = [c for c in script.cues if c.kind != "tone"]
    assert [c["text"] for c in data["cues"]] == [c.text for c in spoken]
    assert [c["start"] for c in data["cues"]] == [round(c.start, 3) for c in spoken]
    assert [s["title"] for s in data["steps"]] == [s.title for s in script.steps]
    for name in ("one.mp3", "one.lrc", "one.cues.json", "one.vtt", "one.chapters.json"):
        assert f'href="../{file_url(served, name)}" download="{name}"' in text


def test_without_the_token_every_path_is_not_found(served: tuple[str, Site]) -> None:
    origin, site = served
    token = site.token
    paths = [
        "/",
        "/feed.xml",
        "/one/",
        "/files/one.mp3",
        f"/{token[:-1]}/feed.xml",
        f"/{token}x/feed.xml",
        f"/{token.upper()}/feed.xml" if token.upper() != token else "/X/feed.xml",
        f"/x/{token}/feed.xml",
        "/favicon.ico",
        "/robots.txt",
    ]
    for path in paths:
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
            reply = request(origin, method, path)
            assert reply.status == 404, (method, path)
            assert token.encode() not in reply.body


def test_nothing_outside_what_is_served_can_be_reached(served: tuple[str, Site]) -> None:
    origin, site = served
    t = site.token
    paths = [
        f"/{t}/files/",
        f"/{t}/files",
        f"/{t}/files/../feed.xml",
        f"/{t}/../{t}/feed.xml",
        f"/{t}/files/../../etc/passwd",
        f"/{t}/files/%2e%2e/%2e%2e/etc/passwd",
        f"/{t}/files/..%2f..%2fetc%2fpasswd",
        f"/{t}/files/%2E%2E%2Fone.mp3",
        f"/{t}/files/%252e%252e%252fetc%252fpasswd",
        f"/{t}//etc/passwd",
        f"/{t}/files//etc/passwd",
        f"/{t}/files/{Path.cwd()}/pyproject.toml",
        f"/{t}/files/.",
        f"/{t}/files/one.mp3/",
        f"/{t}/files/one.mp3%00.txt",
        f"/{t}/files/ONE.MP3",
        f"/{t}/files/one.mp3",  # the name without its content's digest
        f"/{t}/one",
        f"/{t}/nope?x=/etc/passwd",
    ]
    for path in paths:
        reply = request(origin, "GET", path)
        assert reply.status == 404, path
        assert b"root:" not in reply.body


def test_writing_is_refused(served: tuple[str, Site]) -> None:
    origin, site = served
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        reply = request(origin, method, f"/{site.token}/{file_url(served, 'one.mp3')}")
        assert reply.status == 405
        assert reply.headers["allow"] == "GET, HEAD"


def test_a_served_file_that_became_a_symlink_is_refused(
    exported: list[ExportedRoutine], tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    copy = tmp_path / "one.lrc"
    copy.write_bytes(exported[0].files[2].read_bytes())
    files = (exported[0].files[0], exported[0].files[1], copy, *exported[0].files[3:])
    item = ExportedRoutine("one", "One", exported[0].duration, files, exported[0].script)
    # A symlink beside the served files, never in the table, is not reachable either.
    os.symlink(tmp_path / "secret.txt", tmp_path / "link.lrc")
    with site_server(lambda origin: build_site([item], new_token(), origin)) as running:
        lrc = file_url(running, "one.lrc")
        assert get(running, lrc).status == 200
        assert get(running, lrc.replace("one.lrc", "link.lrc")).status == 404
        copy.unlink()
        os.symlink(tmp_path / "secret.txt", copy)
        reply = get(running, lrc)
        assert reply.status == 404
        assert b"secret" not in reply.body


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("one.mp3", "audio/mpeg"),
        ("one.lrc", "text/plain; charset=utf-8"),
        ("one.vtt", "text/vtt; charset=utf-8"),
        ("one.cues.json", "application/json"),
        ("one.chapters.json", "application/json"),
    ],
)
def test_files_have_their_type_length_and_validators(
    served: tuple[str, Site], exported: list[ExportedRoutine], name: str, media_type: str
) -> None:
    path = next(p for p in exported[0].files if p.name == name)
    reply = get(served, file_url(served, name))
    assert reply.status == 200
    assert reply.body == path.read_bytes()
    assert reply.headers["content-type"] == media_type
    assert int(reply.headers["content-length"]) == path.stat().st_size
    assert reply.headers["accept-ranges"] == "bytes"
    assert reply.headers["etag"].startswith('"')
    assert reply.headers["last-modified"].endswith(" GMT")
    assert "max-age" in reply.headers["cache-control"]


def test_head_gives_the_headers_without_the_body(served: tuple[str, Site]) -> None:
    origin, site = served
    full = get(served, file_url(served, "one.mp3"))
    head = request(origin, "HEAD", f"/{site.token}/{file_url(served, 'one.mp3')}")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(full.body))
    assert head.headers["etag"] == full.headers["etag"]
    page = request(origin, "HEAD", f"/{site.token}/one/")
    assert page.status == 200 and page.body == b""


def test_range_requests_give_206_with_the_bytes_asked_for(served: tuple[str, Site]) -> None:
    whole = get(served, file_url(served, "one.mp3")).body
    size = len(whole)
    reply = get(served, file_url(served, "one.mp3"), Range="bytes=100-1099")
    assert reply.status == 206
    assert reply.body == whole[100:1100]
    assert reply.headers["content-range"] == f"bytes 100-1099/{size}"
    assert reply.headers["content-length"] == "1000"
    tail = get(served, file_url(served, "one.mp3"), Range="bytes=-500")
    assert tail.status == 206 and tail.body == whole[-500:]
    rest = get(served, file_url(served, "one.mp3"), Range=f"bytes={size - 10}-")
    assert rest.status == 206 and rest.body == whole[-10:]
    beyond = get(served, file_url(served, "one.mp3"), Range=f"bytes={size + 10}-")
    assert beyond.status == 416


def test_a_cached_copy_is_confirmed_with_304(served: tuple[str, Site]) -> None:
    mp3 = file_url(served, "one.mp3")
    first = get(served, mp3)
    again = get(served, mp3, **{"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b""
    since = get(served, mp3, **{"If-Modified-Since": first.headers["last-modified"]})
    assert since.status == 304
    page = get(served, "one/")
    assert get(served, "one/", **{"If-None-Match": page.headers["etag"]}).status == 304
    assert get(served, file_url(served, "one.mp3"), **{"If-None-Match": '"other"'}).status == 200


def test_a_burst_of_20_downloads_all_arrive_whole(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    expected = exported[0].files[0].read_bytes()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda _n: get(served, file_url(served, "one.mp3")), range(20)))
    assert [r.status for r in replies] == [200] * 20
    assert all(r.body == expected for r in replies)


def test_a_client_leaving_mid_download_does_not_disturb_the_others(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    origin, site = served
    expected = exported[0].files[0].read_bytes()
    parts = urlsplit(origin)

    def leave_early() -> int:
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            path = f"/{site.token}/{file_url(served, 'one.mp3')}"
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            received = len(sock.recv(4096))
            # Close with a reset, as a phone that loses the network does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return received

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        leaving = [pool.submit(leave_early) for _ in range(5)]
        staying = [pool.submit(get, served, file_url(served, "one.mp3")) for _ in range(5)]
        assert all(f.result() > 0 for f in leaving)
        assert all(f.result().body == expected for f in staying)
    assert get(served, file_url(served, "one.mp3")).body == expected


def test_the_feed_is_rss_with_chapters_and_transcripts(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    origin, site = served
    reply = get(served, "feed.xml")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/rss+xml; charset=utf-8"
    rss = ET.fromstring(reply.body)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == site.base_url
    assert channel.findtext(f"{{{feed.ITUNES}}}explicit") == "false"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [e.title for e in exported]
    for item, routine in zip(items, exported, strict=True):
        enclosure = item.find("enclosure")
        assert enclosure is not None
        audio = fetch(origin, enclosure.get("url", ""))
        assert audio.body == routine.files[0].read_bytes()
        assert enclosure.get("length") == str(len(audio.body))
        assert enclosure.get("type") == "audio/mpeg"
        assert item.findtext(f"{{{feed.ITUNES}}}duration") == str(round(routine.duration))
        assert item.find("guid") is not None and item.findtext("pubDate")
        chapter_link = item.find(f"{{{feed.PODCAST}}}chapters")
        assert chapter_link is not None
        assert chapter_link.get("type") == "application/json+chapters"
        document = json.loads(fetch(origin, chapter_link.get("url", "")).body)
        assert document["version"] == "1.2.0"
        assert [(c["startTime"], c["endTime"], c["title"]) for c in document["chapters"]] == [
            (round(s.start, 3), round(s.end, 3), s.title) for s in routine.script.steps
        ]
        transcript = item.find(f"{{{feed.PODCAST}}}transcript")
        assert transcript is not None and transcript.get("type") == "text/vtt"
        vtt = fetch(origin, transcript.get("url", "")).body.decode()
        assert vtt_cues(vtt) == spoken_cues(routine.script)


def test_gpodders_parser_finds_every_episode_with_chapters_and_transcript(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    import podcastparser

    origin, site = served
    reply = get(served, "feed.xml")
    podcast = podcastparser.parse(site.base_url + "feed.xml", io.BytesIO(reply.body))
    episodes = podcast["episodes"]
    # podcastparser sorts newest first; the routines' files may share their second
    assert sorted(e["title"] for e in episodes) == sorted(r.title for r in exported)
    for routine in exported:
        (episode,) = [e for e in episodes if e["title"] == routine.title]
        (enclosure,) = episode["enclosures"]
        assert fetch(origin, enclosure["url"]).body == routine.files[0].read_bytes()
        assert enclosure["mime_type"] == "audio/mpeg"
        # Whole seconds: podcastparser's own reading of the chapters' start times.
        assert [(c["start"], c["title"]) for c in episode["chapters"]] == [
            (int(s.start), s.title) for s in routine.script.steps
        ]
        vtt = fetch(origin, episode["transcript_url"]).body.decode()
        assert vtt_cues(vtt) == spoken_cues(routine.script)
        chapters = json.loads(fetch(origin, episode["chapters_json_url"]).body)
        assert len(chapters["chapters"]) == len(routine.script.steps)


def test_feedparser_reads_the_feed_well_formed_with_every_chapter(
    served: tuple[str, Site], exported: list[ExportedRoutine]
) -> None:
    import feedparser

    origin, _site = served
    parsed = feedparser.parse(get(served, "feed.xml").body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [r.title for r in exported]
    for entry, routine in zip(parsed.entries, exported, strict=True):
        (enclosure,) = entry.enclosures
        assert fetch(origin, enclosure.href).body == routine.files[0].read_bytes()
        assert [
            (c["start_parsed"].total_seconds(), c["title"]) for c in entry.psc_chapters["chapters"]
        ] == [(round(s.start, 3), s.title) for s in routine.script.steps]
        vtt = fetch(origin, entry.podcast_transcript["url"]).body.decode()
        assert vtt_cues(vtt) == spoken_cues(routine.script)


def fetch(origin: str, url: str) -> Reply:
    assert url.startswith(origin + "/"), url
    reply = request(origin, "GET", url[len(origin) :])
    assert reply.status == 200, url
    return reply


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    found = []
    for block in text.strip().split("\n\n")[1:]:
        _number, timing, words = block.split("\n", 2)
        start, end = (clock(part) for part in timing.split(" --> "))
        found.append((start, end, words))
    return found


def clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def spoken_cues(script: Script) -> list[tuple[float, float, str]]:
    return [
        (round(c.start, 3), round(max(c.end, c.start + 0.001), 3), c.text)
        for c in script.cues
        if c.kind != "tone"
    ]


def test_a_page_made_slowly_holds_up_no_other_request(
    exported: list[ExportedRoutine],
) -> None:
    # The slow page (as the practice view, which draws a chart) is finished only once a
    # file has been served meanwhile: made on the server's event loop, it would hold up
    # that file until its wait ran out, and be an error.
    page_begun, file_served = threading.Event(), threading.Event()

    def slow_page() -> Document:
        page_begun.set()
        assert file_served.wait(timeout=10), "the file waited for the slow page"
        return Document(b"slow", "text/plain")

    def build(origin: str) -> Site:
        site = build_site(exported, new_token(), origin)
        return dataclasses.replace(
            site, resources={**site.resources, "slow.txt": LiveDocument(slow_page)}
        )

    with site_server(build) as running, concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, running, "slow.txt")
        assert page_begun.wait(timeout=20)
        assert get(running, file_url(running, "one.mp3")).status == 200
        file_served.set()
        assert slow.result().body == b"slow"
