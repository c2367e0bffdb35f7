"""Brand rows: one per rule-pack folder that copy has been written for."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from guardrails import CompiledPack
from studio.store.models import Brand, Variant


def ensure(session: Session, slug: str, pack: CompiledPack) -> Brand:
    """The brand of a pack folder, registered on first use under the pack's brand name.

    Inserted with ON CONFLICT DO NOTHING: two people writing a brand's first copy at once on
    PostgreSQL would otherwise race check-then-insert into a unique-key error."""
    brand = find(session, slug)
    if brand is None:
        name = pack.pack.brand.name if pack.pack.brand else slug
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(Brand)
            .values(slug=slug, name=name, rules_version=pack.version)
            .on_conflict_do_nothing(index_elements=["slug"])
        )
        brand = find(session, slug)
        assert brand is not None  # inserted now, or by whoever won the race
    return brand


def find(session: Session, slug: str) -> Brand | None:
    return session.exec(select(Brand).where(Brand.slug == slug)).first()


def slug_of(session: Session, variant: Variant) -> str:
    brand = session.get(Brand, variant.brand_id)
    assert brand is not None  # a foreign key
    return brand.slug
