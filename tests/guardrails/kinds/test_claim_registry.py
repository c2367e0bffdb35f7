"""The claim_registry kind: a registry claim used where its approval does not hold (expired,
on another channel, without its qualifier), in the words `claims.claim_problem` gives."""

from __future__ import annotations

import datetime as dt

from guardrails import ResolvedPack, compile_pack
from guardrails.rules.models import ApprovedClaim
from tests.conftest import TODAY
from tests.helpers.guardrails import draft, rule_pack, spans

APY = ApprovedClaim(
    id="apy",
    text="4.10% APY",
    evidence="rate sheet",
    owner="fin",
    channels=["email"],
    requires=["APY accurate as of"],
)


def _with_claims(baseline: ResolvedPack, *claims: ApprovedClaim) -> ResolvedPack:
    return baseline.model_copy(update={"claims": list(claims)})


def _registry(pack: ResolvedPack, channel: str, body: str, today: dt.date = TODAY) -> list[str]:
    findings = compile_pack(pack).check(draft(channel, body=body), today).findings
    return [f.message for f in findings if f.rule == "CLAIM-REGISTRY"]


def test_expired_claim_is_flagged_once(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="apy", text="4.50% APY", evidence="rate sheet", owner="fin", expires=dt.date(2026, 6, 30)
    )
    pack = _with_claims(baseline, claim)
    body = "Earn 4.50% APY on savings."
    assert spans(pack, draft("email", body=body), "CLAIM-REGISTRY") == [
        ("body", 5, 14, "4.50% APY")
    ]
    (message,) = _registry(pack, "email", body, dt.date(2026, 7, 1))
    assert "expired on 2026-06-30" in message
    assert _registry(pack, "email", body, dt.date(2026, 6, 30)) == []  # its last day


def test_claim_channel_and_requires(baseline: ResolvedPack) -> None:
    pack = _with_claims(baseline, APY)
    assert _registry(pack, "email", "Get 4.10% APY. APY accurate as of 11/01/2026.") == []
    (missing,) = _registry(pack, "email", "Get 4.10% APY.")
    assert "must appear with its qualifier in the same field: APY accurate as of" in missing
    sms = "Acme: 4.10% APY. APY accurate as of 11/01. Reply STOP"
    (wrong_channel,) = _registry(pack, "sms", sms)
    assert "is approved for email only, not sms" in wrong_channel


def test_without_a_registry_the_kind_is_left_out() -> None:
    assert compile_pack(rule_pack("claim_registry")).rules == []
    with_claims = rule_pack("claim_registry", {"claims": [APY.model_dump(mode="json")]})
    assert [r.rule.id for r in compile_pack(with_claims).rules] == ["T-1"]
