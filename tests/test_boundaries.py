"""The layers depend one way: `cli | ui | workers | api -> services -> store, drafting,
publishing -> guardrails`, with `errors`, `settings`, `canonical` and `clock` as leaves anyone
may use. A surface that reached into the store or the drafter would grow workflow logic of its own;
this keeps it thin.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

LEAVES = {"studio.errors", "studio.settings", "studio.canonical", "studio.clock"}
DATABASE_LIBRARIES = {"sqlmodel", "sqlalchemy", "alembic", "psycopg"}

# For each layer: the studio layers it may import (besides itself and the leaves).
ALLOWED: dict[str, set[str]] = {
    "studio.store": set(),
    "studio.drafting": set(),
    "studio.publishing": set(),
    "studio.services": {"studio.store", "studio.drafting", "studio.publishing"},
    "studio.workers": {"studio.services"},
    "studio.ui": {"studio.services"},
    "studio.api": {"studio.services", "studio.publishing"},
    "studio.cli": {"studio.services", "studio.workers"},  # the CLI is how workers are started
}
SURFACES = ("studio.workers", "studio.ui", "studio.cli", "studio.api")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def layer_of(module: str) -> str | None:
    for layer in (*LEAVES, *ALLOWED):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def studio_files() -> list[Path]:
    return sorted((REPO / "studio").rglob("*.py"))


def test_every_studio_module_belongs_to_a_layer() -> None:
    homeless = [
        module_name(path)
        for path in studio_files()
        if layer_of(module_name(path)) is None
        and module_name(path) not in ("studio", "studio.__main__")
    ]
    assert homeless == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_it_may(layer: str) -> None:
    may = ALLOWED[layer] | LEAVES | {layer}
    offenders = []
    for path in studio_files():
        if layer_of(module_name(path)) != layer:
            continue
        for name in imports(path):
            target = layer_of(name)
            if name.startswith("studio.") and target is not None and target not in may:
                offenders.append(f"{module_name(path)} imports {name}")
    assert offenders == []


@pytest.mark.parametrize("surface", SURFACES)
def test_surfaces_hold_no_sql(surface: str) -> None:
    offenders = [
        f"{module_name(path)} imports {name}"
        for path in studio_files()
        if layer_of(module_name(path)) == surface
        for name in imports(path)
        if name.split(".")[0] in DATABASE_LIBRARIES
    ]
    assert offenders == []


def test_the_streamlit_entry_is_a_surface_too() -> None:
    reached = {layer_of(name) for name in imports(REPO / "app.py") if name.startswith("studio.")}
    assert reached <= {"studio.services", "studio.ui", *LEAVES}


def test_leaves_import_no_layer() -> None:
    offenders = [
        f"{module_name(path)} imports {name}"
        for path in studio_files()
        if module_name(path) in LEAVES
        for name in imports(path)
        if name.startswith("studio.") and layer_of(name) not in LEAVES
    ]
    assert offenders == []


def test_guardrails_imports_nothing_from_studio() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in (REPO / "guardrails").rglob("*.py")
        for name in imports(path)
        if name.split(".")[0] == "studio"
    ]
    assert offenders == []


def test_the_checker_catches_a_surface_reaching_into_the_store(tmp_path: Path) -> None:
    """The rule is only worth having if it would fire: a CLI module importing a table does."""
    bad = tmp_path / "bad.py"
    bad.write_text("from studio.store.models import Variant\nimport sqlmodel\n", encoding="utf-8")
    found = set(imports(bad))
    assert layer_of("studio.store.models.Variant") == "studio.store"
    assert "studio.store" not in ALLOWED["studio.cli"]
    assert {"studio.store.models", "sqlmodel"} <= found
