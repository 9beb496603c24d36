"""What is served, under which name: a fixed table made once, before the server starts.

A request names an entry of this table or gets 404. Nothing is looked up on disk from a
URL, so ``..``, encoded slashes, absolute paths and files that were not rendered for this
session cannot be reached; ``app`` also refuses an entry's file if it has since become a
symlink or anything but a regular file.

Each file's name carries a digest of its content (``files/DIGEST/NAME``): a file that
changes between two runs under a kept token changes its address, so a phone never plays
an old file against new words, and every file can be kept by the phone for a long time.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from voiceguide.export.writer import ExportedRoutine
from voiceguide.practice.journal import Journal, SessionStart
from voiceguide.serve import feed, page, practice, sessions
from voiceguide.serve.media import media_type

FEED = "feed.xml"
FILES = "files/"
_DIGEST_CHARS = 16  # 64 bits of SHA-256: no two files of one site share it
# The names by which this machine is reached from itself.
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


@dataclass(frozen=True)
class Document:
    """Made in memory: a page (with its Content-Security-Policy) or the feed."""

    body: bytes
    media_type: str
    policy: str | None = None


@dataclass(frozen=True)
class StoredFile:
    """A rendered file, served as it is on disk."""

    path: Path
    media_type: str


@dataclass(frozen=True)
class LiveDocument:
    """Made afresh for each request: what changes while the server runs (the journal)."""

    make: Callable[[], Document]


@dataclass(frozen=True)
class Endpoint:
    """The one name that takes a POST: ``handle`` answers a body with a status and JSON,
    or raises PhoneRequestError (400)."""

    handle: Callable[[bytes], tuple[int, dict[str, Any]]]


Resource = Document | StoredFile | LiveDocument | Endpoint


@dataclass(frozen=True)
class Site:
    """``resources`` by their name under ``base_url`` (which ends in ``/TOKEN/``);
    ``hosts``, the names a request's Host header may give (lower case, no port)."""

    token: str
    base_url: str
    resources: Mapping[str, Resource]
    entry: str
    hosts: frozenset[str]

    def serves_host(self, host: str | None) -> bool:
        """Whether a request with this Host header is for this server: one of ``hosts``
        or a loopback address. Any other name, a page's own in DNS rebinding among them,
        is not."""
        name = _host_name(host)
        if name is None:
            return False
        if name in self.hosts or name in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    @property
    def entry_url(self) -> str:
        """The address to open first: the routine's page, or the list of several."""
        return self.base_url + self.entry


def page_name(routine_id: str) -> str:
    return f"{routine_id}/"


def file_name(path: Path) -> str:
    """The name ``path`` is served under: its content's digest, then its own name."""
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()[:_DIGEST_CHARS]
    return f"{FILES}{digest}/{path.name}"


def build_site(
    exported: Sequence[ExportedRoutine],
    token: str,
    origin: str,
    names: Iterable[str] = (),
    journal: Journal | None = None,
    starts: Mapping[str, SessionStart] | None = None,
) -> Site:
    """The site for ``exported`` routines at ``origin`` (``http://host:port``), which
    answers requests for ``origin``'s host, loopback, and the host ``names``; with a
    ``journal``, the "Your practice" view of it too, and with ``starts`` (how each
    routine's audio was made, by id) as well, the endpoint by which the routine pages
    record their sessions and ratings in it."""
    base_url = f"{origin}/{token}/"
    resources: dict[str, Resource] = {}
    steps = {item.routine_id: tuple(s.title for s in item.script.steps) for item in exported}
    phone = (
        sessions.PhoneSessions(journal, starts, steps)
        if journal is not None and starts is not None
        else None
    )
    served: dict[Path, str] = {}
    for item in exported:
        for path in item.files:
            served[path] = file_name(path)
            resources[served[path]] = StoredFile(path, media_type(path))
        links = page.Links(
            audio=f"../{served[item.files[0]]}",
            downloads=tuple(
                (label, f"../{served[path]}", path.name)
                for label, path in zip(_labels(item.files[0].suffix), item.files, strict=True)
            ),
            home="../" if len(exported) > 1 else None,
            feed=f"../{FEED}",
            practice=f"../{practice.PAGE}" if journal else None,
            sessions=f"../{sessions.ENDPOINT}" if phone else None,
        )
        resources[page_name(item.routine_id)] = _page(page.routine_page(item.script, links))
    if phone is not None:
        resources[sessions.ENDPOINT] = Endpoint(phone.handle)
    resources[""] = _page(
        page.index_page(
            [(item.title, page_name(item.routine_id)) for item in exported],
            FEED,
            practice.PAGE if journal else None,
        )
    )
    if journal is not None:
        resources.update(_practice(journal))
    resources[FEED] = Document(feed.feed_xml(exported, base_url, served), feed.MEDIA_TYPE)
    entry = page_name(exported[0].routine_id) if len(exported) == 1 else ""
    hosts = {_host_name(urlsplit(origin).netloc), *(_host_name(name) for name in names)}
    return Site(token, base_url, resources, entry, frozenset(h for h in hosts if h))


def _practice(journal: Journal) -> dict[str, Resource]:
    """The "Your practice" view and its chart, read from ``journal`` at each request."""
    return {
        practice.PAGE: LiveDocument(lambda: _page(practice.practice_page(journal))),
        practice.CHART: LiveDocument(
            lambda: Document(
                practice.practice_chart(journal), practice.CHART_MEDIA_TYPE, practice.CHART_POLICY
            )
        ),
    }


def _page(text: str) -> Document:
    return Document(text.encode(), page.MEDIA_TYPE, page.content_policy(text))


def _host_name(host: str | None) -> str | None:
    """The name or address in a Host header (or a URL's), without port or brackets."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        address, bracket, _port = host[1:].partition("]")
        return address if bracket else None
    if host.count(":") > 1:  # an IPv6 address without brackets (not valid in a header)
        return host
    return host.partition(":")[0].removesuffix(".") or None


def _labels(audio_suffix: str) -> tuple[str, ...]:
    """What each exported file is, in ``export.output_files`` order."""
    kind = audio_suffix.lstrip(".").upper()
    chapters = "" if kind == "WAV" else ", with chapters"
    return (
        f"Audio ({kind}{chapters})",
        "Cue list (JSON)",
        "Synced lyrics (LRC)",
        "Captions (WebVTT)",
        "Chapters (JSON)",
    )
