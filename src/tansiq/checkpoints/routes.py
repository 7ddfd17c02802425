"""HTTP API for checkpoint devices: registration (by the authority) and sync (by devices)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Security, status
from fastapi.security import APIKeyHeader
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from tansiq.checkpoints import advisories, scans, service, witnesses
from tansiq.checkpoints.domain import DriverCheck
from tansiq.checkpoints.models import DeviceRecord, ScanEventRecord, WitnessReportRecord
from tansiq.checkpoints.push import MAX_EVENTS, receive_push
from tansiq.checkpoints.schemas import (
    DeviceIn,
    DeviceOut,
    ScanBatchIn,
    ScanBatchOut,
    ScanOut,
)
from tansiq.context import HubContext
from tansiq.geo import places
from tansiq.ledger.domain import signed_millis
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, Hub, RecordId, RequestLocale
from tansiq.web.openapi import documented_body

router = APIRouter(prefix="/api/v1", tags=["checkpoints"])


# Published in the OpenAPI as the devices' security scheme (the whole header's value).
DEVICE = APIKeyHeader(
    name="Authorization",
    scheme_name="device",
    description="`Authorization: Device <token>`, shown once when the device is registered.",
    auto_error=False,
)
DeviceAuthorization = Annotated[str | None, Security(DEVICE)]


def current_device(
    session: DbSession, hub: Hub, authorization: DeviceAuthorization
) -> DeviceRecord:
    """The device holding the token in ``Authorization: Device <token>``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "device" or not token.strip():
        raise service.DeviceNotValid
    return service.device_for_token(session, token.strip(), hub.clock)


CurrentDevice = Annotated[DeviceRecord, Depends(current_device)]

