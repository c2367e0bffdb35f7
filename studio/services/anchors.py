"""Audit anchors: the chain's head written outside the database, one JSON line per anchor.

Whoever can rewrite the database can rewrite its head pointer too, so a removed tail with a
matching head verifies. An anchor kept elsewhere (a file on another volume, a cron job's mail, a
ticket) does not move with it: `studio audit verify --anchor FILE` checks every line.
"""

from __future__ import annotations

import json
from pathlib import Path

from studio.errors import InvalidInput, Refused
from studio.services import audit
from studio.store.db import Database


def take(db: Database) -> audit.Anchor:
    """The current head, after checking the chain: an anchor of a broken log would vouch for
    the break."""
    with db.read() as session:
        result = audit.verify(session)
        if not result.ok:
            raise Refused("audit-broken", f"the audit log is broken ({result.problem}); "
                          "nothing was anchored")  # fmt: skip
        return audit.head(session)


def as_line(anchor: audit.Anchor) -> str:
    return json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at}) + "\n"


def append(path: Path, anchor: audit.Anchor) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(as_line(anchor))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot write the anchor ({exc.strerror})") from None


def read(path: Path) -> list[audit.Anchor]:
    """Every anchor in a file; a line that is not one is an error naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInput(f"{path}: cannot read the anchors ({reason})") from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = audit.Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(f"{path}:{number}: not an anchor (expected a JSON object with "
                               "seq, hash and at)") from None  # fmt: skip
        anchors.append(anchor)
    if not anchors:
        raise InvalidInput(f"{path}: holds no anchor")
    return anchors


def anchor_if_moved(db: Database, path: Path) -> audit.Anchor | None:
    """Append the head to `path` unless the file's last anchor already records it (what
    `studio up` does on its schedule)."""
    anchor = take(db)
    if path.is_file() and path.stat().st_size:
        last = read(path)[-1]
        if (last.seq, last.hash) == (anchor.seq, anchor.hash):
            return None
    append(path, anchor)
    return anchor
