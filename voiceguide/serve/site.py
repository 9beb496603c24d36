"""What is served, under which name: a fixed table made once, before the server starts.

A request names an entry of this table or gets 404. Nothing is looked up on disk from a
URL, so ``..``, encoded slashes, absolute paths and files that were not rendered for this
session cannot be reached; ``app`` also refuses an entry's file if it has since become a
symlink or anything but a regular file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.export.writer import ExportedRoutine
from voiceguide.serve import feed, page
from voiceguide.serve.media import media_type

FEED = "feed.xml"
FILES = "files/"


@dataclass(frozen=True)
class Document:
    """Made in memory: a page or the feed."""

    body: bytes
    media_type: str


@dataclass(frozen=True)
class StoredFile:
    """A rendered file, served as it is on disk."""

    path: Path
    media_type: str


Resource = Document | StoredFile


@dataclass(frozen=True)
class Site:
    """``resources`` by their name under ``base_url`` (which ends in ``/TOKEN/``)."""

    token: str
    base_url: str
    resources: Mapping[str, Resource]
    entry: str

    @property
    def entry_url(self) -> str:
        """The address to open first: the routine's page, or the list of several."""
        return self.base_url + self.entry


def page_name(routine_id: str) -> str:
    return f"{routine_id}/"


def file_name(path: Path) -> str:
    return FILES + path.name


def build_site(exported: Sequence[ExportedRoutine], token: str, origin: str) -> Site:
    """The site for ``exported`` routines at ``origin`` (``http://host:port``)."""
    base_url = f"{origin}/{token}/"
    resources: dict[str, Resource] = {}
    for item in exported:
        for path in item.files:
            resources[file_name(path)] = StoredFile(path, media_type(path))
        links = page.Links(
            audio=f"../{file_name(item.files[0])}",
            downloads=tuple(
                (label, f"../{file_name(path)}", path.name)
                for label, path in zip(_labels(item.files[0].suffix), item.files, strict=True)
            ),
            home="../" if len(exported) > 1 else None,
            feed=f"../{FEED}",
        )
        resources[page_name(item.routine_id)] = Document(
            page.routine_page(item.script, links).encode(), page.MEDIA_TYPE
        )
    resources[""] = Document(
        page.index_page(
            [(item.title, page_name(item.routine_id)) for item in exported], FEED
        ).encode(),
        page.MEDIA_TYPE,
    )
    resources[FEED] = Document(feed.feed_xml(exported, base_url, FILES), feed.MEDIA_TYPE)
    entry = page_name(exported[0].routine_id) if len(exported) == 1 else ""
    return Site(token, base_url, resources, entry)


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
