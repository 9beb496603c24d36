"""The podcast feed: RSS 2.0 with iTunes tags and Podcasting 2.0's chapters and
transcript, so a podcast app on the phone subscribes once and gets every routine with its
steps as chapters and its words as text.

Apps read chapters and transcripts in different ways, so each item carries its chapters
twice: inline as Podlove Simple Chapters (``psc:chapters``, all that gPodder and its
parser read) and as the Podcasting 2.0 JSON file. The Podcasting 2.0 elements are given
under the namespace's address and again under its first one (the project's GitHub page),
which older readers such as gPodder's still expect."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from email.utils import formatdate
from pathlib import Path

from voiceguide.export.captions import ARTIST, vtt_time
from voiceguide.export.chapters import JSON_CHAPTERS_TYPE
from voiceguide.export.writer import ExportedRoutine
from voiceguide.serve.media import media_type

MEDIA_TYPE = "application/rss+xml; charset=utf-8"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PODCAST_FIRST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC = "http://podlove.org/simple-chapters"
PSC_VERSION = "1.2"

ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("podcast1", PODCAST_FIRST)
ET.register_namespace("psc", PSC)


def feed_xml(
    exported: Sequence[ExportedRoutine], base_url: str, served: Mapping[Path, str]
) -> bytes:
    """The feed for ``exported`` routines, each file of which is at ``base_url`` followed
    by its name in ``served``."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", "voiceguide routines")
    _text(channel, "link", base_url)
    _text(channel, "description", "Voice-guided back routines, to follow with your eyes closed.")
    _text(channel, "language", "en")
    _text(channel, f"{{{ITUNES}}}author", ARTIST)
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    _text(channel, f"{{{ITUNES}}}type", "episodic")
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": "Health & Fitness"})
    # Served from this machine only: directories must not list or copy it.
    _text(channel, f"{{{PODCAST}}}locked", "yes")
    urls = {path: base_url + name for path, name in served.items()}
    for item in exported:
        channel.append(_item(item, urls))
    ET.indent(rss)
    document: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _item(exported: ExportedRoutine, url: Mapping[Path, str]) -> ET.Element:
    audio, cues, _lrc, vtt, chapters = exported.files
    script = exported.script
    item = ET.Element("item")
    _text(item, "title", exported.title)
    opening, *counted = script.steps
    steps = "; ".join(step.title for step in counted)
    _text(item, "description", f"{opening.title}, then {script.step_count} steps: {steps}.")
    # The same routine rendered the same way keeps its guid, so an app does not offer it
    # again as a new episode; a change of wording or timing makes it new.
    digest = hashlib.sha256(cues.read_bytes()).hexdigest()[:16]
    ET.SubElement(
        item, "guid", {"isPermaLink": "false"}
    ).text = f"voiceguide-{exported.routine_id}-{digest}"
    _text(item, "pubDate", formatdate(audio.stat().st_mtime, usegmt=True))
    ET.SubElement(
        item,
        "enclosure",
        {
            "url": url[audio],
            "length": str(audio.stat().st_size),
            "type": media_type(audio),
        },
    )
    _text(item, f"{{{ITUNES}}}duration", str(round(exported.duration)))
    _text(item, f"{{{ITUNES}}}episodeType", "full")
    inline = ET.SubElement(item, f"{{{PSC}}}chapters", {"version": PSC_VERSION})
    for step in script.steps:
        ET.SubElement(
            inline, f"{{{PSC}}}chapter", {"start": vtt_time(step.start), "title": step.title}
        )
    for namespace in (PODCAST, PODCAST_FIRST):
        ET.SubElement(
            item,
            f"{{{namespace}}}chapters",
            {"url": url[chapters], "type": JSON_CHAPTERS_TYPE},
        )
        ET.SubElement(
            item,
            f"{{{namespace}}}transcript",
            {"url": url[vtt], "type": "text/vtt", "language": "en", "rel": "captions"},
        )
    return item


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text
