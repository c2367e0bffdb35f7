"""One canonical JSON form for everything the studio hashes (content, prompts, audit events), so
equal data always gives equal hashes, whichever module computes them."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_tag(data: Any) -> str:
    """`sha256:<hex>` of the canonical JSON of `data`."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode()).hexdigest()
