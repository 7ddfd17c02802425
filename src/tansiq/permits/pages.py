"""The permits' page for administrators: each authority's permit signing keys (rotate,
retire, register a key held outside the hub) and the trust list they are published in."""

from __future__ import annotations

import binascii
from collections.abc import Callable

from fastapi import APIRouter, Response

from tansiq.core.clock import ensure_utc
from tansiq.parties import access, directory
from tansiq.parties.admin_gate import act_on_page, view
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import name_of
from tansiq.parties.domain import PartyKind, Principal
from tansiq.permits import service as keys
from tansiq.permits import stored
from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, decode_key
from tansiq.permits.models import SigningKeyRecord
from tansiq.web.forms import FRESH, BadChoice, FormState, Posted, PostedForm, confirm

router = APIRouter(include_in_schema=False)
ALGORITHMS = {ALG_EDDSA: "EdDSA (Ed25519)", ALG_ES256: "ES256 (P-256)"}


def _keys(s: Viewer, me: Principal, form: FormState = FRESH, *, done: str = "") -> Response:
    parties = directory.parties(s.session, PartyKind.AUTHORITY)
    keys_by_party: dict[int, list[SigningKeyRecord]] = {}
    for key in stored.permit_keys(s.session):
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
    trust = stored.latest_trust_list(s.session)
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
    s: Viewer,
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
            raw = decode_key(body.text("public_key", limit=200))
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
