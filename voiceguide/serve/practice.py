"""The phone's "Your practice" view: the chart of the ratings (the same SVG as
``history --chart``) and the counts per routine, read from the journal at each request,
so a session played while the server runs shows up at the next reload."""

from __future__ import annotations

import html
from datetime import datetime

from voiceguide.errors import ChartError, JournalError
from voiceguide.practice.chart import MEDIA_TYPES, chart_bytes
from voiceguide.practice.history import History, rating_points, signed, summarize
from voiceguide.practice.journal import Journal
from voiceguide.serve import page

# Beside the list of routines; a dot is never in a routine's id, so no routine's page
# ("ID/") can take either name.
PAGE = "practice.html"
CHART = "practice.svg"
# What the chart is, for a screen reader and for a phone that does not show it.
CHART_ALT = "Chart of how your back felt before and after each session, 0 to 10, over time"
# The chart is an image: its own style only, nothing else, even when opened on its own.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def practice_page(journal: Journal) -> str:
    """The view: the chart, and per routine the sessions,
    those completed, those stopped for pain and the median change in rating. A journal
    that cannot be read is said on the page, never an error page."""
    try:
        history: History | None = summarize(journal.sessions(), datetime.now().astimezone())
    except JournalError as exc:
        history, problem = None, str(exc)
    if history is None:
        body = f'<p class="hint">The practice journal cannot be read: {html.escape(problem)}</p>'
    elif not history.sessions:
        body = '<p class="hint">No sessions recorded yet.</p>'
    else:
        body = _chart(history) + _table(history)
    return _PAGE.replace("{{body}}", body)


def _chart(history: History) -> str:
    if not rating_points(history.sessions):
        return (
            '<p class="hint">No ratings yet: answer "How is your back, 0 to 10?" before and'
            " after a routine, and they are drawn here.</p>"
        )
    return f'<img id="chart" src="{CHART}" alt="{html.escape(CHART_ALT)}">'


def _table(history: History) -> str:
    rows = "\n".join(
        f"<tr><th scope=row>{html.escape(r.title)}</th><td>{r.sessions}</td>"
        f"<td>{r.completed}</td><td>{r.pain_stops}</td><td>{_change(r.median_change)}</td></tr>"
        for r in history.routines
    )
    return (
        '<table id="routines"><thead><tr><th scope=col>Routine</th><th scope=col>Sessions</th>'
        "<th scope=col>Completed</th><th scope=col>Stopped for pain</th>"
        "<th scope=col>Median change</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table>\n"
        '<p class="hint">Median change: after minus before, over the sessions rated both'
        " times; below zero, your back felt better after.</p>"
    )


def _change(median: float | None) -> str:
    return "–" if median is None else signed(median).replace("-", "−")


def practice_chart(journal: Journal) -> bytes:
    """The chart as SVG. A journal that cannot be read gives the chart of no ratings, and
    no plotting library an image that says so, rather than an error."""
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    try:
        points = rating_points(journal.sessions())
    except JournalError:
        points = ()
    try:
        return chart_bytes(points, "svg", tz)
    except ChartError:
        return _NO_CHART


CHART_MEDIA_TYPE = MEDIA_TYPES["svg"]
_NO_CHART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">'
    b'<text x="8" y="25" font-family="sans-serif" font-size="14">'
    b"The chart needs matplotlib: install voiceguide[chart].</text></svg>"
)

_PAGE = (
    page.head("Your practice · voiceguide")
    + """
#chart { width: 100%; height: auto; background: #fff; border-radius: .3rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .95rem; }
th, td { padding: .4rem .25rem; border-bottom: 1px solid #2a2d33; text-align: right; }
thead th { font-size: .75rem; font-weight: 600; color: var(--dim); vertical-align: bottom; }
th[scope=row], thead th:first-child { text-align: left; }
th[scope=row] { font-weight: 400; overflow-wrap: anywhere; }
.hint { color: var(--dim); font-size: .9rem; }
</style>
</head>
<body>
<main>
<h1>Your practice</h1>
{{body}}
<p><a href="./">All routines</a></p>
</main>
</body>
</html>
"""
)
