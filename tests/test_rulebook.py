"""The Brand rules page's view of a pack: what it extends, each rule's origin, and each approved
claim's days left and state, on a pinned date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guardrails import RulePackError
from studio.services import rulebook
from studio.services.rulebook import EXPIRING_SOON_DAYS, ClaimState
from tests.conftest import TODAY, ban_term, write_pack


def _claim(ident: str, expires: dt.date | None) -> str:
    expiry = f"\n    expires: {expires.isoformat()}" if expires else ""
    return (f"  - id: {ident}\n    text: \"{ident} claim\"\n    evidence: \"Study {ident}\"\n"
            f"    owner: Legal\n    channels: [email]{expiry}\n")  # fmt: skip


@pytest.fixture
def acme(rules_dir: Path) -> Path:
    """A brand over the baselines whose claims expire at each edge of the window."""
    claims = [("today", TODAY), ("edge", TODAY + dt.timedelta(days=EXPIRING_SOON_DAYS)),
              ("later", TODAY + dt.timedelta(days=EXPIRING_SOON_DAYS + 1)),
              ("lapsed", TODAY - dt.timedelta(days=1)), ("open", None)]  # fmt: skip
    body = "".join(_claim(ident, expires) for ident, expires in claims)
    pack_dir = write_pack(rules_dir, "acme", f"pack: acme\nextends: [_baseline]\nclaims:\n{body}")
    ban_term(rules_dir, "acme", "calmer")
    return pack_dir


def test_each_claim_has_its_days_left_and_state(acme: Path) -> None:
    claims = {c.id: c for c in rulebook.pack_overview("acme", today=TODAY).claims}
    assert {ident: (c.days_left, c.state) for ident, c in claims.items()} == {
        "today": (0, ClaimState.EXPIRING_SOON),  # usable through its expiry day
        "edge": (EXPIRING_SOON_DAYS, ClaimState.EXPIRING_SOON),
        "later": (EXPIRING_SOON_DAYS + 1, ClaimState.CURRENT),
        "lapsed": (-1, ClaimState.EXPIRED),
        "open": (None, ClaimState.NO_EXPIRY),
    }
    lapsed = claims["lapsed"]
    assert (lapsed.text, lapsed.evidence, lapsed.owner) == ("lapsed claim", "Study lapsed", "Legal")
    assert lapsed.channels == ["email"] and lapsed.expires == TODAY - dt.timedelta(days=1)


def test_rules_carry_their_origin_and_the_chain_its_parents(acme: Path) -> None:
    overview = rulebook.pack_overview("acme", today=TODAY)
    rules = {r.id: r for r in overview.rules}
    assert overview.name == "acme" and overview.extends[-1] == "_baseline"
    assert "acme" not in overview.extends and overview.rule_count == len(overview.rules)
    banned = rules["TEST-BANNED"]
    assert banned.origin.endswith("acme/zz-test-ban.yaml:2")  # the line of its `- id:`
    assert (banned.kind, banned.category, banned.severity, banned.channels) == (
        "existence", "banned", "error", None)  # fmt: skip
    assert rules["SMS-OPTOUT"].origin.endswith("_baseline/us-sms/pack.yaml:7")
    assert overview.version == rulebook.pack_overview("acme").version  # the date is no input


def test_a_pack_that_does_not_load_says_why(rules_dir: Path) -> None:
    write_pack(rules_dir, "broken", "pack: broken\nextends: [_baseline]\nsurprise: 1\n")
    with pytest.raises(RulePackError, match="key 'surprise': unknown key"):
        rulebook.pack_overview("broken")
