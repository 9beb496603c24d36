from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests.routine.test_loader import BAD_FILES, ROUTINES, expanded
from voiceguide.errors import RoutineError
from voiceguide.paths import builtin_routines_dir
from voiceguide.routine.format import (
    BREATHE_KEYS,
    ID_PATTERN,
    MAX_EXPANDED,
    MAX_ID,
    MAX_NOTES,
    MAX_SECONDS,
    MAX_TEXT,
    MAX_TIMES,
    SIDE_NAMES,
    STEP_KEYS,
    TOP_KEYS,
)
from voiceguide.routine.library import load_routine
from voiceguide.routine.records import COUNT_STYLES, KINDS
from voiceguide.routine.schema import routine_schema, schema_text

SCHEMA = routine_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def schema_accepts(document: Any) -> bool:
    return bool(VALIDATOR.is_valid(document))


def loader_accepts(tmp_path: Path, document: Any) -> bool:
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_routine(path)
    except RoutineError:
        return False
    return True


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert json.loads(schema_text()) == SCHEMA


@pytest.mark.parametrize(
    "path", sorted(builtin_routines_dir().glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_builtin_routine_fits_the_schema(path: Path) -> None:
    VALIDATOR.validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_the_schema_knows_the_keys_the_loader_knows() -> None:
    defs = SCHEMA["$defs"]
    assert list(SCHEMA["properties"]) == list(TOP_KEYS)
    assert SCHEMA["required"] == ["title", "kind", "steps"]
    assert SCHEMA["properties"]["kind"]["enum"] == list(KINDS)
    for action, keys in STEP_KEYS.items():
        assert list(defs[f"{action}Step"]["properties"]) == list(keys), action
    assert list(defs["breatheStep"]["properties"]["breathe"]["properties"]) == list(BREATHE_KEYS)
    assert defs["sayStep"]["properties"]["count"]["enum"] == list(COUNT_STYLES)
    assert defs["sidesStep"]["properties"]["sides"]["items"]["enum"] == list(SIDE_NAMES)


def test_the_schema_has_the_loaders_limits() -> None:
    defs = SCHEMA["$defs"]
    assert defs["seconds"]["maximum"] == defs["secondsOrZero"]["maximum"] == MAX_SECONDS
    assert defs["times"]["maximum"] == MAX_TIMES
    assert defs["text"]["maxLength"] == defs["spokenText"]["maxLength"] == MAX_TEXT
    assert defs["longText"]["maxLength"] == MAX_NOTES
    assert SCHEMA["properties"]["id"]["maxLength"] == MAX_ID
    assert SCHEMA["properties"]["id"]["pattern"] == f"^{ID_PATTERN.pattern}$"


def routine(*steps: Any, **top: Any) -> dict[str, Any]:
    return {"title": "Test", "kind": "stretch", **top, "steps": list(steps)}


# Documents both the schema and the loader judge: they must agree on each.
GOOD = [
    routine({"say": "Lie down."}),
    routine({"say": "Hold.", "hold": 600, "count": "up", "then": "Let go."}),
    routine({"say": "Get ready.", "pause": 0.5}),
    routine({"breathe": {"in": 4, "out": 6, "hold": 0, "hold_out": 2, "cycles": 50}}),
    routine({"breathe": {"in": 4, "out": 6, "count": True}, "say": "Breathe."}),
    routine({"rest": 10, "say": "Rest."}),
    routine({"caution": "Stop if it hurts."}),
    routine({"repeat": 3, "steps": [{"say": "Again."}]}),
    routine({"repeat": 2.0, "steps": [{"say": "Again."}]}),
    routine({"sides": None, "steps": [{"say": "Lift your {side} arm, not your {other}."}]}),
    routine({"sides": ["left", "right"], "steps": [{"caution": "Easy on the {side}."}]}),
    routine({"routine": "floor-option3"}),
    routine({"say": "a" * MAX_TEXT}, id="a-1", equipment=[], cautions=["Slowly."]),
    routine({"say": "x"}, notes="n" * MAX_NOTES, summary="A summary."),
]
BAD = [
    {"kind": "stretch", "steps": [{"say": "a"}]},
    routine(),
    routine({"say": "a"}, kind="strech"),
    routine({"say": "a"}, id="Not An Id"),
    routine({"say": "a"}, titel="x"),
    routine({"say": "a"}, equipment="chair"),
    routine({"say": "a", "hodl": 5}),
    routine({"say": "a", "hold": "five"}),
    routine({"say": "a", "hold": True}),
    routine({"say": "a", "hold": 601}),
    routine({"say": "a", "hold": 0}),
    routine({"say": "a", "pause": -1}),
    routine({"say": "a", "pause": 2, "hold": 2}),
    routine({"say": "a", "count": "up"}),
    routine({"say": "a", "then": "b"}),
    routine({"say": "a", "hold": 2, "count": "sideways"}),
    routine({"say": "a", "caution": "b"}),
    routine({"breathe": {"in": 4, "out": 4}, "rest": 5}),
    routine({"pause": 4}),
    routine({}),
    routine({"breathe": {"out": 4}}),
    routine({"breathe": {"in": 4, "out": 4, "cycles": 51}}),
    routine({"breathe": {"in": 4, "out": 4, "count": "yes"}}),
    routine({"breathe": {"in": 4, "out": 4}, "hold": 3}),
    routine({"repeat": 0, "steps": [{"say": "a"}]}),
    routine({"repeat": 2.5, "steps": [{"say": "a"}]}),
    routine({"repeat": 2}),
    routine({"repeat": 2, "steps": []}),
    routine({"sides": ["right"], "steps": [{"say": "a"}]}),
    routine({"sides": ["right", "right"], "steps": [{"say": "a"}]}),
    routine({"sides": ["right", "up"], "steps": [{"say": "a"}]}),
    routine({"say": "a" * (MAX_TEXT + 1)}),
    routine({"say": "  "}),
    routine({"say": 5}),
    routine({"say": "a lone { brace"}),
    routine({"say": "an {unknown} placeholder"}),
    routine({"routine": "Not An Id"}),
    routine({"routine": 5}),
    ["not", "a", "mapping"],
]


@pytest.mark.parametrize("document", GOOD, ids=range(len(GOOD)))
def test_good_documents_pass_both(tmp_path: Path, document: Any) -> None:
    assert schema_accepts(document)
    assert loader_accepts(tmp_path, document)


@pytest.mark.parametrize("document", BAD, ids=range(len(BAD)))
def test_bad_documents_fail_both(tmp_path: Path, document: Any) -> None:
    assert not schema_accepts(document)
    assert not loader_accepts(tmp_path, document)


# What only the loader can see: the whole tree, other files, where the file lives.
LOADER_ONLY = [
    routine({"say": "Lift your {side} leg."}),
    routine({"routine": "no-such-routine"}),
    routine({"routine": "chair"}),  # a crack routine inside a stretch routine
    routine(*[{"breathe": {"in": 1, "out": 1, "cycles": 50}}] * 201),
]


@pytest.mark.parametrize("document", LOADER_ONLY, ids=range(len(LOADER_ONLY)))
def test_what_only_the_loader_refuses(tmp_path: Path, document: Any) -> None:
    assert schema_accepts(document)
    assert not loader_accepts(tmp_path, document)


# The bad files whose mistake only the loader can see (or that are not JSON data at all).
NOT_FOR_THE_SCHEMA = {
    "syntax": "not YAML",
    "not-a-number": "NaN is not a JSON number",
    "side-outside-sides": "needs the whole tree",
    "other-in-a-caution": "needs the whole tree",
    "too-deep": "needs the whole tree",
    "too-big": "needs the whole tree",
    "too-big-in-total": "needs the whole tree",
    "unknown-routine": "needs other files",
    "crack-inside-stretch": "needs other files",
    "includes-itself": "needs other files",
    "missing-file": "needs other files",
}


def test_the_exceptions_name_real_files() -> None:
    assert set(NOT_FOR_THE_SCHEMA) <= {path.stem for path in BAD_FILES}


@pytest.mark.parametrize(
    "path", [p for p in BAD_FILES if p.stem not in NOT_FOR_THE_SCHEMA], ids=lambda p: p.stem
)
def test_bad_files_fail_the_schema_too(path: Path) -> None:
    assert not schema_accepts(yaml.safe_load(path.read_text(encoding="utf-8")))


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=ROUTINES)
def test_random_valid_routines_fit_the_schema(document: dict[str, Any]) -> None:
    if expanded(document["steps"]) <= MAX_EXPANDED:
        VALIDATOR.validate(document)
