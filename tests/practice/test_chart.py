from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.support.records import bare_routine
from voiceguide.errors import ChartError
from voiceguide.practice.chart import NO_RATINGS, TITLE, chart_bytes, write_chart
from voiceguide.practice.history import RatingPoint, rating_points
from voiceguide.practice.journal import PAIN, Journal, PainStop, SessionStart
from voiceguide.practice.recording import SessionRecording

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

POINTS = (
    RatingPoint(T0, "chair", 6, 4, False),
    RatingPoint(T0 + timedelta(days=1), "chair", 7, None, True),
    RatingPoint(T0 + timedelta(days=2), "bed", None, 3, False),
    RatingPoint(T0 + timedelta(days=3), "chair", 0, 9, False),
    RatingPoint(T0 + timedelta(days=4), "chair", None, None, True),
)


def marks(root: ET.Element, gid: str) -> list[tuple[float, float]]:
    """The (x, y) of each marker matplotlib drew for the line with id ``gid``."""
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, gid
    return [(float(u.attrib["x"]), float(u.attrib["y"])) for u in group.iter(f"{SVG}use")]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_svg_has_a_mark_for_each_rating_and_each_pain_stop(tmp_path: Path) -> None:
    path = tmp_path / "ratings.svg"
    write_chart(POINTS, path, UTC)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert TITLE in texts(root)
    assert {"before", "after", "stopped for pain"} <= set(texts(root))
    before, after, pains = (marks(root, gid) for gid in ("before", "after", "pain-stops"))
    assert len(before) == 3 and len(after) == 3 and len(pains) == 2
    # Time runs left to right; a higher rating is drawn higher (a smaller y).
    assert [x for x, _ in after] == sorted(x for x, _ in after)
    (x6, y6), (_, y7), (x0, y0) = before
    assert y7 < y6 < y0
    assert after[0][0] == x6 and after[2][0] == x0  # after drawn above its session's before
    assert after[2][1] < y7  # 9 after the last rated session: the highest mark
    assert all(y < after[2][1] for _, y in pains)  # pain stops are marked above the scale


def test_the_png_decodes_at_a_sensible_size(tmp_path: Path) -> None:
    path = tmp_path / "ratings.PNG"  # the extension in any case
    write_chart(POINTS, path, UTC)
    with Image.open(path) as image:
        image.load()
        assert image.format == "PNG"
        assert image.size == (800, 400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 10  # drawn on, not blank
    assert 5_000 < path.stat().st_size < 500_000


def test_the_same_ratings_make_the_same_svg() -> None:
    assert chart_bytes(POINTS, "svg", UTC) == chart_bytes(POINTS, "svg", UTC)


def test_no_ratings_make_a_chart_that_says_so() -> None:
    root = ET.fromstring(chart_bytes((), "svg", UTC))
    assert NO_RATINGS in texts(root)
    assert root.find(f".//{SVG}g[@id='before']") is None


def test_one_session_gets_an_axis_around_it() -> None:
    root = ET.fromstring(chart_bytes(POINTS[:1], "svg", UTC))
    [(x, _)] = marks(root, "before")
    ticks = [t for t in texts(root) if t.endswith("00")]  # hours either side of it
    assert x > 100 and len(ticks) >= 2


def test_dates_are_in_the_timezone_asked_for() -> None:
    late = (RatingPoint(datetime(2025, 3, 1, 23, 30, tzinfo=UTC), "chair", 5, 3, False),)
    utc = texts(ET.fromstring(chart_bytes(late, "svg", UTC)))
    east = texts(ET.fromstring(chart_bytes(late, "svg", timezone(timedelta(hours=3)))))
    assert any("Mar-01" in t for t in utc) and any("Mar-02" in t for t in east)


@pytest.mark.parametrize("name", ["ratings.txt", "ratings", "ratings.svg.gz", "ratings.jpg"])
def test_another_extension_is_an_error_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ChartError, match=r"name the file \.svg or \.png"):
        write_chart(POINTS, tmp_path / name, UTC)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="choose a folder that exists"):
        write_chart(POINTS, tmp_path / "missing" / "ratings.svg", UTC)


def test_an_existing_chart_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "ratings.svg"
    path.write_text("old")
    write_chart(POINTS, path, UTC)
    ET.parse(path)  # the whole new file, nothing of the old
    assert [p.name for p in tmp_path.iterdir()] == ["ratings.svg"]


def test_png_and_svg_come_from_the_same_drawing() -> None:
    png = Image.open(io.BytesIO(chart_bytes(POINTS, "png", UTC)))
    root = ET.fromstring(chart_bytes(POINTS, "svg", UTC))
    width = float(root.attrib["width"].removesuffix("pt")) * 100 / 72  # points to pixels
    assert png.size[0] == round(width)


# --- the picture in docs/ ---------------------------------------------------------------------

DOCS_PICTURE = Path(__file__).parents[2] / "docs" / "practice-chart.png"
# Four weeks of one routine in a test journal: (day, before, after, stopped for pain).
FOUR_WEEKS = (
    (0, 6, 5, False),
    (2, 7, 5, False),
    (4, 6, 6, False),
    (7, 7, None, True),
    (9, 6, 4, False),
    (11, 5, 4, False),
    (14, 5, 3, False),
    (16, 6, 3, False),
    (18, 4, None, False),
    (21, 4, 2, False),
    (23, 3, 2, False),
    (25, 3, 1, False),
)


def four_weeks_journal(path: Path) -> Journal:
    journal = Journal(path)
    routine = bare_routine("knees-to-chest", "stretch")
    for day, before, after, pain in FOUR_WEEKS:
        started = datetime(2025, 3, 3, 8, 30, tzinfo=UTC) + timedelta(days=day)
        recording = SessionRecording(journal)
        recording.start(SessionStart(routine, pace=1.0, engine="piper", voice=None), now=started)
        recording.record_rating("before", before)
        if pain:
            recording.finish("stopped", PAIN, pain_stop=PainStop(2, "Knee to chest (left)"))
            continue
        if after is not None:
            recording.record_rating("after", after)
        recording.finish("completed", now=started + timedelta(minutes=6))
    return journal


def test_the_docs_picture_is_the_chart_of_a_test_journal(tmp_path: Path) -> None:
    """Set VOICEGUIDE_UPDATE_DOCS=1 to draw docs/practice-chart.png again after a change."""
    journal = four_weeks_journal(tmp_path / "journal.sqlite3")
    points = rating_points(journal.sessions())
    assert len(points) == len(FOUR_WEEKS)
    drawn = chart_bytes(points, "png", UTC)
    if os.environ.get("VOICEGUIDE_UPDATE_DOCS") == "1":
        DOCS_PICTURE.write_bytes(drawn)
    with Image.open(DOCS_PICTURE) as kept, Image.open(io.BytesIO(drawn)) as now:
        assert kept.size == now.size
        difference = ImageChops.difference(kept.convert("L"), now.convert("L"))
        changed = sum(difference.histogram()[65:])  # pixels more than a quarter apart
    # A few pixels of a font drawn a hair differently are the same picture; one rating
    # moved by one point changes about 500.
    assert changed < 200, (
        "docs/practice-chart.png is not what the chart code draws;"
        " run with VOICEGUIDE_UPDATE_DOCS=1 to draw it again"
    )
