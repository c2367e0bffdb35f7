"""A webhook receiver on 127.0.0.1: a real HTTP server in a thread that keeps every request and
answers from a script, the way an engine's endpoint would (or would fail to)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass(frozen=True)
class Reply:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    body: bytes = b""


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    def verifies_with(self, secret: str) -> bool:
        try:
            Webhook(secret).verify(self.body, self.headers)
        except Exception:  # any verification failure: missing header, bad signature, too old
            return False
        return True


@dataclass
class Receiver:
    url: str
    script: list[Reply]  # answered in order; when spent, `default`
    default: Reply = field(default_factory=Reply)
    received: list[Received] = field(default_factory=list)

    def next_reply(self) -> Reply:
        return self.script.pop(0) if self.script else self.default

    def wait_for(self, count: int, seconds: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)


@contextmanager
def receiver(*script: Reply, default: Reply | None = None) -> Iterator[Receiver]:
    lock = threading.Lock()
    state: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                box = state[0]
                box.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                reply = box.next_reply()
            time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting, as it should after its timeout

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.append(
        Receiver(
            f"http://127.0.0.1:{server.server_address[1]}/hooks", list(script), default or Reply()
        )
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state[0]
    finally:
        server.shutdown()
        server.server_close()
