"""A brand's rule pack as a person reads it: what it extends, each rule and the file line it
comes from, and each approved claim with its evidence, owner and how long it has left.

The Brand rules page shows this view so a brand owner sees the pack the checks use (resolved
and current on disk, as `packs.named_pack` gives it) and renews a claim before it expires
rather than after a draft is blocked on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from guardrails import Severity
from studio.services import packs
from studio.services.schemas import View

# How close to its expiry date a claim shows as expiring soon: a month gives its owner time
# to renew the evidence before copy that uses it is blocked.
EXPIRING_SOON_DAYS = 30


class ClaimState(StrEnum):
    EXPIRED = "expired"
    EXPIRING_SOON = "expiring soon"
    CURRENT = "current"
    NO_EXPIRY = "no expiry"


class RuleView(View):
    """One active rule; `channels` None means every channel, `origin` is "file:line"."""

    id: str
    kind: str
    category: str
    severity: Severity
    channels: list[str] | None
    message: str
    source: str | None
    origin: str


class ClaimView(View):
    """One approved claim; `days_left` is None without an expiry, negative once expired."""

    id: str
    text: str
    evidence: str
    owner: str
    expires: dt.date | None
    channels: list[str] | None
    qualifier: str | None
    days_left: int | None
    state: ClaimState


class PackOverview(View):
    """A resolved pack: `extends` lists the packs it builds on, parents first."""

    name: str
    path: str
    version: str
    extends: list[str]
    rule_count: int
    rules: list[RuleView]
    claims: list[ClaimView]


def pack_overview(pack_name: str, today: dt.date | None = None) -> PackOverview:
    """The pack `pack_name` (a name under the rules root or a path) as it is on disk now;
    a pack that does not load raises `RulePackError` with every problem in it."""
    compiled = packs.named_pack(pack_name)
    pack = compiled.pack
    active = {compiled_rule.rule.id for compiled_rule in compiled.rules}
    rules = [
        RuleView(
            id=rule.id,
            kind=rule.kind,
            category=rule.category.value,
            severity=rule.severity,
            channels=_channels(rule.channels),
            message=rule.message,
            source=rule.source,
            origin=pack.origins.get(rule.id, ""),
        )
        for rule in pack.rules
        if rule.id in active  # a rule the pack gives nothing to do never checks anything
    ]
    on = today or dt.date.today()
    claims = []
    for claim in pack.claims:
        days_left = None if claim.expires is None else (claim.expires - on).days
        claims.append(
            ClaimView(
                id=claim.id,
                text=claim.text,
                evidence=claim.evidence,
                owner=claim.owner,
                expires=claim.expires,
                channels=_channels(claim.channels),
                qualifier=claim.qualifier,
                days_left=days_left,
                state=_state(days_left),
            )
        )
    return PackOverview(
        name=pack.name,
        path=pack.path,
        version=compiled.version,
        extends=pack.chain[:-1],
        rule_count=len(rules),
        rules=rules,
        claims=claims,
    )


def _state(days_left: int | None) -> ClaimState:
    """A claim may be used up to and including its expiry day (as the checks treat it)."""
    if days_left is None:
        return ClaimState.NO_EXPIRY
    if days_left < 0:
        return ClaimState.EXPIRED
    return ClaimState.EXPIRING_SOON if days_left <= EXPIRING_SOON_DAYS else ClaimState.CURRENT


def _channels(channels: Sequence[str] | None) -> list[str] | None:
    return None if channels is None else [str(channel) for channel in channels]
