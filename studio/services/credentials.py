"""What every bearer credential shares (sessions, personal tokens, API keys): a recognisable
prefix so secret scanners can spot a leaked one, 256 random bits, and only a SHA-256 stored. The
secret is random, so a slow hash adds nothing; a stolen database yields no usable credential.
"""

from __future__ import annotations

import hashlib
import secrets

SHOWN_CHARS = 6  # of the random part, in listings: enough to match a leaked credential to its row
MAX_CHARS = 128  # anything longer is not one of ours; refused before any lookup


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def shown(secret: str, prefix: str) -> str:
    """The part a listing shows: the prefix and the first few random characters."""
    return secret[: len(prefix) + SHOWN_CHARS]
