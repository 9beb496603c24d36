"""The package's import graph has no cycles, counting imports made inside functions too.

A cycle hidden behind a function-level import still ties two modules together: neither can
be understood, tested or moved without the other. Each module names what it needs from
the modules below it, and the packages form layers (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import voiceguide

PACKAGE = Path(voiceguide.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str, tree: ast.AST) -> set[str]:
    """The voiceguide modules ``module`` imports anywhere in its text: ``from a import b``
    counts as ``a.b`` when that is a module, otherwise as ``a``."""
    found: set[str] = set()
    is_package = MODULES[module].name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {
    name: imported(name, ast.parse(path.read_text(encoding="utf-8")))
    for name, path in MODULES.items()
}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in ``graph`` as a path that returns to its start, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        on_path = {start}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return [*path[path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
                on_path.add(child)
    return None


def test_the_walk_sees_imports_inside_functions() -> None:
    source = "def f():\n    from voiceguide.errors import VoiceguideError\n"
    assert "voiceguide.errors" in imported("voiceguide.paths", ast.parse(source))


def test_the_walk_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_module_imports_itself_back() -> None:
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    # Listing or validating must not pay for NumPy, the engines or PortAudio.
    heavy = [
        "numpy",
        "sounddevice",
        "soundfile",
        "pyttsx3",
        "piper",
        "starlette",
        "uvicorn",
        "faster_whisper",
        "ctranslate2",
    ]
    code = f"import sys, voiceguide.cli; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_a_cached_play_opens_its_voice_and_output_without_the_slow_imports() -> None:
    # With every clip cached, the first sound waits for nothing but opening the voice (its
    # cache key) and the output: not for onnxruntime, libsndfile, the package metadata
    # reader or the device listing.
    slow = ["piper", "onnxruntime", "soundfile", "importlib.metadata"]
    slow.append("voiceguide.output.inventory")
    code = (
        "import sys\n"
        "from voiceguide.output import open_output\n"
        "from voiceguide.speech import open_voice\n"
        "open_output('sounddevice')\n"
        "print(open_voice('piper', None, 160).identity, file=sys.stderr)\n"
        f"print(' '.join(m for m in {slow!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


# The order docs/architecture.md lists the parts in: each uses only those before it.
LAYERS = (
    "errors",
    "paths",
    "reading",
    "writing",
    "signals",
    "text",
    "yamlfile",
    "yamlvalues",
    "versions",
    "routine",
    "script",
    "audio",
    "speech",
    "render",
    "output",
    "player",
    "listen",
    "export",
    "practice",
    "serve",
    "config",
    "app",
    "cli",
)
# Validate's guidance times its warnings with the compiler (the one upward use).
UPWARD = {("routine", "script")}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_each_part_uses_only_the_parts_before_it() -> None:
    upward = sorted(
        f"{module} -> {dependency}"
        for module, dependencies in GRAPH.items()
        for dependency in dependencies
        if layer(module) in LAYERS
        and layer(dependency) in LAYERS
        and LAYERS.index(layer(dependency)) > LAYERS.index(layer(module))
        and (layer(module), layer(dependency)) not in UPWARD
    )
    assert upward == []


def test_only_the_use_cases_and_the_command_line_see_the_settings() -> None:
    # A stage is given the small record of the settings it uses (render.RenderOptions,
    # practice.FrequencyLimits, ...), never the whole Settings.
    readers = sorted(
        module for module, dependencies in GRAPH.items() if "voiceguide.config" in dependencies
    )
    assert [m for m in readers if layer(m) not in ("app", "cli")] == []


def test_every_part_has_its_place_in_the_layers() -> None:
    assert {layer(module) for module in MODULES} - {"", "__main__"} <= set(LAYERS)
