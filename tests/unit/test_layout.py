"""The package layout: one concern per folder and imports one way, checked on the source itself.

    locator.core       <- everything (imports nothing of the project but itself)
    locator.node       -> core                   the local Elasticsearch cluster
    locator.analytics  -> core                   search analytics: events, rollup, reports
    indexer            -> core, analytics        the indexer (its runs end with the rollup)
    locator.api        -> core, analytics        the search API (never the indexer)
    locator.staff      -> core, analytics, api   the staff app (the API's i18n and headers)
    locator.cli        -> all of them            and nothing imports it

and no import circle between project modules, of any kind: top-level, type-only (TYPE_CHECKING)
or inside a function.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("locator", "indexer")
# Which parts of the project each part may import (besides itself).
ALLOWED = {
    "locator.core": {"locator.core"},
    "locator.node": {"locator.core", "locator.node"},
    "locator.analytics": {"locator.core", "locator.analytics"},
    "indexer": {"locator.core", "locator.analytics", "indexer"},
    "locator.api": {"locator.core", "locator.analytics", "locator.api"},
    "locator.staff": {"locator.core", "locator.analytics", "locator.api", "locator.staff"},
    "locator.cli": {"locator.core", "locator.node", "locator.analytics", "locator.api", "locator.staff", "indexer"},
    "locator": set(),  # the package's own __init__
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every project module a file imports, at the top or inside a function (lazy imports count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in PACKAGES}


def _part(module: str) -> str:
    for part in sorted(ALLOWED, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    raise AssertionError(f"{module} belongs to no known part of the layout")


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module):
    part = _part(module)
    wrong = sorted(name for name in _imports(MODULES[module]) if _part(name) not in ALLOWED[part] | {part})
    assert not wrong, f"{module} ({part}) must not import {wrong}"


def test_nothing_imports_the_cli():
    importers = sorted(module for module, path in MODULES.items()
                       if module != "locator.cli" and any(_part(name) == "locator.cli" for name in _imports(path)))
    assert not importers


def test_every_module_says_what_it_is_for():
    undocumented = sorted(module for module, path in MODULES.items()
                          if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))))
    assert not undocumented


def _module_of(name: str) -> str:
    """The project module an imported name lives in: ``locator.core.es.Connection`` -> ``locator.core.es``."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    raise AssertionError(f"{name} is in no module of the project")


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (itself left out)."""
    return {module: {_module_of(name) for name in _imports(path)} - {module} for module, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None (a depth-first search: a module met again on the current path)."""
    finished: set[str] = set()
    for start in sorted(graph):
        if start in finished:
            continue
        path, pending = [start], [iter(sorted(graph[start]))]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                finished.add(path.pop())
                pending.pop()
            elif following in path:
                return path[path.index(following):] + [following]
            elif following not in finished:
                path.append(following)
                pending.append(iter(sorted(graph[following])))
    return None


def test_no_import_circle_between_project_modules():
    cycle = find_cycle(import_graph(MODULES))
    assert cycle is None, (f"import circle: {' -> '.join(cycle)} (type-only and lazy imports count too: "
                           "move what they share to a module of its own)")


def test_the_circle_check_finds_circles_of_every_length():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}) == ["b", "c", "d", "b"]
    assert find_cycle({"a": {"b", "c"}, "b": set(), "c": {"a"}}) == ["a", "c", "a"]


def test_the_gazetteer_reader_and_its_store_builder_do_not_import_each_other_back():
    assert not any(name.startswith("locator.core.gazetteer") for name in _imports(MODULES["locator.core.gazetteer_store"]))


# ---------------------------------------------------------------- the browser's modules (static/)
# The search page's data flows one way: views express intents through actions, actions write the
# state, search.js follows the state and writes the answers back, main.js renders every view once
# per change (docs/architecture.md, "The search page"). Each layer may import only the ones below it.

JS = ROOT / "static"
LEAVES = {"api", "beacons", "card", "dom", "format", "height", "i18n", "labels", "links", "mapbase", "template"}
VIEWS = {"controls", "detail", "facets", "map", "messages", "results", "suggest"}
JS_ALLOWED = {
    **{leaf: LEAVES for leaf in LEAVES},     # pure helpers: no store, no intents, no view
    "state": LEAVES,                         # the one store
    "actions": {"state"},                    # every intent, written into the store
    "search": LEAVES | {"state", "actions"}, # the API's answers into the store; no view
    **{view: LEAVES | {"state", "actions"} for view in VIEWS},
    "main": LEAVES | VIEWS | {"state", "actions", "search"},  # the composition root of the search page
    "site": LEAVES, "docs": LEAVES, "embed": set(),           # the other entry points
}
_JS_IMPORT = re.compile(r"""(?:^|[\s;])(?:import|export)\s[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']""",
                        re.MULTILINE)


def js_modules() -> dict[str, Path]:
    """Every browser module by name ("state", "main", "docs"...): static/js/*.js and the entry points beside it."""
    return {path.stem: path for path in [*JS.glob("*.js"), *(JS / "js").glob("*.js")]}


def js_imports(path: Path) -> set[str]:
    """The project modules a browser module imports (static imports, re-exports, dynamic import())."""
    names = set()
    for match in _JS_IMPORT.finditer(path.read_text(encoding="utf-8")):
        target = next(group for group in match.groups() if group)
        if target.startswith("."):
            names.add(Path(target).stem)
    return names


JS_MODULES = js_modules()


def test_every_browser_module_has_its_place_in_the_flow():
    assert set(JS_MODULES) == set(JS_ALLOWED), "a new module needs its layer in JS_ALLOWED"


@pytest.mark.parametrize("module", sorted(JS_MODULES))
def test_browser_modules_import_one_way(module):
    wrong = sorted(js_imports(JS_MODULES[module]) - JS_ALLOWED[module])
    assert not wrong, f"static/.../{module}.js must not import {wrong}"


def test_no_import_circle_between_browser_modules():
    cycle = find_cycle({name: js_imports(path) for name, path in JS_MODULES.items()})
    assert cycle is None, f"import circle: {' -> '.join(cycle)}"


def test_the_import_reader_sees_every_form_of_import(tmp_path):
    module = tmp_path / "m.js"
    module.write_text('import { a } from "./a.js";\nimport * as b from "./b.js";\nexport { c } from "./c.js";\n'
                      'import "./d.js";\nconst e = await import("./e.js");\nimport x from "https://cdn/x.js";\n'
                      'import {\n  f,\n  g\n} from "./f.js";\n// from "./not-an-import.js"\n')
    assert js_imports(module) == {"a", "b", "c", "d", "e", "f"}
