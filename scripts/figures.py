"""The benchmarks' rows, their verdicts and their table: one shape for every ``scripts/bench``
figure, so each prints the same way and a missed target fails the run the same way."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MANY = 8  # more values than this are summed up in the table, not listed


@dataclass(frozen=True)
class Figure:
    """One row: a measured quantity over several runs, and what it should be."""

    name: str
    unit: str
    values: list[float]
    target: str = ""
    passed: bool | None = None  # None: no target, or nothing measured
    digits: int = 1
    note: str = ""  # printed under the table

    @property
    def median(self) -> float:
        return statistics.median(self.values)


def _checked(
    name: str,
    unit: str,
    values: list[float],
    sign: str,
    limit: float,
    holds: Callable[[float], bool],
    worst: bool,
    digits: int,
    note: str,
) -> Figure:
    if worst:
        # Every value must meet the target (each cue, each press), not just the typical one.
        target, judged = f"all {sign} {limit:g}", values
    else:
        target, judged = f"{sign} {limit:g}", [statistics.median(values)] if values else []
    passed = all(holds(value) for value in judged) if values else None
    return Figure(name, unit, values, target, passed, digits, note)


def at_most(
    name: str,
    unit: str,
    values: list[float],
    limit: float,
    *,
    worst: bool = False,
    digits: int = 1,
    note: str = "",
) -> Figure:
    """A figure whose median (with ``worst``: every value) must be at most ``limit``."""
    return _checked(name, unit, values, "<=", limit, lambda v: v <= limit, worst, digits, note)


def at_least(
    name: str,
    unit: str,
    values: list[float],
    limit: float,
    *,
    worst: bool = False,
    digits: int = 1,
    note: str = "",
) -> Figure:
    """A figure whose median (with ``worst``: every value) must be at least ``limit``."""
    return _checked(name, unit, values, ">=", limit, lambda v: v >= limit, worst, digits, note)


def print_table(heading: str, figures: Sequence[Figure]) -> None:
    """The heading, one aligned row per figure (median, each run, target, verdict), then
    the figures' notes."""
    print(heading)
    rows = [("measure", "unit", "median", "runs", "target", "")]
    for figure in figures:
        fmt = f"{{:.{figure.digits}f}}"
        if not figure.values:
            median, runs = "-", ""
        elif len(figure.values) > MANY:
            median = fmt.format(figure.median)
            low, high = min(figure.values), max(figure.values)
            runs = f"{len(figure.values)} values, {fmt.format(low)} to {fmt.format(high)}"
        else:
            median = fmt.format(figure.median)
            runs = " ".join(fmt.format(v) for v in figure.values) if len(figure.values) > 1 else ""
        verdict = {True: "ok", False: "MISSED", None: ""}[figure.passed]
        rows.append((figure.name, figure.unit, median, runs, figure.target, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    for figure in figures:
        if figure.note:
            print(figure.note)


def exit_status(figures: Sequence[Figure]) -> int:
    """1 when a figure missed its target, else 0: what a benchmark run exits with."""
    return 1 if any(figure.passed is False for figure in figures) else 0
