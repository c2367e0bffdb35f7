"""One webhook delivery attempt: sign the exact payload bytes, POST them, report what happened.

Signing follows the Standard Webhooks spec through its own library: `webhook-id` (the same on
every retry, so a receiver can drop duplicates), `webhook-timestamp`, and `webhook-signature`
with one `v1,` signature per live secret, so during a secret rotation receivers holding either
secret verify. Redirects are not followed (a redirect could point inside our network), proxies
from the environment are not used, and only the first bytes of a reply are read.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import httpx
from standardwebhooks import Webhook

from studio.publishing import destinations, retries

USER_AGENT = "content-studio-webhooks/1"
REPLY_BYTES_KEPT = 500


@dataclass(frozen=True)
class Message:
    message_id: str
    payload: str  # exactly the bytes sent and signed
    url: str
    secrets: tuple[str, ...]  # every secret that signs (two during a rotation)
    allow_private: bool


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status; None when no response came
    error: str | None  # why it failed, for the deliveries listing; None on success
    retry_after: dt.timedelta | None  # the receiver asked for a pause (429/503)
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """410: the receiver says this endpoint no longer exists; stop sending to it."""
        return self.status == 410


def signature_headers(message: Message, now: dt.datetime) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(message.message_id, now, message.payload) for secret in message.secrets
    )
    return {
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }


def send(message: Message, *, timeout: float, client: httpx.Client) -> Outcome:
    """Try once. Never raises for the receiver's faults: they come back as an Outcome."""
    started = time.monotonic()

    def outcome(
        status: int | None, error: str | None, pause: dt.timedelta | None = None
    ) -> Outcome:
        return Outcome(status, error, pause, int((time.monotonic() - started) * 1000))

    try:
        target = destinations.resolve(message.url, message.allow_private)
    except destinations.BadDestination as refused:
        return outcome(None, f"not sent: {refused}")
    now = dt.datetime.now(dt.UTC)
    url = httpx.URL(message.url)
    headers = {
        **signature_headers(message, now),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": url.netloc.decode("ascii"),
    }
    extensions = {"sni_hostname": target.host} if url.scheme == "https" else {}
    request = client.build_request(
        "POST",
        url.copy_with(host=target.address),
        content=message.payload.encode(),
        headers=headers,
        extensions=extensions,
        timeout=timeout,
    )
    try:
        response = client.send(request, stream=True)
    except httpx.TimeoutException:
        return outcome(None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return outcome(None, f"could not connect: {exc}")
    try:
        reply = _first_bytes(response)
    except httpx.HTTPError as exc:
        reply = f"(reply cut off: {exc})"
    finally:
        response.close()
    status = response.status_code
    if 200 <= status < 300:
        return outcome(status, None)
    pause = None
    if status in retries.PAUSE_STATUSES:
        pause = retries.parse_retry_after(response.headers.get("retry-after"), now)
    why = f"HTTP {status}"
    if 300 <= status < 400:
        why += " (redirects are not followed; give the final URL)"
    return outcome(status, f"{why}: {reply}" if reply else why, pause)


def new_client() -> httpx.Client:
    """One client per worker thread pool: connections are reused, the environment's proxy and
    .netrc settings are not."""
    return httpx.Client(
        follow_redirects=False, trust_env=False, limits=httpx.Limits(max_connections=64)
    )


def _first_bytes(response: httpx.Response) -> str:
    kept = b""
    for chunk in response.iter_raw():
        kept += chunk
        if len(kept) >= REPLY_BYTES_KEPT:
            break
    text = kept[:REPLY_BYTES_KEPT].decode("utf-8", errors="replace")
    return " ".join(text.split())
