"""The import graph of app/ stays acyclic and points one way (docs/architecture.md).

Every import counts, including those inside functions: a lazy import hides a cycle, it does
not remove it. Areas are `app.<name>`; every area must have a place in LAYERS, so a new one
is placed on purpose. Within the list, an area may import only areas listed before it.
Demo seeders (`*.demo`, `app.demo`) build data across areas and are left out, as is the app
factory (`app/__init__.py`), which wires every area together.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

# Lowest first. An area may import the areas listed before it, never those after it.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "foundation",
        ["extensions", "ids", "errors", "logs", "locks", "stations", "models", "permissions", "audit", "integrations"],
    ),
    ("web and tenancy", ["tenancy", "web"]),
    ("platform", ["dashboard", "jobs", "delivery", "mail"]),
    (
        "domain",
        [
            "pricing",
            "availability",
            "customers",
            "qr",
            "chefs",
            "leads",
            "bookings",
            "payments",
            "notifications",
            "newsletter",
            "ai",
            "inbox",
            "reviews",
            "selfservice",
            "calendars",
        ],
    ),
    ("pages and entry points", ["analytics", "settings", "auth", "team", "admin", "api", "ops", "cli"]),
]
ORDER = {area: rank for rank, area in enumerate(name for _, areas in LAYERS for name in areas)}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in APP.rglob("*.py"):
        dotted = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        modules[dotted.removesuffix(".__init__")] = path
    return modules


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The app modules `module` imports, at any depth of its code."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            targets = [source] + [f"{source}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != module}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {}
    for module, path in modules.items():
        # A package importing its own submodules (blueprint registration) is not a dependency, nor is
        # naming the root package in `from app import audit` (that is an import of app.audit).
        targets = _imports(module, path, known) - {"app"}
        graph[module] = {t for t in targets if not t.startswith(module + ".")}
    return graph


def _area(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _is_demo(module: str) -> bool:
    return module == "app.demo" or module.endswith(".demo")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_in_a_circle():
    graph = {m: targets for m, targets in _graph().items() if m != "app"}
    assert _cycles(graph) == []


def test_every_area_has_a_layer():
    areas = {_area(m) for m in _modules() if m != "app" and not _is_demo(m)}
    assert areas - set(ORDER) == set(), "place the new area in LAYERS (tests/test_architecture.py) and the doc"
    assert set(ORDER) - areas == set(), "an area in LAYERS no longer exists"


def test_areas_import_only_the_layers_below_them():
    wrong = []
    for module, targets in _graph().items():
        if module == "app" or _is_demo(module):
            continue
        for target in targets - {t for t in targets if _is_demo(t)}:  # `flask seed-demo` runs the seeders
            here, there = _area(module), _area(target)
            if here != there and ORDER[there] > ORDER[here]:
                wrong.append(f"{module} imports {target} ({here} may not depend on {there})")
    assert wrong == []


def test_the_check_sees_lazy_imports_and_cycles(tmp_path):
    """The graph is only as good as its parser: a function-level import and a cycle are seen."""
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from app.y import z\n    from . import w\n", encoding="utf-8")
    known = {"app.y", "app.y.z", "app.w"}
    assert _imports("app.x", path, known) == known
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
