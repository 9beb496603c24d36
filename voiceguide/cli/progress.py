"""A progress bar for commands that render: on stderr, and only on a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voiceguide.app.export import ExportProgress


@contextlib.contextmanager
def progress_bar() -> Iterator[ExportProgress]:
    """A progress bar on stderr, shown only on a terminal; stdout is left alone."""
    if not sys.stderr.isatty():
        # Nothing to draw: rich, about 40 ms to import, is not loaded at all.
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        disable=not console.is_terminal,
    )
    task = bar.add_task("Starting", total=None)

    def report(what: str, done: int, total: int) -> None:
        bar.update(task, description=what, completed=done, total=total)

    with bar:
        yield report


def _ignore(what: str, done: int, total: int) -> None:
    """Progress nobody sees."""
