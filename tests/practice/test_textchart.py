from __future__ import annotations

from datetime import UTC, datetime, timedelta

from voiceguide.practice.history import RatingPoint
from voiceguide.practice.textchart import LEGEND, text_chart

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def point(day: int, before: int | None, after: int | None, pain: bool = False) -> RatingPoint:
    return RatingPoint(T0 + timedelta(days=day), "chair", before, after, pain)


def column(lines: list[str], index: int) -> dict[int, str]:
    """The marks of session ``index`` on the scale: {rating: mark}."""
    marks = {}
    for line in lines:
        label, bar, rest = line.partition("|")
        if bar and label.strip().isdigit():
            mark = rest[2 * index : 2 * index + 1]
            if mark.strip():
                marks[int(label)] = mark
    return marks


def test_nothing_to_chart_draws_nothing() -> None:
    assert text_chart([], 80) == []


def test_each_session_is_a_column_with_before_after_and_the_same() -> None:
    lines = text_chart([point(0, 6, 4), point(1, 5, 5), point(2, 7, None, pain=True)], 80)
    assert lines[0] == LEGEND
    scale = [line.partition("|")[0].strip() for line in lines if "|" in line]
    assert scale == [str(n) for n in range(10, -1, -1)]  # the whole scale, 10 at the top
    assert column(lines, 0) == {6: "b", 4: "a"}
    assert column(lines, 1) == {5: "*"}
    assert column(lines, 2) == {7: "b"}
    pains = next(line for line in lines if line.strip() == "!")
    assert pains.index("!") == lines[1].index("|") + 1 + 2 * 2  # under the third session


def test_the_latest_sessions_that_fit_are_shown() -> None:
    points = [point(day, day % 11, None) for day in range(60)]
    lines = text_chart(points, 40)
    assert lines[1] == "(the last 18 of 60 sessions)"
    assert all(len(line) <= 40 for line in lines[1:])
    assert column(lines, 0) == {42 % 11: "b"} and column(lines, 17) == {59 % 11: "b"}


def test_the_first_and_last_dates_are_under_the_columns() -> None:
    lines = text_chart([point(day, 3, 2) for day in range(8)], 80)
    first = T0.astimezone().strftime("%m-%d")
    last = (T0 + timedelta(days=7)).astimezone().strftime("%m-%d")
    assert lines[-1].split() == [first, last]
    assert lines[-1].rstrip().endswith(last) and len(lines[-1]) <= 4 + 2 * 8
