"""Where the CLI keeps a signed-in session: one file in the user's config folder, readable by
that user alone, holding one session per database (a person may work against several).

The file is written whole to a private temporary file and renamed into place, so a crash never
leaves half a token; a file others can read is refused, as ssh refuses a readable key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

from studio.errors import InvalidInput
from studio.settings import settings

SESSIONS_FILE = "sessions.json"


def sessions_path() -> Path:
    return settings().cli_config_dir() / SESSIONS_FILE


def load_token(database: str) -> str | None:
    """The stored session token for this database, if any."""
    entry = _read().get(database)
    return entry.get("token") if isinstance(entry, dict) else None


def save_token(database: str, token: str, user: str, expires_at: dt.datetime) -> Path:
    sessions = _read()
    sessions[database] = {"token": token, "user": user, "expires_at": expires_at.isoformat()}
    return _write(sessions)


def forget_token(database: str) -> None:
    sessions = _read()
    if sessions.pop(database, None) is not None:
        _write(sessions)


def _read() -> dict[str, Any]:
    path = sessions_path()
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InvalidInput(f"{path} can be read by other users; it holds sign-in tokens. "
                           f"Run `chmod 600 {path}` (or delete it and sign in again)")  # fmt: skip
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot read the saved sessions ({exc}); delete the file "
                           "and sign in again") from None  # fmt: skip
    sessions = data.get("sessions") if isinstance(data, dict) else None
    return sessions if isinstance(sessions, dict) else {}


def _write(sessions: dict[str, Any]) -> Path:
    path = sessions_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a crash of an earlier process with this pid
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"version": 1, "sessions": sessions}, handle, indent=2)
    os.replace(temporary, path)
    return path
