"""Administering checkpoint devices (register one and hand its token to the officer once;
revoke a lost one after confirming) and each authority's permit signing keys (rotate,
retire, register a key held outside the hub)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from fastapi import APIRouter, Response

from tansiq.checkpoints import service as devices
from tansiq.checkpoints.models import DeviceRecord
from tansiq.checkpoints.repository import CheckpointRepository
from tansiq.core.clock import ensure_utc
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import list_checkpoints
from tansiq.pages.admin_base import (
    FRESH,
    BadChoice,
    FormState,
    Posted,
    PostedForm,
    act_on_page,
    confirm,
    managed_authorities,
    name_of,
    record_id,
    view,
)
from tansiq.pages.screen import Current, Screen
from tansiq.pages.text import name_in
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.permits import service as keys
from tansiq.permits.keys import ALG_EDDSA, ALG_ES256
from tansiq.permits.models import SigningKeyRecord
from tansiq.permits.repository import PermitRepository
from tansiq.web.deps import RecordId

router = APIRouter(include_in_schema=False)
ALGORITHMS = {ALG_EDDSA: "EdDSA (Ed25519)", ALG_ES256: "ES256 (P-256)"}


def _devices(
    s: Screen,
    me: Principal,
    form: FormState = FRESH,
    *,
    new: dict[str, str] | None = None,
    revoked: int | None = None,
) -> Response:
    authorities = {party.id: party for party in managed_authorities(s.session, me)}
    managed = [r for r in list_checkpoints(s.session) if r.authority_id in authorities]
    devices_by_checkpoint: dict[int, list[DeviceRecord]] = {}
    for device in CheckpointRepository(s.session).devices_of([r.id for r in managed]):
        devices_by_checkpoint.setdefault(device.checkpoint_id, []).append(device)
    checkpoints = []
    for record in managed:
        checkpoints.append(
            {
                "code": record.code,
                "name": name_in(s.locale, record.name_ar, record.name_en),
                "authority": name_of(authorities[record.authority_id], s.locale),
                "devices": [
                    {
                        "id": device.id,
                        "name": device.name,
                        "created_at": ensure_utc(device.created_at),
                        "last_sync_at": None
                        if device.last_sync_at is None
                        else ensure_utc(device.last_sync_at),
                        "revoked_at": None
                        if device.revoked_at is None
                        else ensure_utc(device.revoked_at),
                    }
                    for device in devices_by_checkpoint.get(record.id, [])
                ],
            }
        )
    return s.show(
        "admin_devices.html",
        form.status,
        checkpoints=checkpoints,
        **form.shown(),
        new=new,
        revoked=revoked,
    )


@router.get("/admin/devices")
def devices_page(s: Current, revoked: str = "") -> Response:
    new = s.page.take_once("device")
    return view(s, lambda me: _devices(s, me, new=new, revoked=record_id(revoked)))


@router.post("/admin/devices")
def register_device(s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        checkpoint = body.text("checkpoint", limit=40)
        new = devices.register_device(
            s.session, me, checkpoint=checkpoint, name=body.text("name"), clock=s.hub.clock
        )
        # The token is shown once, on the page this redirects to: the hub keeps its hash.
        s.page.once = {
            "kind": "device",
            "token": new.token,
            "name": new.record.name,
            "checkpoint": checkpoint,
            "link": f"/checkpoint#enrol={new.token}",
        }
        s.page.changed = True
        return s.go("/admin/devices")

    return act_on_page(s, body, do, _devices, body.values())


def _device_to_revoke(s: Screen, me: Principal, device_id: int) -> DeviceRecord:
    device = CheckpointRepository(s.session).device(device_id)
    checkpoint = (
        None if device is None else GeoRepository(s.session).checkpoint(device.checkpoint_id)
    )
    if device is None or checkpoint is None:
        raise devices.DeviceNotFound(device=device_id)
    access.require(access.can_manage_geography(me, checkpoint.authority_id))
    return device


@router.get("/admin/devices/{device_id}/revoke")
def confirm_revoke(device_id: RecordId, s: Current) -> Response:
    def show(me: Principal) -> Response:
        device = _device_to_revoke(s, me, device_id)
        return confirm(
            s,
            action=f"/admin/devices/{device.id}/revoke",
            question="revoke_device_question",
            subject=device.name,
            back="/admin/devices",
        )

    return view(s, show)


@router.post("/admin/devices/{device_id}/revoke")
def revoke_device(device_id: RecordId, s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        devices.revoke_device(s.session, me, device_id, s.hub.clock)
        return s.go(f"/admin/devices?revoked={device_id}")

    return act_on_page(s, body, do, _devices)


def _keys(s: Screen, me: Principal, form: FormState = FRESH, *, done: str = "") -> Response:
    parties = PartyRepository(s.session).parties(PartyKind.AUTHORITY.value)
    repo = PermitRepository(s.session)
    keys_by_party: dict[int, list[SigningKeyRecord]] = {}
    for key in repo.keys(keys.PERMIT_KEYS):
        keys_by_party.setdefault(key.party_id, []).append(key)
    authorities = [
        {
            "code": party.code,
            "name": name_of(party, s.locale),
            # Not even the hub's admins: whoever controls an authority's key signs in its name.
            "manage": access.is_admin_of(me, party.id),
            "signing": [
                {
                    "kid": key.kid,
                    "alg": ALGORITHMS.get(key.alg, str(key.alg)),
                    "status": key.status,
                    "held_by_hub": key.private_key_sealed is not None,
                    "created_at": ensure_utc(key.created_at),
                    "valid_from": ensure_utc(key.valid_from),
                    "valid_to": None if key.valid_to is None else ensure_utc(key.valid_to),
                }
                for key in reversed(keys_by_party.get(party.id, []))
            ],
        }
        for party in parties
        if access.is_hub_admin(me) or access.is_admin_of(me, party.id)
    ]
    trust = repo.latest_trust_list()
    return s.show(
        "admin_keys.html",
        form.status,
        authorities=authorities,
        algorithms=sorted(ALGORITHMS.items()),
        trust_seq=None if trust is None else trust.seq,
        **form.shown(),
        done=done,
    )


@router.get("/admin/keys")
def keys_page(s: Current, done: str = "") -> Response:
    return view(s, lambda me: _keys(s, me, done=done[:20]))


def _change_key(
    s: Screen,
    body: Posted,
    change: Callable[[Principal], SigningKeyRecord],
    values: dict[str, str] | None = None,
) -> Response:
    """Make a change to an authority's signing keys and show the keys with the key changed;
    refused, the keys page again with the refusal (and ``values`` in its form)."""

    def do(me: Principal) -> Response:
        return s.go(f"/admin/keys?done={change(me).kid}")

    return act_on_page(s, body, do, _keys, values)


@router.post("/admin/keys/{code}/rotation")
def rotate_key(code: str, s: Current, body: PostedForm) -> Response:
    def change(me: Principal) -> SigningKeyRecord:
        return keys.rotate_key(
            s.session,
            me,
            authority=code[:40],
            secret=s.hub.settings.secret_key,
            clock=s.hub.clock,
        )

    return _change_key(s, body, change)


@router.get("/admin/keys/{code}/{kid}/retire")
def confirm_retire(code: str, kid: str, s: Current) -> Response:
    return view(
        s,
        lambda me: confirm(
            s,
            action=f"/admin/keys/{code[:40]}/{kid[:16]}/retire",
            question="retire_key_question",
            subject=kid[:16],
            back="/admin/keys",
            compromised=True,
        ),
    )


@router.post("/admin/keys/{code}/{kid}/retire")
def retire_key(code: str, kid: str, s: Current, body: PostedForm) -> Response:
    def change(me: Principal) -> SigningKeyRecord:
        return keys.retire_key(
            s.session,
            me,
            authority=code[:40],
            kid=kid[:16],
            compromised=bool(body.text("compromised")),
            secret=s.hub.settings.secret_key,
            clock=s.hub.clock,
        )

    return _change_key(s, body, change)


@router.post("/admin/keys/{code}")
def register_external_key(code: str, s: Current, body: PostedForm) -> Response:
    def change(me: Principal) -> SigningKeyRecord:
        try:
            alg = int(body.text("alg", limit=10))
        except ValueError:
            raise BadChoice(field="alg") from None
        try:
            raw = base64.b64decode(body.text("public_key", limit=200).strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""  # refused by the service as not a public key, like the API does
        return keys.register_external_key(
            s.session,
            me,
            authority=code[:40],
            alg=alg,
            public_key=raw,
            secret=s.hub.settings.secret_key,
            clock=s.hub.clock,
        )

    return _change_key(s, body, change, {"key_of": code[:40], **body.values()})
