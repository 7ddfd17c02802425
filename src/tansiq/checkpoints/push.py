"""Scan events pushed by devices (``POST /api/v1/sync/events``): checked here, stored by the
process's intake, answered per push; and the endpoint's lean route.

The endpoint is the hub's busiest: an online checkpoint sends every scan as its officer records
it, one request each. Its FastAPI route (``checkpoints/routes.py``) is the documented contract;
:class:`PushRoute`, tried before every other route, answers the usual request (a JSON object
whose ``events`` is a list of at most ``MAX_EVENTS``) with the same checks and the same answer,
without FastAPI's per-request work (matching every router, solving dependencies, validating the
answer against its own model). Anything else it hands to the FastAPI route untouched, body
included, so every unusual request (no or malformed JSON, another content type, a body that is
not a batch) gets exactly the coded error it always got. The body limit, the security headers and
the error mapping are the app's middleware and handlers, around both routes alike.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Message, Receive, Scope, Send

from tansiq.checkpoints import service
from tansiq.checkpoints.ingest import Push
from tansiq.checkpoints.intake import Intake
from tansiq.checkpoints.schemas import RejectedEventOut, ScanBatchOut, ScanEventIn
from tansiq.context import HubContext
from tansiq.core.i18n import N_, Locale, translate
from tansiq.parties.service import hash_token
from tansiq.web.deps import request_locale

PATH = "/api/v1/sync/events"
MAX_EVENTS = 5000  # a batch's events, at most
SMALL_BATCH = 16  # events checked in the event loop itself; more, in a worker thread
_BAD_EVENT = N_("This scan event is not valid; it was not stored.")
_BAD_TIME = N_("The scan time is in the future or more than a year ago; it was not stored.")
# Set on a request the lean route handed over, so that routing it again skips the lean route.
_HANDED_OVER = "tansiq.push_handed_over"


async def receive_push(
    hub: HubContext, locale: Locale, authorization: str | None, events: list[Any]
) -> ScanBatchOut:
    """Check ``events`` and store the valid ones for the device holding the token in
    ``Authorization: Device <token>``; what was stored, and each event refused by index."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "device" or not token.strip():
        raise service.DeviceNotValid
    # Checking events is CPU work, done here; a batch in a worker thread, so the server keeps
    # answering meanwhile. The device is checked, and the events stored, by the process's
    # intake: with whatever other pushes are waiting, in one transaction (checkpoints/intake).
    now = hub.clock.now()
    if len(events) > SMALL_BATCH:
        valid, rejected = await run_in_threadpool(check_events, events, now, locale)
    else:
        valid, rejected = check_events(events, now, locale)
    intake = hub.caches.get(Intake, lambda: Intake(hub.sessions, hub.clock))
    result = await asyncio.wrap_future(intake.submit(Push(hash_token(token.strip()), valid)))
    if result is None:
        raise service.DeviceNotValid
    return ScanBatchOut(
        stored=result.stored,
        duplicates=result.duplicates,
        rejected=rejected,
        contradictions=result.contradictions,
        clones_suspected=result.clones,
    )


def check_events(
    events: list[Any], now: datetime, locale: Locale
) -> tuple[list[ScanEventIn], list[RejectedEventOut]]:
    """The valid events, and the others rejected by index with a coded reason."""
    valid: list[ScanEventIn] = []
    rejected: list[RejectedEventOut] = []
    try:
        # The usual batch, every event well formed: checked in one call.
        batch = _BATCH.validate_python(events)
    except ValidationError:
        batch = None
    if batch is not None:
        for index, event in enumerate(batch):
            if service.plausible_time(event.scanned_at, now):
                valid.append(event)
            else:
                rejected.append(_out_of_range(index, locale))
        return valid, rejected
    for index, raw in enumerate(events):
        try:
            event = ScanEventIn.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0] if error.errors() else None
            kind = first["type"] if first else "invalid"
            # The event's own field (a union's member tags, e.g. "str-enum[ReasonCode]", say
            # which type pydantic tried, not where the problem is).
            field = str(first["loc"][0]) if first and first["loc"] else None
            rejected.append(
                RejectedEventOut(
                    index=index,
                    code=f"scan.{kind}",
                    message=translate(_BAD_EVENT, locale),
                    field=field or None,
                )
            )
            continue
        if not service.plausible_time(event.scanned_at, now):
            rejected.append(_out_of_range(index, locale))
            continue
        valid.append(event)
    return valid, rejected


# Each event of a list validated as ScanEventIn.model_validate validates it.
_BATCH = TypeAdapter(list[ScanEventIn])


def _out_of_range(index: int, locale: Locale) -> RejectedEventOut:
    return RejectedEventOut(
        index=index, code="scan.time_out_of_range", message=translate(_BAD_TIME, locale)
    )


class PushRoute(BaseRoute):
    """``POST /api/v1/sync/events`` as a plain ASGI route, put first among the app's routes.

    Hidden from the OpenAPI (the FastAPI route documents the endpoint); a request it does not
    take as usual is routed again, past this route, to the FastAPI one."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and not scope.get("root_path")
            and _HANDED_OVER not in scope
        ):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        # Unnamed: ``url_for`` looks past it to the documented route (Starlette's base raises
        # NotImplementedError, which broke every url_for of the app).
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()  # through the app's body limit, as the FastAPI route reads
        events = _usual_batch(request, body)
        if events is None:
            await _hand_over(scope, body, receive, send)
            return
        hub: HubContext = request.app.state.hub
        answer = await receive_push(
            hub, request_locale(request), request.headers.get("authorization"), events
        )
        content = answer.model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(content)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


def _usual_batch(request: Request, body: bytes) -> list[Any] | None:
    """The events of a usual push (JSON, an object whose ``events`` is a list of at most
    ``MAX_EVENTS``), or None for anything else."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/json":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        return None
    return events


async def _hand_over(scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
    """Route the request again, past the lean route, with the body it already read."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    await scope["router"]({**scope, _HANDED_OVER: True}, replay, send)
