"""The package layout: one concern per folder and imports one way, checked on the source itself.

    locator.core   <- everything (imports nothing of the project but itself)
    locator.node   -> core            the local Elasticsearch cluster
    indexer        -> core            the indexer
    locator.api    -> core            the search API (never the indexer)
    locator.cli    -> all of them     and nothing imports it
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("locator", "indexer")
# Which parts of the project each part may import (besides itself).
ALLOWED = {
    "locator.core": {"locator.core"},
    "locator.node": {"locator.core", "locator.node"},
    "indexer": {"locator.core", "indexer"},
    "locator.api": {"locator.core", "locator.api"},
    "locator.cli": {"locator.core", "locator.node", "locator.api", "indexer"},
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


def test_the_gazetteer_reader_and_its_store_builder_do_not_import_each_other_back():
    assert not any(name.startswith("locator.core.gazetteer") for name in _imports(MODULES["locator.core.gazetteer_store"]))
