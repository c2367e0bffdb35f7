"""Checks as a service: an engine (or a CI job) lints any copy against a brand's rules as they
are now, and gets exactly the report `studio check --format json` prints. Nothing is saved."""

from __future__ import annotations

from typing import Any

from studio.services import packs
from studio.services.api_keys import KeyIdentity
from studio.services.deciding import check_content
from studio.store.models import Scope


def check_for_key(
    key: KeyIdentity, *, brand: str, channel: str, fields: dict[str, Any], ident: str
) -> dict[str, Any]:
    key.require(Scope.CHECKS_RUN)
    key.require_brand(brand)
    pack = packs.brand_pack(brand)  # a brand slug only: never a path a client chose
    copy = packs.as_copy(channel, fields)
    check_content(copy)
    return packs.report_document(ident, packs.check(pack, copy))
