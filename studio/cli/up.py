"""`studio up`: the studio's processes under one supervisor, which also anchors the audit log.

Before anything is printed or started, both ports are tried, so a busy port fails at once instead
of after a URL that leads to somebody else's server. Approved copy is re-checked if a brand's
rules changed since the last start. Then the web UI, the publishing API and the worker (drafting
jobs, webhooks) run as child processes; every interval the audit log's head is appended to the
anchors file (when it moved). A child that stops by itself is started again after a short pause,
up to `RESTARTS` times in `RESTART_WINDOW`; one that keeps stopping is given up on, loudly, and
the others are stopped too. Ctrl-C or SIGTERM stops them all; either way a last anchor is written.
"""

from __future__ import annotations

import errno
import json
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, Protocol

import typer

from studio.cli.support import database, reporting_errors
from studio.errors import InvalidInput
from studio.services import anchors, recheck
from studio.services.workspace import Database
from studio.settings import REPO_ROOT, settings

STOP_GRACE_SECONDS = 10
WATCH_SECONDS = 0.5  # how soon a child that stopped by itself is noticed
RESTARTS, RESTART_WINDOW, RESTART_PAUSE = 5, 600.0, 1.0  # at most 5 restarts in 10 min, 1 s apart


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
    command = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
               "--server.headless=true", f"--server.port={port}", f"--server.address={host}",
               "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer"]  # fmt: skip
    secrets = sso_secrets(host, port)
    return [*command, f"--secrets.files={secrets}"] if secrets else command


