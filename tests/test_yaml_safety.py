"""Every YAML the studio reads (rule packs, briefs) is bounded: no anchors or aliases, whose
nesting expands exponentially, and no nesting deep enough to overflow the composer.

The bomb itself is only ever read in a child process with a memory cap and a timeout, so a
regression fails the test instead of exhausting the machine."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from guardrails import RulePackError, load_pack
from guardrails.rules.yamlsource import MAX_DEPTH, YamlSourceError, load_with_lines
from tests.conftest import REPO, write_pack

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
REFUSED = "anchors and aliases (&name, *name) are not allowed: write the value out"
CHILD_MEMORY = 1 << 30  # bytes of address space: the CLI needs far less, the bomb far more
CHILD_SECONDS = 120  # a generous bound on an answer that should come at once


def _bounded(*args: str) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in a child that cannot take more than CHILD_MEMORY or CHILD_SECONDS."""

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))

    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=cap_memory,
        timeout=CHILD_SECONDS,
        check=False,
    )


def _error(text: str) -> YamlSourceError:
    with pytest.raises(YamlSourceError) as caught:
        load_with_lines(text)
    return caught.value


def test_anchors_and_aliases_are_refused_on_their_line() -> None:
    anchor = _error("rules:\n  - id: A\n    terms: &t [x]\n  - terms: *t\n")
    assert (anchor.line, anchor.message) == (3, REFUSED)
    assert _error("rules:\n  - terms: *t\n").line == 2  # an alias alone
    assert _error("base: &base {severity: error}\nrule:\n  <<: *base\n").line == 1


def test_nesting_is_capped_without_a_recursion_error() -> None:
    assert load_with_lines("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))[0]
    deep = _error("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert deep.line == 1 and deep.message == f"nested deeper than {MAX_DEPTH} levels"
    assert "nested deeper" in _error("[" * 100_000).message
    assert "nested deeper" in _error("pack: p\nrules:\n" + "  - " * 100 + "x\n").message


def test_a_value_yaml_cannot_build_is_an_error_on_its_line() -> None:
    invalid_date = _error("brand: acme\nends: 2024-02-30\n")
    assert invalid_date.line == 2 and "day is out of range" in invalid_date.message
    assert _error("a: !!python/object:os.system x\n").line == 1


def test_a_deep_rule_pack_is_a_located_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "deep", "pack: deep\n", {"rules.yaml": "rules: " + "[" * 100_000})
    with pytest.raises(RulePackError) as caught:
        load_pack(pack)
    assert caught.value.problems == [f"{pack}/rules.yaml:1: nested deeper than 64 levels"]


def test_bomb_in_a_rule_pack_is_a_located_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "bomb", "pack: bomb\n", {"rules.yaml": BOMB})
    result = _bounded("-m", "studio", "rules", "show", str(pack))
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"{pack}/rules.yaml:1: {REFUSED}\n"


def test_bomb_in_a_brief_is_a_located_error(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text("brand: brightleaf\n" + BOMB, encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from studio.drafting.brief import load_brief\n"
        "from studio.errors import InvalidInput\n"
        "try:\n"
        "    load_brief(Path(sys.argv[1]))\n"
        "except InvalidInput as exc:\n"
        "    print(exc.message)\n"
    )
    result = _bounded("-c", code, str(brief))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{brief}:2: {REFUSED}\n"
