"""`/v1/webhooks`: an engine that holds a `webhooks:manage` key registers where it wants pushes,
rotates the secret and replays what it missed, as an admin does with `studio webhooks`.

An endpoint made over the API always gets the SSRF guard (no loopback, private or link-local
addresses): only an admin at the CLI can add one inside the network, on purpose."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from studio.api.access import Caller, Db
from studio.api.documents import (
    ERRORS,
    DeliveryList,
    EndpointDocument,
    EndpointList,
    ErrorDocument,
    IssuedSecretDocument,
    NewEndpoint,
    Replay,
    ReplayReceipt,
    Rotation,
)
from studio.api.parameters import DeliveryQuery, Nothing
from studio.services import webhooks
from studio.services.schemas import MAX_ID

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
NAME = Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="the endpoint's name")
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorDocument, "description": "no such endpoint or delivery"}
}


@router.get("", response_model=EndpointList, responses=ERRORS)
def list_endpoints(db: Db, key: Caller, _query: Nothing) -> dict[str, object]:
    """Every endpoint (never a secret), with its pending and failed deliveries."""
    views = webhooks.list_endpoints(db, actor=key)
    return {"object": "list", "data": [dataclasses.asdict(view) for view in views]}


@router.post("", status_code=201, response_model=IssuedSecretDocument, responses=ERRORS)
def add_endpoint(db: Db, key: Caller, _query: Nothing, body: NewEndpoint) -> dict[str, object]:
    """A new endpoint; its signing secret is in this answer only."""
    issued = webhooks.add_endpoint(db, actor=key, name=body.name, url=body.url,
                                   events=body.events, brands=body.brands)  # fmt: skip
    return {"secret": issued.secret, "endpoint": dataclasses.asdict(issued.view)}


@router.delete("/{name}", status_code=204, responses={**ERRORS, **NOT_FOUND})
def remove_endpoint(db: Db, key: Caller, _query: Nothing, name: Annotated[str, NAME]) -> Response:
    """Remove an endpoint with its deliveries (the audit log keeps the fact)."""
    webhooks.remove_endpoint(db, actor=key, name=name)
    return Response(status_code=204)


@router.post("/{name}/rotate-secret", response_model=IssuedSecretDocument,
             responses={**ERRORS, **NOT_FOUND})  # fmt: skip
def rotate_secret(
    db: Db, key: Caller, _query: Nothing, name: Annotated[str, NAME], body: Rotation
) -> dict[str, object]:
    """A new secret now; the previous one signs alongside it for `grace_hours`."""
    issued = webhooks.rotate_secret(db, actor=key, name=name,
                                    grace=dt.timedelta(hours=body.grace_hours))  # fmt: skip
    return {"secret": issued.secret, "endpoint": dataclasses.asdict(issued.view)}


@router.post("/{name}/enable", response_model=EndpointDocument, responses={**ERRORS, **NOT_FOUND})
def enable_endpoint(
    db: Db, key: Caller, _query: Nothing, name: Annotated[str, NAME]
) -> dict[str, object]:
    """Turn back on an endpoint that was disabled (it answered 410)."""
    return dataclasses.asdict(webhooks.enable_endpoint(db, actor=key, name=name))


@router.get("/deliveries", response_model=DeliveryList, responses={**ERRORS, **NOT_FOUND})
def list_deliveries(
    db: Db, key: Caller, query: Annotated[DeliveryQuery, Query()]
) -> dict[str, object]:
    """Deliveries newest first, each with every attempt's status and error."""
    views = webhooks.list_deliveries(db, actor=key, **query.model_dump())
    return {"object": "list", "data": [dataclasses.asdict(view) for view in views]}


@router.post("/deliveries/{delivery_id}/replay", response_model=ReplayReceipt,
             responses={**ERRORS, **NOT_FOUND})  # fmt: skip
def replay_delivery(
    db: Db, key: Caller, _query: Nothing, delivery_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> dict[str, int]:
    """Send one delivery again now, with the same `webhook-id`."""
    return {"queued": webhooks.replay(db, actor=key, delivery_id=delivery_id)}


@router.post("/{name}/replay", response_model=ReplayReceipt, responses={**ERRORS, **NOT_FOUND})
def replay_window(
    db: Db, key: Caller, _query: Nothing, name: Annotated[str, NAME], body: Replay
) -> dict[str, int]:
    """Send again an endpoint's failed and dropped deliveries of events made in the window."""
    queued = webhooks.replay(db, actor=key, endpoint=name, since=body.since, until=body.until)
    return {"queued": queued}
