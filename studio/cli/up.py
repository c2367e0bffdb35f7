"""`studio up`: the studio's processes under one supervisor, which also anchors the audit log.

Before anything is printed or started, the port is tried, so a busy port fails at once instead of
after a URL that leads to somebody else's server. Approved copy is re-checked if a brand's rules
changed since the last start. Then the web UI runs as a child process; every interval the audit
log's head is appended to the anchors file (when it moved), and on Ctrl-C or SIGTERM the child is
stopped and a last anchor written.
"""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from studio.cli.support import database, reporting_errors
from studio.errors import InvalidInput
from studio.services import anchors, recheck
from studio.services.workspace import Database
from studio.settings import REPO_ROOT, settings

STOP_GRACE_SECONDS = 10


class _Stop(Exception):
    """SIGTERM, raised where the supervisor waits, so it stops like on Ctrl-C."""


def require_free_port(host: str, port: int) -> None:
    """Refuse a port something already listens on (the same test the server's bind makes)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
            raise InvalidInput(f"port {port} on {host} {why}: stop what runs there, or pick "
                               "another with --port") from None  # fmt: skip


def ui_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
            "--server.headless=true", f"--server.port={port}", f"--server.address={host}",
            "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer"]  # fmt: skip


def run(db: Database, host: str, port: int, log: Callable[[str], None]) -> int:
    """Serve until stopped; the exit code is the UI's if it stops by itself."""
    require_free_port(host, port)
    configured = settings()
    interval = configured.audit_anchor_minutes * 60
    path = configured.anchor_file()
    outcomes = recheck.recheck_approved(db, actor=None, only_if_rules_changed=True)
    for outcome in outcomes:
        log(f"rules changed since the last start: #{outcome.variant_id} {outcome.result}")
    _anchor(db, path, log)
    child = subprocess.Popen(ui_command(host, port), cwd=REPO_ROOT)
    log(f"Content Studio UI: http://{host}:{port}  (audit anchors: {path}; Ctrl-C stops)")
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    try:
        while True:
            try:
                code = child.wait(timeout=interval)
            except subprocess.TimeoutExpired:
                _anchor(db, path, log)
                continue
            log(f"the UI stopped by itself (exit {code})")
            return code or 1
    except (KeyboardInterrupt, _Stop):
        log("stopping...")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(child)
        _anchor(db, path, log)


def _anchor(db: Database, path: Path, log: Callable[[str], None]) -> None:
    anchor = anchors.anchor_if_moved(db, path)
    if anchor is not None:
        log(f"audit log anchored at event {anchor.seq}")


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _raise_stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def up(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the web UI.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the studio's web UI and keep the audit log anchored while it runs (after bringing
    the database up to date and re-checking approved copy if a brand's rules changed)."""

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    db = database()
    with reporting_errors():
        code = run(db, host, port, log)
    raise typer.Exit(code)
