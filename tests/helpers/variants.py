"""Variants in a known state, made through the service layer as people would make them."""

from __future__ import annotations

import asyncio

from studio.drafting.offline import OfflineDrafter
from studio.services import approval, jobs, review
from studio.services.schemas import VariantSummary
from studio.store.db import Database
from tests.helpers.briefs import brief

CLEAN = "Brightleaf: our vitamins support your routine. Reply STOP to opt out"
CURE = "Brightleaf: our vitamins cure colds. Reply STOP to opt out"
JUSTIFIED = "Legal signed off the wording, ticket LEG-2211"


def draft(db: Database, body: str = CLEAN, author: str = "wendy") -> VariantSummary:
    return review.create_variant(
        db, actor=author, brand="brightleaf", channel="sms", fields={"body": body}
    )


def in_review(db: Database, body: str = CLEAN, author: str = "wendy") -> VariantSummary:
    variant = draft(db, body, author)
    return review.submit(db, variant.id, actor=author)


def approved(
    db: Database, body: str = CLEAN, author: str = "wendy", **options: object
) -> VariantSummary:
    """Copy approved by rita (warnings acknowledged), as a reviewer would."""
    variant = in_review(db, body, author)
    return approval.approve(db, variant.id, actor="rita", acknowledge_all=True, **options)  # type: ignore[arg-type]


def drafted(db: Database, author: str = "wendy") -> int:
    """A draft of one SMS drafted offline from a brief (tests.helpers.briefs), saved as a job."""
    job_id = jobs.enqueue(db, brief(channels=[{"channel": "sms", "count": 1}]), actor=author,
                          provider="offline", options={})  # fmt: skip
    assert asyncio.run(jobs.run_job(db, job_id, OfflineDrafter())).status == "done"
    (variant_id,) = jobs.saved_variants(db, job_id).values()
    assert variant_id is not None
    return variant_id
