"""Every YAML the studio reads (rule packs, briefs) is bounded: no anchors or aliases, whose
nesting expands exponentially, and no nesting deep enough to overflow the composer.

The bomb itself is only ever read in a child process with a memory cap and a timeout, so a
regression fails the test instead of exhausting the machine. How the YAML reader refuses it is
tested in tests/guardrails/test_yaml_safety.py."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write_pack
from tests.helpers.guardrails import ALIASES_REFUSED

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
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


def test_bomb_in_a_rule_pack_is_a_located_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "bomb", "pack: bomb\n", {"rules.yaml": BOMB})
    result = _bounded("-m", "studio", "rules", "show", str(pack))
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"{pack}/rules.yaml:1: {ALIASES_REFUSED}\n"


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
    assert result.stdout == f"{brief}:2: {ALIASES_REFUSED}\n"
