"""The phone's pages: one self-contained HTML file per routine, and a list of them.

Plain HTML, CSS and JavaScript with no external assets, so it works on a network with
no internet. This module puts them together: the shared head and style, the routine's
cues, steps and questions embedded as JSON for the page's script, every text escaped, and
the Content-Security-Policy that names the inline style and script by their digests. The
routine page's own style, markup and script (what it shows and does) are in
``routine_template``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from voiceguide.export.captions import ARTIST
from voiceguide.script import phrasing
from voiceguide.script.records import Script
from voiceguide.serve import routine_template
from voiceguide.text import clock

MEDIA_TYPE = "text/html; charset=utf-8"

# In a <script> element the HTML parser looks for "</script" and, after "<!--", for
# "<script" too: neither may appear in what the page embeds, nor may a line separator
# that older JavaScript parsers end a string on. JSON can write each as an escape.
_JSON_ESCAPES = str.maketrans({c: f"\\u{ord(c):04x}" for c in ("<", ">", "&", "\u2028", "\u2029")})
# Seconds the rating's buttons stay up, the audio playing on: time to open the eyes and
# reach the phone beside the mat; no answer by then and nothing is recorded.
RATING_WINDOW = 60
# The page's own style and script, whose digests the Content-Security-Policy names: no
# other style or script can run, even if text were ever to slip into the page unescaped.
_INLINE = re.compile(r"<(style|script)>(.*?)</\1>", re.S)


@dataclass(frozen=True)
class Links:
    """Where a routine's page finds its files, relative to the page: ``downloads`` are
    (label, href, file name); ``home`` is the list of routines, when there are several."""

    audio: str
    downloads: tuple[tuple[str, str, str], ...]
    home: str | None
    feed: str
    practice: str | None = None  # the "Your practice" view, when the site has one
    sessions: str | None = None  # where sessions and ratings are posted, when recorded


def routine_page(script: Script, links: Links) -> str:
    data = {
        "title": script.title,
        "artist": ARTIST,
        "duration": round(script.duration, 3),
        "cues": [
            {"start": round(c.start, 3), "end": round(c.end, 3), "text": c.text, "step": c.step}
            for c in script.cues
            if c.kind != "tone"
        ],
        "steps": [
            {
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "title": s.title,
                "label": script.step_label(s.index),
            }
            for s in script.steps
        ],
        # Each question's window, and where going on lands (the step after its round).
        "questions": [
            {
                "asked": round(script.steps[q.round_step - 1].start, 3),
                "opens": round(q.opens, 3),
                "closes": round(q.closes, 3),
                "decided": round(q.decided, 3),
                "round": round(script.steps[q.round_step].start, 3),
                "resume": round(
                    script.steps[q.round_step + 1].start
                    if q.round_step + 1 < len(script.steps)
                    else script.duration,
                    3,
                ),
            }
            for q in script.questions()
        ],
        "rating": _rating(script, links.sessions),
        "painExit": phrasing.PAIN_EXIT,
    }
    steps = "\n".join(
        f'<li><button type="button" data-step="{s.index}">'
        f'<span class="t">{clock(s.start, hours=False, floor=True)}</span> '
        f"{html.escape(s.title)}</button></li>"
        for s in script.steps
    )
    downloads = "\n".join(
        f'<li><a href="{html.escape(href)}" download="{html.escape(name)}">'
        f"{html.escape(label)}</a></li>"
        for label, href, name in links.downloads
    )
    home = f'<p><a href="{html.escape(links.home)}">All routines</a></p>' if links.home else ""
    home += _practice_link(links.practice)
    title = html.escape(script.title)
    return (
        _PAGE.replace("{{title}}", title)
        .replace("{{audio}}", html.escape(links.audio))
        .replace("{{remaining}}", clock(script.duration, hours=False, floor=True))
        .replace("{{steps}}", steps)
        .replace("{{downloads}}", downloads)
        .replace("{{home}}", home)
        .replace("{{feed}}", html.escape(links.feed))
        .replace("{{data}}", embedded_json(data))
    )


def _rating(script: Script, sessions: str | None) -> dict[str, object] | None:
    """When the page asks for ratings and posts the session: at the first step's start
    (after the opening) and at the closing's, and where it posts."""
    if sessions is None or len(script.steps) < 2:
        return None
    return {
        "routine": script.routine_id,
        "before": round(script.steps[1].start, 3),
        "after": round(script.steps[-1].start, 3),
        "window": RATING_WINDOW,
        "post": sessions,
    }


def embedded_json(data: object) -> str:
    """``data`` as JSON that cannot end or change the <script> element it is put in."""
    return json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)


def content_policy(page: str) -> str:
    """The Content-Security-Policy for ``page``: nothing from elsewhere, and only the
    page's own inline style and script, named by their SHA-256 digests."""
    digests: dict[str, list[str]] = {"style": [], "script": []}
    for kind, body in _INLINE.findall(page):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        digests[kind].append(f"'sha256-{digest}'")
    style, script = (" ".join(digests[kind]) or "'none'" for kind in ("style", "script"))
    return (
        "default-src 'none'; media-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"style-src {style}; script-src {script}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def index_page(routines: Sequence[tuple[str, str]], feed: str, practice: str | None = None) -> str:
    """The list of served routines: (title, href) each, the feed's address, and the
    "Your practice" view's, when the site has one."""
    items = "\n".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
        for title, href in routines
    )
    return (
        _INDEX.replace("{{items}}", items)
        .replace("{{feed}}", html.escape(feed))
        .replace("{{practice}}", _practice_link(practice))
    )


def _practice_link(href: str | None) -> str:
    return f'<p><a id="practice" href="{html.escape(href)}">Your practice</a></p>' if href else ""


def head(title: str) -> str:
    """The start of a page up to its shared style; each page adds its own and closes it."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{_STYLE}"""


_STYLE = """
:root { color-scheme: dark; --fg: #f4f1ea; --dim: #a9a49a; --bg: #16181c; --accent: #e8b04b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 18px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
main, .list { max-width: 40rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.2rem; margin: 0 0 .5rem; }
"""

_PAGE = head("{{title}} · voiceguide") + routine_template.TEMPLATE

_INDEX = (
    head("voiceguide")
    + """
li { margin: .8rem 0; font-size: 1.2rem; }
</style>
</head>
<body>
<div class="list">
<h1>voiceguide</h1>
<ul>
{{items}}
</ul>
<p>Or subscribe to <a href="{{feed}}">the podcast feed</a> in a podcast app: every routine,
with chapters and text.</p>
{{practice}}
</div>
</body>
</html>
"""
)
