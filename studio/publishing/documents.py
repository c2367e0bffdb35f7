"""The documents the feed serves, rendered once when a publication changes rather than on every
read: the approved resource in the studio's own merge tags ("studio") and in each engine's
dialect, or a tombstone. A read then joins stored text; nothing is translated on the way out.

A variant that cannot be said in one dialect still gets a document there: its resource without
the fields, and an `error` naming the tag and why. A feed page keeps paging past it, and the
engine sees which copy it cannot send instead of a sync that stalls on one bad tag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.publishing.dialects import DIALECTS, UntranslatableTag, translate_fields

STUDIO = "studio"  # the studio's own syntax: what a read without `dialect` gets
RENDERINGS = (STUDIO, *DIALECTS)


@dataclass(frozen=True)
class Rendered:
    body: str
    etag: str
    untranslatable: bool = False


def approved(
    resource: Mapping[str, Any], fallbacks: Mapping[str, str | None]
) -> dict[str, Rendered]:
    """The resource in every rendering; `fallbacks` are the brand's, by variable."""
    version = int(resource["version"])
    documents = {STUDIO: _rendered(dict(resource), version)}
    for dialect in DIALECTS:
        try:
            fields = translate_fields(resource["fields"], dialect, fallbacks)
        except UntranslatableTag as refused:
            documents[dialect] = _rendered(_without_fields(resource, refused), version, True)
        else:
            documents[dialect] = _rendered({**resource, "fields": fields, "dialect": dialect},
                                           version)  # fmt: skip
    return documents


def tombstone(resource: Mapping[str, Any], **facts: Any) -> dict[str, Rendered]:
    """The tombstone of a resource (the same in every rendering: it carries no copy); `facts`
    are its status, revoked_at, reason and updated_at."""
    body = {"object": "variant", "id": resource["id"], "name": resource.get("name"),
            "brand": resource["brand"], "status": "revoked", "revoked_at": facts["revoked_at"],
            "reason": facts["reason"], "version": resource["version"],
            "updated_at": facts["updated_at"]}  # fmt: skip
    rendered = _rendered(body, int(resource["version"]))
    return dict.fromkeys(RENDERINGS, rendered)


def problem(refused: UntranslatableTag) -> dict[str, Any]:
    """An untranslatable tag as the `error` object a document carries."""
    return {"code": "untranslatable", "dialect": refused.dialect, "field": refused.field,
            "tag": refused.tag, "offset": refused.offset, "reason": refused.reason,
            "message": refused.message}  # fmt: skip


def _without_fields(resource: Mapping[str, Any], refused: UntranslatableTag) -> dict[str, Any]:
    document = {name: value for name, value in resource.items() if name != "fields"}
    return {**document, "dialect": refused.dialect, "error": problem(refused)}


def _rendered(document: dict[str, Any], version: int, untranslatable: bool = False) -> Rendered:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(body.encode()).hexdigest()[:32]
    return Rendered(body, f'"v{version}-{digest}"', untranslatable)
