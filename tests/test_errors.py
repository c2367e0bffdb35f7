"""Every error kind has a stable code, and both surfaces' tables say what to do with it."""

from __future__ import annotations

import ast
import re

import pytest

from studio import errors
from studio.errors import EXIT_CODES, HTTP_STATUSES, StudioError
from tests.conftest import REPO


def kinds() -> list[type[StudioError]]:
    found, pending = [], [StudioError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_every_kind_has_its_own_code_in_both_tables() -> None:
    own = [kind.code for kind in kinds() if kind.__module__ == errors.__name__]
    assert len(own) == len(set(own)) >= 7
    # A kind declared elsewhere (a prompt error is bad input) inherits a code the tables know.
    assert {kind.code for kind in kinds()} == set(own) == set(EXIT_CODES) == set(HTTP_STATUSES)


@pytest.mark.parametrize(
    ("kind", "exit_code", "status"),
    [
        (errors.NotFound("x"), 2, 404),
        (errors.InvalidInput("x"), 2, 400),
        (errors.NotAuthenticated("x"), 1, 401),
        (errors.Refused("role", "x"), 1, 403),
        (errors.Conflict("x"), 1, 409),
        (errors.DatabaseBusy("x"), 1, 503),
    ],
)
def test_the_tables_map_kinds_as_surfaces_expect(
    kind: StudioError, exit_code: int, status: int
) -> None:
    assert (EXIT_CODES[kind.code], HTTP_STATUSES[kind.code]) == (exit_code, status)


def test_no_message_below_the_surfaces_names_a_cli_option_or_command() -> None:
    """Services speak to every surface; the CLI adds its own hints (see `cli/support.py`)."""
    shell_words = re.compile(r"(?<![\w-])--[a-z][a-z-]+|`studio [a-z]")
    offenders = []
    for layer in ("services", "store", "drafting"):
        for path in (REPO / "studio" / layer).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(
                    node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef
                )
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and shell_words.search(node.value)
                ):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_the_cli_points_at_the_option_a_field_comes_from() -> None:
    from studio.cli.support import _cli_message

    assert _cli_message(
        errors.InvalidInput("reject needs a comment saying why", field="comment")
    ) == ("reject needs a comment saying why (--comment TEXT)")
    assert _cli_message(errors.InvalidInput("bad", field="elsewhere")) == "bad"
