"""The checker library stays a library: nothing in guardrails/ imports the studio."""

from __future__ import annotations

import ast

from tests.conftest import REPO


def test_guardrails_imports_nothing_from_studio() -> None:
    offenders = []
    for path in (REPO / "guardrails").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "studio"]
    assert offenders == []
