"""Every query about signing keys, permit tokens, trust lists and revocations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from tansiq.db.repository import Repository
from tansiq.permits.models import (
    PermitTokenRecord,
    RevocationDeltaRecord,
    SigningKeyRecord,
    TrustListRecord,
)

Record = SigningKeyRecord | PermitTokenRecord | TrustListRecord | RevocationDeltaRecord


class PermitRepository(Repository[Record]):
    def keys(self, purpose: str, party_id: int | None = None) -> Sequence[SigningKeyRecord]:
        query = select(SigningKeyRecord).where(SigningKeyRecord.purpose == purpose)
        if party_id is not None:
            query = query.where(SigningKeyRecord.party_id == party_id)
        return self.session.scalars(query.order_by(SigningKeyRecord.id)).all()

    def active_key(self, purpose: str, party_id: int) -> SigningKeyRecord | None:
        return self.session.scalars(
            select(SigningKeyRecord)
            .where(
                SigningKeyRecord.purpose == purpose,
                SigningKeyRecord.party_id == party_id,
                SigningKeyRecord.status == "active",
            )
            .order_by(SigningKeyRecord.id.desc())
        ).first()

    def key_by_kid(self, kid: str) -> SigningKeyRecord | None:
        return self.session.scalars(
            select(SigningKeyRecord).where(SigningKeyRecord.kid == kid)
        ).first()

    def token_of(self, permit_id: int) -> PermitTokenRecord | None:
        return self.session.scalars(
            select(PermitTokenRecord).where(PermitTokenRecord.permit_id == permit_id)
        ).first()

    def tokens_of(self, permit_ids: Sequence[int]) -> Sequence[PermitTokenRecord]:
        if not permit_ids:
            return []
        return self.session.scalars(
            select(PermitTokenRecord).where(PermitTokenRecord.permit_id.in_(permit_ids))
        ).all()

    def latest_trust_list(self) -> TrustListRecord | None:
        return self.session.scalars(
            select(TrustListRecord).order_by(TrustListRecord.seq.desc())
        ).first()

    def last_revocation_seq(self) -> int:
        return int(self.session.scalar(select(func.max(RevocationDeltaRecord.seq))) or 0)

    def deltas_since(self, seq: int) -> Sequence[RevocationDeltaRecord]:
        return self.session.scalars(
            select(RevocationDeltaRecord)
            .where(RevocationDeltaRecord.seq > seq)
            .order_by(RevocationDeltaRecord.seq)
        ).all()