Code = Annotated[str | None, Query(min_length=1, max_length=40)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


class RawBatchIn(BaseModel):
    events: list[Any] = Field(max_length=MAX_EVENTS)


class ExpectedPermitOut(BaseModel):
    permit: str
    version: int
    number: str
    token: str
    valid_until: str


class TreeHeadOut(BaseModel):
    size: int
    root: str = Field(description="SHA-256 root hash, hex.")
    signed_at: str = Field(description="When it was signed.")
    signed_at_ms: int = Field(
        description="The time as signed: whole milliseconds since the epoch (what a verifier "
        "puts in the canonical head)."
    )
    kid: str = Field(description="The governance key that signed it.")
    signature: str = Field(description="Ed25519 signature of the canonical head, hex.")


class LedgerOut(BaseModel):
    head: TreeHeadOut = Field(description="The latest signed tree head.")
    consistency: list[str] | None = Field(
        description="RFC 9162 consistency proof (hex) from the tree of `head_size` entries to "
        "`head`; null when none is needed (no `head_size`, or the same size) or none can be "
        "(`head_size` is beyond the head: the device must report it)."
    )


class PullOut(BaseModel):
    server_time: str
    trust_list: str | None = Field(description="Signed trust list (CBOR), base64.")
    trust_seq: int
    governance_keys: list[str] = Field(description="Raw Ed25519 public keys, base64.")
    revocations: str = Field(
        description="Signed revocation deltas after `revocations_since` (CBOR array), base64."
    )
    revocation_seq: int
    authority: str = Field(description="The authority that mans this device's checkpoint.")
    expected: list[ExpectedPermitOut]
    governance_chain: list[str] = Field(
        default_factory=list,
        description="The signed trust lists (base64) that announced each new governance key, "
        "oldest first, each signed by the key before it: a device follows them from the key it "
        "was enrolled with.",
    )
    ledger: LedgerOut | None = Field(
        default=None, description="The ledger's latest signed head, for the device to witness."
    )
    advisories: str | None = Field(
        default=None,
        description="The incidents and advisories near this checkpoint and on the routes of the "
        "permits expected there: a COSE_Sign1 under a governance key (CBOR), base64; null on a "
        "hub that holds no keys. See docs/checkpoints.md, *Advisories offline*.",
    )


@router.get("/sync/pull")
def pull(
    session: DbSession,
    hub: Hub,
    device: CurrentDevice,
    revocations_since: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    snapshots: Annotated[
        bool,
        Query(
            description="The device reads revocation snapshots: when it is behind the latest, "
            "send that snapshot and the deltas after it."
        ),
    ] = False,
    head_size: Annotated[
        int | None,
        Query(ge=0, le=2**40, description="The size of the ledger head the device holds."),
    ] = None,
) -> PullOut:
    """Everything this device needs to verify offline, since its cursor."""
    data = service.pull(
        session,
        device,
        revocations_since=revocations_since,
        secret=hub.settings.secret_key,
        clock=hub.clock,
        snapshots=snapshots,
        head_size=head_size,
    )
    return PullOut(
        server_time=hub.clock.now().isoformat(),
        trust_list=None if data.trust_list is None else _b64(data.trust_list),
        trust_seq=data.trust_seq,
        governance_keys=[_b64(key) for key in data.governance_keys],
        revocations=_b64(data.revocations),
        revocation_seq=data.revocation_seq,
        authority=data.authority,
        expected=[
            ExpectedPermitOut(
                permit=e.cti,
                version=e.version,
                number=e.number,
                token=e.token,
                valid_until=e.valid_until.isoformat(),
            )
            for e in data.expected
        ],
        governance_chain=[_b64(body) for body in data.governance_chain],
        ledger=None if data.ledger is None else _ledger_out(data.ledger),
        advisories=_advisories(session, hub, device, [e.cti for e in data.expected]),
    )


def _advisories(
    session: Session, hub: HubContext, device: DeviceRecord, ctis: list[str]
) -> str | None:
    checkpoint = places.checkpoint(session, device.checkpoint_id)
    if checkpoint is None:
        return None
    signed = advisories.signed_bundle(
        session,
        checkpoint,
        ctis,
        radius_m=hub.settings.checkpoint_advisory_radius_m,
        secret=hub.settings.secret_key,
        clock=hub.clock,
    )
    return None if signed is None else _b64(signed)


def _ledger_out(view: service.LedgerView) -> LedgerOut:
    head = view.head
    return LedgerOut(
        head=TreeHeadOut(
            size=head.size,
            root=head.root.hex(),
            signed_at=head.signed_at.isoformat(),
            signed_at_ms=signed_millis(head.signed_at),
            kid=head.kid,
            signature=head.signature.hex(),
        ),
        consistency=None if view.consistency is None else [p.hex() for p in view.consistency],
    )


class WitnessReportIn(BaseModel):
    code: Literal[
        "witness.head_signature_invalid", "witness.inconsistent", "witness.history_shrunk"
    ]
    held_size: int = Field(ge=0, le=2**40)
    held_root: str = Field(pattern=r"^[0-9a-f]{64}$")
    seen_size: int = Field(ge=0, le=2**40)
    seen_root: str = Field(pattern=r"^[0-9a-f]{64}$")
    seen_kid: str = Field(default="", max_length=16, pattern=r"^[0-9a-f]*$")
    seen_signed_at: AwareDatetime


class WitnessReportOut(BaseModel):
    id: int
    device_id: int
    checkpoint: str
    code: str
    held_size: int
    held_root: str
    seen_size: int
    seen_root: str
    seen_kid: str
    seen_signed_at: datetime
    reported_at: datetime

    @classmethod
    def of(cls, record: WitnessReportRecord, checkpoint: str) -> WitnessReportOut:
        return cls(
            id=record.id,
            device_id=record.device_id,
            checkpoint=checkpoint,
            code=record.code,
            held_size=record.held_size,
            held_root=record.held_root.hex(),
            seen_size=record.seen_size,
            seen_root=record.seen_root.hex(),
            seen_kid=record.seen_kid,
            seen_signed_at=record.seen_at,
            reported_at=record.reported_at,
        )


@router.post("/sync/witness-reports", status_code=status.HTTP_201_CREATED)
def report_witness(
    body: WitnessReportIn, session: DbSession, hub: Hub, device: CurrentDevice
) -> WitnessReportOut:
    """A device reports that the ledger head the hub showed it does not follow from the head
    it held. Recorded, and told to the hub's administrators and the municipality."""
    record = witnesses.report_witness(
        session,
        device,
        witnesses.WitnessReport(
            code=body.code,
            held_size=body.held_size,
            held_root=bytes.fromhex(body.held_root),
            seen_size=body.seen_size,
            seen_root=bytes.fromhex(body.seen_root),
            seen_kid=body.seen_kid,
            seen_at=body.seen_signed_at,
        ),
        hub.clock,
    )
    return WitnessReportOut.of(record, "")


@router.get("/witness-reports")
def list_witness_reports(
    session: DbSession, me: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> list[WitnessReportOut]:
    """Reports from checkpoint devices of a ledger head that does not follow from the one they
    held, newest first (the hub's administrators and the municipality)."""
    found = witnesses.witness_reports(session, me, limit=limit, offset=offset)
    return [WitnessReportOut.of(record, code) for record, code in found]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


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


@router.post("/sync/events", openapi_extra=documented_body(ScanBatchIn))
async def push_events(
    body: RawBatchIn, hub: Hub, locale: RequestLocale, authorization: DeviceAuthorization
) -> ScanBatchOut:
    """Queued scan events, in batches of up to 5,000. Idempotent: an event id already stored
    is counted as a duplicate, never stored twice. A malformed event is rejected by index and
    the others are stored."""
    # The usual request is answered by the lean route in checkpoints/push.py, the same way.
    return await receive_push(hub, locale, authorization, body.events)


@router.post("/devices/{device_id}/revocation")
def revoke_device(
    device_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> DeviceOut:
    """A lost or stolen device: its token stops working at once."""
    device = service.revoke_device(session, me, device_id, hub.clock)
    return DeviceOut(id=device.id, checkpoint=str(device.checkpoint_id), name=device.name)


def _scan_out(record: ScanEventRecord, checkpoint: str) -> ScanOut:
    return ScanOut(
        id=record.id,
        event_id=record.event_uid,
        device_id=record.device_id,
        checkpoint=checkpoint,
        scanned_at=record.scanned_at,
        received_at=record.received_at,
        permit=record.permit_ref,
        version=record.permit_version,
        verdict=record.verdict,
        action=record.action,
        reason_code=record.reason_code,
        note=record.note,
        officer=record.officer,
        driver_check=None if record.driver_check is None else DriverCheck(record.driver_check),
        contradiction=record.contradiction,
        clone_suspected=record.clone_suspected,
    )


@router.get("/scans")
def list_scans(
    session: DbSession,
    me: CurrentPrincipal,
    checkpoint: Code = None,
    permit: Code = None,
    contradiction: bool | None = None,
    clone_suspected: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ScanOut]:
    """Scans you may see, newest first: the hub's admins every one, an authority those at its
    checkpoints, the municipality contradictions and suspected clones."""
    found = scans.list_scans(
        session,
        me,
        checkpoint=checkpoint,
        permit=permit,
        contradiction=contradiction,
        clone_suspected=clone_suspected,
        limit=limit,
        offset=offset,
    )
    return [_scan_out(record, code) for record, code in found]


@router.get("/scans/{scan_id}")
def get_scan(scan_id: RecordId, session: DbSession, me: CurrentPrincipal) -> ScanOut:
    return _scan_out(*scans.visible_scan(session, me, scan_id))


@router.get("/contradictions")
def list_contradictions(
    session: DbSession, me: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> list[ScanOut]:
    """Refusals of a permit by an authority that approved it, that you may see."""
    found = scans.list_scans(session, me, contradiction=True, limit=limit, offset=offset)
    return [_scan_out(record, code) for record, code in found]


@router.get("/suspected-clones")
def list_suspected_clones(
    session: DbSession, me: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> list[ScanOut]:
    """Scans of a permit seen where it could not have travelled in time, that you may see."""
    found = scans.list_scans(session, me, clone_suspected=True, limit=limit, offset=offset)
    return [_scan_out(record, code) for record, code in found]
