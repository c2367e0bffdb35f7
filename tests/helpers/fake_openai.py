"""A real, local HTTP server that speaks the OpenAI chat-completions protocol, for tests.

The `openai` client (3.x) talks through its own HTTP stack (httpx2), so transport mocks such as
respx cannot intercept it. Instead the code under test points `base_url` at this server, which
listens on 127.0.0.1 on a free port and answers with scripted `Reply` objects: content, HTTP
errors, latency or hangs, truncation, refusals, malformed bodies. Nothing leaves the machine.

    with FakeOpenAI() as server:
        server.script(Reply(status=429, headers={"retry-after-ms": "1"}), Reply(content="hi"))
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        ...
        assert len(server.requests) == 2
"""

from __future__ import annotations

import itertools
import json
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "Reply", "Responder"]

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
_POLL = 0.02  # how often a delayed reply checks for shutdown or a vanished client (seconds)

# OpenAI's error `type` per status, so the client maps statuses to the same exception classes.
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
_ERROR_CODES = {401: "invalid_api_key", 404: "not_found", 429: "rate_limit_exceeded"}


@dataclass
class Reply:
    """One scripted answer to a chat-completions request."""

    content: str | None = None  # assistant message content
    status: int = 200  # non-200 -> OpenAI-style error body {"error": {...}}
    delay: float = 0.0  # seconds to wait before answering (latency, or a hang past the timeout)
    finish_reason: str = "stop"  # e.g. "length" for truncation, "content_filter"
    refusal: str | None = None  # message.refusal (leave content None) for a model refusal
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"retry-after": "0"} on a 429
    raw_body: str | None = None  # send exactly this body (e.g. malformed JSON) with `status`
    prompt_tokens: int = 11
    completion_tokens: int = 7


Responder = Callable[[dict[str, Any]], Reply]


def _default_responder(_body: dict[str, Any]) -> Reply:
    return Reply(content="ok")


def _error_body(status: int, message: str) -> dict[str, Any]:
    """The JSON the real API sends with a non-2xx status."""
    return {
        "error": {
            "message": message,
            "type": _ERROR_TYPES.get(status, "server_error" if status >= 500 else "api_error"),
            "param": None,
            "code": _ERROR_CODES.get(status, str(status)),
        }
    }


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its `FakeOpenAI` and keeps quiet about vanished clients."""

    daemon_threads = True  # a handler still running never blocks interpreter exit
    request_queue_size = 128  # listen backlog: bursts of concurrent connects must not be dropped

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out and hang up are expected in tests: no traceback for those.

        Socket errors (broken pipe, reset, a socket closed by `stop()`) are dropped; anything
        else is a bug in this module, kept in `errors` and printed.
        """
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        if exc is not None:
            self.fake.errors.append(exc)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Serves /v1/chat/completions and /v1/models; everything else is an OpenAI-style 404."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    server: _Server

    # --- plumbing -----------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log; tests read `server.requests` instead."""

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()  # the blank line after the last chunk
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        extra = {k.lower(): v for k, v in (headers or {}).items()}
        try:
            self.send_response(status)
            self.send_header("content-type", extra.pop("content-type", "application/json"))
            self.send_header("content-length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (ConnectionError, TimeoutError):  # the client hung up first (e.g. its timeout)
            self.close_connection = True

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), headers)

    def _client_gone(self) -> bool:
        """True once the client has closed its end (it gave up waiting)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _wait(self, seconds: float) -> bool:
        """Sleep in small steps; False if the server is stopping or the client left meanwhile."""
        deadline = time.monotonic() + seconds
        stop = self.server.fake._stop
        while (left := deadline - time.monotonic()) > 0:
            if stop.wait(min(_POLL, left)) or self._client_gone():
                return False
        return not stop.is_set()

    # --- routes -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == MODELS_PATH:
            model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "test"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._not_found()

    def do_POST(self) -> None:
        body = self._read_body()
        if self.path.split("?", 1)[0].rstrip("/") != CHAT_PATH:
            self._not_found()
            return
        try:
            request = json.loads(body)
            if not isinstance(request, dict):
                raise ValueError("the body is not a JSON object")
        except ValueError as exc:
            self._send_json(400, _error_body(400, f"could not parse the request body: {exc}"))
            return
        fake = self.server.fake
        with fake._counting():
            fake._record(request)
            try:
                reply = fake._next_reply(request)
            except Exception as exc:  # a broken responder must fail the test, not hang the client
                fake.errors.append(exc)
                message = f"responder raised {type(exc).__name__}: {exc}"
                self._send_json(500, _error_body(500, message), {"x-should-retry": "false"})
                return
            if not self._wait(reply.delay + fake.latency):
                self.close_connection = True  # nobody to answer, or shutting down: just hang up
                return
            self._answer(request, reply)

    def _not_found(self) -> None:
        message = f"Unknown request URL: {self.command} {self.path}"
        self._send_json(404, _error_body(404, message))

    def _answer(self, request: dict[str, Any], reply: Reply) -> None:
        if reply.raw_body is not None:
            self._send(reply.status, reply.raw_body.encode(), reply.headers)
        elif reply.status != 200:
            message = reply.content or HTTPStatus(reply.status).phrase
            self._send_json(reply.status, _error_body(reply.status, message), reply.headers)
        else:
            self._send_json(200, self.server.fake._completion(request, reply), reply.headers)


class FakeOpenAI:
    """Context manager: a local OpenAI-compatible server with scripted replies.

    `with FakeOpenAI(responder, latency=0.0) as server:` starts it on 127.0.0.1:<free port>.
    - `server.base_url`: "http://127.0.0.1:PORT/v1", for `OpenAI(base_url=...)`.
    - `server.requests`: the JSON bodies POSTed to /v1/chat/completions, in arrival order.
    - `server.script(*replies)`: replies used, in order, by the next requests; after them,
      `responder(body)` decides (default: `Reply(content="ok")`).
    - `latency`: seconds added to every chat reply's delay.
    - `server.max_in_flight`: the most chat requests handled at the same moment.
    - `server.errors`: exceptions raised by the responder (answered with a 500 that is not
      retried) or by the server itself; tests may assert it is empty.
    """

    def __init__(self, responder: Responder | None = None, *, latency: float = 0.0) -> None:
        self.responder: Responder = responder or _default_responder
        self.latency = latency
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._script: deque[Reply] = deque()
        self._requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._in_flight = 0
        self._max_in_flight = 0
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind a free port and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeOpenAI is already running")
        self._stop.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll interval
            name=f"fake-openai-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop fast: wake sleeping replies, close kept-alive connections, free the port."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stop.set()
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive handlers block on read until their socket dies
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if thread is not None:
            thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what tests use -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot: later requests do not change a list already taken."""
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, before the responder is asked again."""
        with self._lock:
            self._script.extend(replies)

    # --- used by the handler ------------------------------------------------------------------

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_reply(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.responder(request)

    @contextmanager
    def _counting(self) -> Iterator[None]:
        """Count a chat request as in flight for the duration of the block."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def _completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        """The body of a successful chat completion, shaped like the real API's."""
        message = {"role": "assistant", "content": reply.content, "refusal": reply.refusal}
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        with self._lock:
            number = next(self._ids)
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": usage,
        }