def sso_secrets(host: str, port: int) -> Path | None:
    """With single sign-on configured, the `[auth]` section `st.login` reads, written (owner
    only) into the data folder; its cookie secret is made once and kept there, so a restart
    does not sign everyone out. None without single sign-on."""
    configured = settings()
    if not configured.oidc_configured or configured.oidc_client_secret is None:
        return None
    folder = configured.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / "ui-cookie-secret"
    if not kept.exists():
        kept.touch(mode=0o600)
        kept.write_text(secrets.token_urlsafe(32), encoding="utf-8")
    base = (configured.ui_url or f"http://{host}:{port}").rstrip("/")
    auth = {
        "redirect_uri": f"{base}/oauth2callback",
        "cookie_secret": kept.read_text(encoding="utf-8").strip(),
        "client_id": configured.oidc_client_id,
        "client_secret": configured.oidc_client_secret.get_secret_value(),
        "server_metadata_url": configured.oidc_metadata_url,
    }
    path = folder / "ui-secrets.toml"
    path.touch(mode=0o600)
    path.chmod(0o600)
    # TOML basic strings take JSON's escapes, so json.dumps quotes each value safely.
    lines = ["[auth]", *(f"{key} = {json.dumps(value)}" for key, value in auth.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def child_commands(host: str, port: int, api_port: int) -> dict[str, list[str]]:
    studio = [sys.executable, "-m", "studio"]
    return {
        "UI": ui_command(host, port),
        "API": [*studio, "api", "--host", host, "--port", str(api_port)],
        "worker": [*studio, "worker"],
    }


class Child(Protocol):
    """What the supervisor needs of a child process (a `subprocess.Popen`)."""

    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


class Supervisor:
    """The children, by name, and their restarts. `watch()` notices a child that stopped by
    itself and starts it again after `pause` seconds, unless it already was `limit` times within
    `window` seconds: then it gives up and returns the exit code to stop with."""

    def __init__(
        self,
        commands: dict[str, list[str]],
        start: Callable[[list[str]], Child],
        log: Callable[[str], None],
        *,
        limit: int = RESTARTS,
        window: float = RESTART_WINDOW,
        pause: float = RESTART_PAUSE,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.commands, self._start, self._log, self._clock = commands, start, log, clock
        self.limit, self.window, self.pause = limit, window, pause
        self.children: dict[str, Child] = {name: start(cmd) for name, cmd in commands.items()}
        self._restarts: dict[str, deque[float]] = {name: deque() for name in commands}
        self._due: dict[str, float] = {}  # a stopped child's restart time

    def watch(self) -> int | None:
        """Look at every child once; None while the studio runs on, else the exit code."""
        now = self._clock()
        for name, child in list(self.children.items()):
            if name in self._due:
                if now >= self._due[name]:
                    del self._due[name]
                    self.children[name] = self._start(self.commands[name])
                    self._log(f"the {name} was started again")
                continue
            code = child.poll()
            if code is None:
                continue
            recent = self._restarts[name]
            while recent and now - recent[0] > self.window:
                recent.popleft()
            minutes = f"{self.window / 60:g} minutes"
            if len(recent) >= self.limit:
                self._log(f"the {name} stopped by itself (exit {code}) again, after "
                          f"{len(recent)} restart(s) within {minutes}; giving up: stopping the "
                          "others")  # fmt: skip
                return code or 1
            recent.append(now)
            self._due[name] = now + self.pause
            self._log(f"the {name} stopped by itself (exit {code}); starting it again in "
                      f"{self.pause:g} s (restart {len(recent)} of {self.limit} allowed within "
                      f"{minutes})")  # fmt: skip
        return None

    def stop_all(self) -> None:
        self._due.clear()
        for child in self.children.values():
            _stop(child)


def run(db: Database, host: str, port: int, api_port: int, log: Callable[[str], None]) -> int:
    """Serve until stopped; a child that stops by itself is started again, and if it keeps
    stopping the others are stopped and its exit code (or 1) is returned."""
    if port == api_port:
        raise InvalidInput(f"the UI and the API cannot share port {port}: pick another --api-port")
    require_free_port(host, port)
    require_free_port(host, api_port)
    configured = settings()
    interval = configured.audit_anchor_minutes * 60
    path = configured.anchor_file()
    outcomes = recheck.recheck_approved(db, actor=None, only_if_rules_changed=True)
    for outcome in outcomes:
        log(f"rules changed since the last start: #{outcome.variant_id} {outcome.result}")
    _anchor(db, path, log)
    supervisor = Supervisor(child_commands(host, port, api_port), _start, log)
    log(f"Content Studio UI: http://{host}:{port}\n"
        f"Publishing API:    http://{host}:{api_port}/v1  (docs: http://{host}:{api_port}/docs)\n"
        f"Worker:            drafting jobs and webhook deliveries\n"
        f"Audit anchors:     {path}\n"
        "Ctrl-C stops all of them.")  # fmt: skip
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    next_anchor = time.monotonic() + interval
    try:
        while True:
            code = supervisor.watch()
            if code is not None:
                return code
            if time.monotonic() >= next_anchor:
                _anchor(db, path, log)
                next_anchor = time.monotonic() + interval
            time.sleep(min(WATCH_SECONDS, max(0.0, next_anchor - time.monotonic())))
    except (KeyboardInterrupt, _Stop):
        log("stopping...")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        supervisor.stop_all()
        _anchor(db, path, log)


def _anchor(db: Database, path: Path, log: Callable[[str], None]) -> None:
    anchor = anchors.anchor_if_moved(db, path)
    if anchor is not None:
        log(f"audit log anchored at event {anchor.seq}")


def _start(command: list[str]) -> Child:
    return subprocess.Popen(command, cwd=REPO_ROOT)


def _stop(child: Child) -> None:
    """SIGTERM, then SIGKILL after a grace period: a worker mid-delivery gets time to finish."""
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
    api_port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of the publishing API.")
    ] = 8600,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the web UI, the publishing API and the worker, and keep the audit log anchored
    while they run (after bringing the database up to date and re-checking approved copy if a
    brand's rules changed)."""

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    db = database()
    with reporting_errors():
        code = run(db, host, port, api_port, log)
    raise typer.Exit(code)
