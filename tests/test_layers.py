"""The package imports one way: a module never imports (at the top or inside a function) one above it.

Layers, bottom up: the nouns and settings; reading, splitting, normalizing, matching and the details
of a claim; deciding and grouping; the plan (pipeline); the engines and the index; the commands;
the reports; the CLI and the package's front door.  A cycle or an upward import fails here, and so
in CI, before it becomes a tangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dedup"

LAYERS = [
    {"core", "version", "settings", "files", "normalize", "contract"},
    {"documents", "segment", "match", "models", "cache", "conflicts", "claims", "specificity", "story"},
    {"verify", "group"},
    {"pipeline", "plan"},
    {"ray_stages", "ray_cluster", "ray_findings", "engine_ray", "index", "index_file"},
    {"clean", "audit", "baseline"},
    {"report"},
    {"cli", "cli_options", "config", "__init__"},
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif isinstance(node, ast.ImportFrom):
                target = node.module or ""
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names if a.name in modules and a.name != module)
                continue
            else:
                continue
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
            for name in submodules if len(submodules) == len(node.names) else [*submodules, target]:
                if name in modules and name != module:
                    graph[module].add(name)
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    top = "__init__" if len(parts) == 1 else parts[1]
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def test_every_module_has_a_layer():
    for module in _modules():
        _layer(module)


def test_no_module_imports_a_layer_above_it():
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in _imports(_modules()).items()
        for target in sorted(targets)
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    graph = _imports(_modules())
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
