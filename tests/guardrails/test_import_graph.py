"""The guardrails modules import one another without a cycle.

Every import counts, wherever it is written: at module level, under `if TYPE_CHECKING:`, or
inside a function (a lazy import that dodges a cycle at run time is still a cycle). What Python
imports implicitly, a module's parent packages, does not: `guardrails/__init__` re-exports from
its submodules, and that is no dependency of theirs.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from tests.conftest import REPO

KINDS_MAY_IMPORT = {
    "guardrails.content",
    "guardrails.claims",
    "guardrails.findings",
    "guardrails.kinds.base",
    "guardrails.merge",
    "guardrails.patterns",
    "guardrails.readability",
    "guardrails.rules.models",
    "guardrails.sms",
    "guardrails.terms",
    "guardrails.view",
}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of the package under `root` -> the package's modules it imports."""
    files = {_module_name(path, root, package): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(node, module, is_package)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    targets.add(submodule if submodule in files else source)
        graph[module] = {t for t in targets if t in files and t != module}
    return graph


def _module_name(path: Path, root: Path, package: str) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1]
        return cycle
    return None


GRAPH = import_graph(REPO / "guardrails", "guardrails")


def test_guardrails_has_no_import_cycle() -> None:
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_the_graph_sees_the_imports_that_matter() -> None:
    assert "guardrails.kinds.registry" in GRAPH["guardrails.engine"]
    assert "guardrails.kinds.metric" in GRAPH["guardrails.kinds.registry"]
    # `from guardrails import readability, sms` names modules, not the package.
    assert {"guardrails.readability", "guardrails.sms"} <= GRAPH["guardrails.kinds.metric"]
    assert "guardrails" not in GRAPH["guardrails.kinds.metric"]


def test_kinds_import_only_the_base_and_leaf_modules() -> None:
    kinds = [m for m in GRAPH if m.startswith("guardrails.kinds.")]
    kinds = [m for m in kinds if m not in ("guardrails.kinds.base", "guardrails.kinds.registry")]
    assert len(kinds) == 14
    for kind in kinds:
        assert GRAPH[kind] <= KINDS_MAY_IMPORT, kind
    assert GRAPH["guardrails.kinds"] == set()  # importing one kind never imports the rest


@pytest.mark.parametrize(
    "lazy",
    [
        "def f():\n    from pkg.a import thing\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
        "def f():\n    from . import a\n",
    ],
)
def test_a_cycle_through_a_lazy_or_typing_import_is_found(tmp_path: Path, lazy: str) -> None:
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("from pkg.b import thing\n")
    (tmp_path / "b.py").write_text(lazy)
    cycle = find_cycle(import_graph(tmp_path, "pkg"))
    assert cycle is not None and set(cycle) == {"pkg.a", "pkg.b"}
