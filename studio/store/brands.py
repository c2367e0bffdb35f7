"""Brand rows: one per rule-pack folder that copy has been written for."""

from __future__ import annotations

from sqlmodel import Session, select

from guardrails import CompiledPack
from studio.store.models import Brand, Variant


def ensure(session: Session, slug: str, pack: CompiledPack) -> Brand:
    """The brand of a pack folder, registered on first use under the pack's brand name."""
    brand = find(session, slug)
    if brand is None:
        name = pack.pack.brand.name if pack.pack.brand else slug
        brand = Brand(slug=slug, name=name, rules_version=pack.version)
        session.add(brand)
        session.flush()
    return brand


def find(session: Session, slug: str) -> Brand | None:
    return session.exec(select(Brand).where(Brand.slug == slug)).first()


def slug_of(session: Session, variant: Variant) -> str:
    brand = session.get(Brand, variant.brand_id)
    assert brand is not None  # a foreign key
    return brand.slug
