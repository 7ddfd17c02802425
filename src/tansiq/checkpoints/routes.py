"""HTTP API for checkpoint devices: registration (by the authority) and sync (by devices)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, status
from pydantic import BaseModel, Field, ValidationError

from tansiq.checkpoints import service
from tansiq.checkpoints.models import DeviceRecord
from tansiq.checkpoints.schemas import (
    DeviceIn,
    DeviceOut,
    RejectedEventOut,
    ScanBatchOut,
    ScanEventIn,
)
from tansiq.context import CurrentPrincipal, DbSession, Hub, RequestLocale
from tansiq.core.i18n import N_, translate

router = APIRouter(prefix="/api/v1", tags=["checkpoints"])
_BAD_EVENT = N_("This scan event is not valid; it was not stored.")


def current_device(
    session: DbSession, hub: Hub, authorization: Annotated[str | None, Header()] = None
) -> DeviceRecord:
    """The device holding the token in ``Authorization: Device <token>``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "device" or not token.strip():
        raise service.DeviceNotValid
    return service.device_for_token(session, token.strip(), hub.clock)


CurrentDevice = Annotated[DeviceRecord, Depends(current_device)]


class RawBatchIn(BaseModel):
    events: list[Any] = Field(max_length=5000)


@router.post("/devices", status_code=status.HTTP_201_CREATED)
def register_device(
    body: DeviceIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> DeviceOut:
    """Register a device at a checkpoint (the operating authority's admins). The token is
    shown once; the device sends it as ``Authorization: Device <token>``."""
    new = service.register_device(
        session, me, checkpoint=body.checkpoint, name=body.name, clock=hub.clock
    )
    return DeviceOut(
        id=new.record.id, checkpoint=body.checkpoint, name=new.record.name, token=new.token
    )


@router.post("/sync/events")
def push_events(
    body: RawBatchIn, session: DbSession, hub: Hub, device: CurrentDevice, locale: RequestLocale
) -> ScanBatchOut:
    """Queued scan events, in batches of up to 5,000. Idempotent: an event id already stored
    is counted as a duplicate, never stored twice. A malformed event is rejected by index and
    the others are stored."""
    valid: list[ScanEventIn] = []
    rejected: list[RejectedEventOut] = []
    for index, raw in enumerate(body.events):
        try:
            valid.append(ScanEventIn.model_validate(raw))
        except ValidationError as error:
            kind = error.errors()[0]["type"] if error.errors() else "invalid"
            rejected.append(
                RejectedEventOut(
                    index=index, code=f"scan.{kind}", message=translate(_BAD_EVENT, locale)
                )
            )
    result = service.ingest_events(session, device, valid, hub.clock)
    return ScanBatchOut(
        stored=result.stored,
        duplicates=result.duplicates,
        rejected=rejected,
        contradictions=result.contradictions,
        clones_suspected=result.clones,
    )
