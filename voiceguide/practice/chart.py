"""The chart of the ratings over time, as SVG or PNG: ``history --chart`` writes it and the
phone page's "Your practice" view shows it, both from ``chart_bytes``.

Drawn with matplotlib (the ``chart`` extra) on a bare ``Figure``: no pyplot, so no
display and no figure left open. matplotlib (and NumPy) are imported only when a chart is
drawn: they take a good part of a second to load.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from voiceguide import writing
from voiceguide.errors import ChartError
from voiceguide.practice.history import RatingPoint
from voiceguide.practice.journal import RATING_MAX, RATING_MIN

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.axes import Axes

ChartFormat = Literal["svg", "png"]
FORMATS: dict[str, ChartFormat] = {".svg": "svg", ".png": "png"}
MEDIA_TYPES: dict[ChartFormat, str] = {"svg": "image/svg+xml", "png": "image/png"}

TITLE = f"How your back felt, {RATING_MIN} (no pain) to {RATING_MAX} (the worst)"
NO_RATINGS = "No ratings recorded yet"
_SIZE = (8.0, 4.0)  # inches
_DPI = 100  # a PNG of 800 x 400 pixels
_BEFORE, _AFTER, _PAIN = "#7a8594", "#d08a17", "#c0392b"
# Fixed ids inside the SVG: the same journal gives the same file, byte for byte.
_SVG_SALT = "voiceguide"
# The settings a chart is drawn with are matplotlib's global ones, changed for the drawing:
# one drawing at a time, so that two threads never see each other's.
_DRAWING = threading.Lock()


def chart_format(path: Path) -> ChartFormat:
    """The format ``path`` names by its extension; ChartError for any other."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ChartError(
            f"cannot write a chart to {path}: name the file .svg or .png"
            " (the extension chooses the format)"
        )
    return found


def write_chart(points: Sequence[RatingPoint], path: Path, tz: tzinfo) -> None:
    """Write the chart of ``points`` to ``path`` (atomically), SVG or PNG by its extension;
    dates in ``tz``."""
    data = chart_bytes(points, chart_format(path), tz)
    try:
        writing.write_whole(path, data)
    except OSError as exc:
        raise ChartError(
            f"cannot write the chart to {path}: {exc.strerror or exc};"
            " choose a folder that exists and that you can write to"
        ) from exc


def chart_bytes(points: Sequence[RatingPoint], fmt: ChartFormat, tz: tzinfo) -> bytes:
    """The chart of ``points`` as an SVG or PNG file's bytes: the rating before and after
    each session over time, joined by a line, and each stop for pain marked above."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartError(
            "a chart needs matplotlib: install voiceguide with its chart extra"
            " (pip install 'voiceguide[chart]')"
        ) from exc

    # Text as text, not outlines: smaller, readable by a screen reader, found by a search.
    with (
        _DRAWING,
        matplotlib.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "none", "font.size": 10}),
    ):
        figure = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
        axes = figure.add_subplot()
        axes.set_title(TITLE, loc="left")
        axes.set_ylim(RATING_MIN - 0.5, RATING_MAX + 1.2)
        axes.set_yticks(range(RATING_MIN, RATING_MAX + 1))
        axes.grid(axis="y", alpha=0.3)
        if points:
            _draw(axes, points, tz)
        else:
            axes.set_xticks([])
            axes.text(0.5, 0.5, NO_RATINGS, ha="center", va="center", transform=axes.transAxes)
        out = io.BytesIO()
        # No creation date in the file: the same ratings make the same chart.
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()


def _draw(axes: Axes, points: Sequence[RatingPoint], tz: tzinfo) -> None:
    import numpy as np
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    # Ticks in the user's timezone, labelled without repeating the year and month.
    locator = AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))  # type: ignore[no-untyped-call]
    rated = [p for p in points if p.before is not None and p.after is not None]
    axes.vlines(
        _times(rated),
        [p.before or 0 for p in rated],
        [p.after or 0 for p in rated],
        colors="#999999",
        linewidth=1,
    )
    befores = [p for p in points if p.before is not None]
    afters = [p for p in points if p.after is not None]
    axes.plot(
        _times(befores),
        [p.before or 0 for p in befores],
        "o",
        mfc="white",
        color=_BEFORE,
        label="before",
        gid="before",
    )
    axes.plot(
        _times(afters),
        [p.after or 0 for p in afters],
        "o-",
        color=_AFTER,
        label="after",
        gid="after",
    )
    pains = [p for p in points if p.pain_stop]
    if pains:
        axes.plot(
            _times(pains),
            [RATING_MAX + 0.7] * len(pains),
            "v",
            color=_PAIN,
            linestyle="none",
            label="stopped for pain",
            gid="pain-stops",
        )
    moments = np.unique(_times(points))
    if len(moments) == 1:  # one moment: give the axis a day each side
        day = np.timedelta64(1, "D")
        axes.set_xlim(moments[0] - day, moments[0] + day)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def _times(points: Sequence[RatingPoint]) -> npt.NDArray[np.datetime64]:
    """When each session started, in UTC as NumPy's times (which have no timezone, and
    which matplotlib takes as UTC)."""
    import numpy as np

    return np.array(
        [p.started.astimezone(UTC).replace(tzinfo=None) for p in points], dtype="datetime64[s]"
    )
