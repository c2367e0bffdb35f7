"""Registry claims in copy: where one is used, and whether that use is approved here.

Both the engine (a valid use shields the claim findings inside it) and the `claim_registry`
kind (an invalid use is a finding) ask `claim_problem`, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guardrails.content import Channel
from guardrails.rules.models import ApprovedClaim


@dataclass(frozen=True)
class ClaimUse:
    claim: ApprovedClaim
    start: int
    end: int
    requires_met: bool


def claim_problem(use: ClaimUse, channel: Channel, today: dt.date) -> str | None:
    """Why this use of a registry claim is not approved here, or None when it is."""
    claim = use.claim
    if claim.expires is not None and today > claim.expires:
        return f"expired on {claim.expires.isoformat()}"
    if claim.channels is not None and channel not in claim.channels:
        allowed = ", ".join(c.value for c in claim.channels)
        return f"is approved for {allowed} only, not {channel.value}"
    if not use.requires_met:
        qualifier = claim.qualifier or " / ".join(claim.requires)
        return f"must appear with its qualifier in the same field: {qualifier}"
    return None
