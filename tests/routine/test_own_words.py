"""The routines carry the source documents' facts in the project's own words.

No run of seven words in a routine file (any text in it: titles, steps, cautions,
summaries, notes) or in what voiceguide adds to every routine (``script/phrasing.py``)
may be one of the sources' own runs of seven words. The sources are outside the
package, beside the checkout (``../shared/seeds/``, or ``VOICEGUIDE_SOURCES``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from voiceguide.paths import builtin_routines_dir
from voiceguide.script import phrasing

RUN = 7  # words in a row shared with a source that make a pasted sentence
ROOT = Path(__file__).resolve().parent.parent.parent


def sources_dir() -> Path:
    given = os.environ.get("VOICEGUIDE_SOURCES")
    return Path(given) if given else ROOT.parent / "shared" / "seeds"


def words(text: str) -> list[str]:
    """Lowercase words; curly apostrophes and punctuation do not hide a copied run."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))


def runs(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


def texts(value: Any) -> Iterator[str]:
    """Every text in a loaded YAML document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def own_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every routine file's texts and the wording voiceguide adds."""
    for path in sorted(builtin_routines_dir().glob("*.yaml")):
        for text in texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield path.name, text
    for name, value in vars(phrasing).items():
        if isinstance(value, str) and not name.startswith("__"):
            yield f"phrasing.{name}", value


def overlaps(source_runs: set[tuple[str, ...]]) -> list[str]:
    return [
        f"{where}: {' '.join(run)}"
        for where, text in own_texts()
        for run in sorted(runs(text) & source_runs)
    ]


@pytest.fixture(scope="module")
def source_runs() -> set[tuple[str, ...]]:
    files = sorted(sources_dir().glob("*.txt"))
    if not files:
        pytest.skip(f"the source documents are not in {sources_dir()} (set VOICEGUIDE_SOURCES)")
    return set().union(*(runs(path.read_text(encoding="utf-8")) for path in files))


def test_no_routine_or_spoken_phrase_shares_seven_words_in_a_row_with_a_source(
    source_runs: set[tuple[str, ...]],
) -> None:
    assert overlaps(source_runs) == []


def test_the_scan_finds_a_pasted_sentence(source_runs: set[tuple[str, ...]]) -> None:
    """The scan itself works: a sentence from a source, with its punctuation changed,
    is found."""
    pasted = "You are looking for the crack to happen ONCE!"
    assert runs(pasted) & source_runs
    assert not runs("One release is all you are after, and no more.") & source_runs
