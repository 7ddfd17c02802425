"""What the ledger records about permits, signing keys, trust lists and revocation deltas,
derived from their rows by one function each: used when the change is recorded, by
``tansiq ledger verify`` to re-derive it from the live row, and by the back-fill.

The sources select only the columns they read, so they keep working while later migrations
add columns to these tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.core.clock import ensure_utc
from tansiq.ledger.audit import ExpectedEntry, LedgerSource
from tansiq.ledger.service import record_entry
from tansiq.permits.domain import KeyPurpose
from tansiq.permits.keys import ALG_EDDSA, key_id, load_public_key
from tansiq.permits.models import (
    PermitRecord,
    RevocationDeltaRecord,
    SigningKeyRecord,
    TrustListRecord,
)
from tansiq.permits.trust import (
    TrustDataInvalid,
    TrustSignatureInvalid,
    load_revocation_delta,
    load_trust_list,
)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else ensure_utc(moment).isoformat()


def permit_content(permit: Any) -> dict[str, Any]:
    """A permit's state (need-to-know: the ledger keeps only its digest)."""
    return {
        "reference": permit.reference,
        "version": permit.version,
        "reference_version": permit.reference_version,
        "status": str(permit.status),
        "valid_from": _iso(permit.valid_from),
        "valid_until": _iso(permit.valid_until),
        "authority_ids": permit.authority_ids,
        "conditions": permit.conditions,
        "changed_by": permit.status_changed_by,
        "reason_code": permit.status_reason_code,
        "note": permit.status_note,
    }


def key_content(key: Any) -> dict[str, Any]:
    """A signing key's public facts and standing (never its sealed private part)."""
    return {
        "party": key.party_id,
        "purpose": str(key.purpose),
        "kid": key.kid,
        "alg": key.alg,
        "public_key": bytes(key.public_key).hex(),
        "status": str(key.status),
        "valid_from": _iso(key.valid_from),
        "valid_to": _iso(key.valid_to),
    }


def record_key(session: Session, record: SigningKeyRecord) -> None:
    """A key's creation or new standing on the ledger, in the transaction that made it."""
    at = record.created_at if record.valid_to is None else max(record.created_at, record.valid_to)
    record_entry(
        session,
        kind=f"key.{record.status}",
        subject=f"key:{record.kid}",
        content=key_content(record),
        at=at,
    )


def trust_list_content(seq: int, body: bytes, governance: Sequence[bytes]) -> dict[str, Any]:
    """A published trust list: its sequence, the digest of the signed file and the keys."""
    try:
        keys = [load_public_key(ALG_EDDSA, key) for key in governance]
        trust = load_trust_list(body, keys)
        listed: list[dict[str, Any]] | None = [
            {"authority": e.authority, "kid": key_id(e.public_key).hex(), "status": e.status}
            for e in trust.entries
        ]
    except (TrustDataInvalid, TrustSignatureInvalid, ValueError):
        listed = None  # unreadable: cannot match what was recorded
    return {"seq": seq, "body_sha256": hashlib.sha256(body).hexdigest(), "keys": listed}


def revocation_content(seq: int, entry: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "cti": entry.cti,
        "version": entry.version,
        "status": str(entry.status),
        "reason": entry.reason,
    }


_PERMIT_COLUMNS = (
    PermitRecord.id,
    PermitRecord.reference,
    PermitRecord.version,
    PermitRecord.reference_version,
    PermitRecord.status,
    PermitRecord.issued_at,
    PermitRecord.valid_from,
    PermitRecord.valid_until,
    PermitRecord.authority_ids,
    PermitRecord.conditions,
    PermitRecord.status_changed_at,
    PermitRecord.status_changed_by,
    PermitRecord.status_reason_code,
    PermitRecord.status_note,
)


def _permits(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for row in session.execute(select(*_PERMIT_COLUMNS)):
        at = row.status_changed_at or row.issued_at
        kind = "permit.issued" if row.status_changed_at is None else f"permit.{row.status}"
        found[f"permit:{row.id}"] = [ExpectedEntry(kind, at, permit_content(row))]
    return found


_KEY_COLUMNS = (
    SigningKeyRecord.party_id,
    SigningKeyRecord.purpose,
    SigningKeyRecord.kid,
    SigningKeyRecord.alg,
    SigningKeyRecord.public_key,
    SigningKeyRecord.status,
    SigningKeyRecord.valid_from,
    SigningKeyRecord.valid_to,
    SigningKeyRecord.created_at,
)


def _keys(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for row in session.execute(select(*_KEY_COLUMNS)):
        at = row.created_at if row.valid_to is None else max(row.created_at, row.valid_to)
        found[f"key:{row.kid}"] = [ExpectedEntry(f"key.{row.status}", at, key_content(row))]
    return found


def _governance(session: Session) -> list[bytes]:
    return list(
        session.scalars(
            select(SigningKeyRecord.public_key).where(
                SigningKeyRecord.purpose == KeyPurpose.GOVERNANCE
            )
        )
    )


def _trust_lists(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    governance = _governance(session)
    return {
        f"trust_list:{row.seq}": [
            ExpectedEntry(
                "trust_list.published",
                row.issued_at,
                trust_list_content(row.seq, row.body, governance),
                private=False,
            )
        ]
        for row in session.execute(
            select(TrustListRecord.seq, TrustListRecord.body, TrustListRecord.issued_at)
        )
    }


def _revocations(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    governance = [load_public_key(ALG_EDDSA, key) for key in _governance(session)]
    found: dict[str, Sequence[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            RevocationDeltaRecord.seq, RevocationDeltaRecord.body, RevocationDeltaRecord.issued_at
        )
    ):
        try:
            entries = load_revocation_delta(row.body, governance).entries
            expected = [
                ExpectedEntry(
                    "revocation_delta.published", row.issued_at, revocation_content(row.seq, e)
                )
                for e in entries
            ]
        except (TrustDataInvalid, TrustSignatureInvalid, ValueError):
            expected = [ExpectedEntry("revocation_delta.published", row.issued_at, None)]
        # Heartbeats (no entries) are not recorded: nothing changed.
        found[f"revocation_delta:{row.seq}"] = expected
    return found


SOURCES = (
    LedgerSource("permits", ("permit.",), _permits, latest_only=True),
    LedgerSource("signing keys", ("key.",), _keys, latest_only=True),
    LedgerSource("trust lists", ("trust_list.published",), _trust_lists),
    LedgerSource("revocations", ("revocation_delta.published",), _revocations),
)
