"""Every query about permits, signing keys, permit tokens, trust lists and revocations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select

from tansiq.db.repository import Repository
from tansiq.permits.domain import KeyPurpose, PermitStatus
from tansiq.permits.models import (
    PermitRecord,
    PermitTokenRecord,
    RevocationDeltaRecord,
    RevocationSnapshotRecord,
    SigningKeyRecord,
    TrustListRecord,
)
from tansiq.permits.trust import KeyStatus

Record = (
    PermitRecord
    | SigningKeyRecord
    | PermitTokenRecord
    | TrustListRecord
    | RevocationDeltaRecord
    | RevocationSnapshotRecord
)


class PermitRepository(Repository[Record]):
    def permit(self, permit_id: int) -> PermitRecord | None:
        return self.session.get(PermitRecord, permit_id)

    def permits(self, reference: int) -> Sequence[PermitRecord]:
        """Every version of the permit issued for ``reference``, oldest first."""
        return self.permits_of([reference])

    def permits_of(self, references: Collection[int]) -> Sequence[PermitRecord]:
        """Every version of the permits of many references at once, by reference then
        version."""
        if not references:
            return []
        return self.session.scalars(
            select(PermitRecord)
            .where(PermitRecord.reference.in_(references))
            .order_by(PermitRecord.reference, PermitRecord.version)
        ).all()

    def active_permits(self, now: datetime) -> Sequence[PermitRecord]:
        return self.session.scalars(
            select(PermitRecord).where(
                PermitRecord.status == PermitStatus.ACTIVE, PermitRecord.valid_until > now
            )
        ).all()

    def keys(self, purpose: KeyPurpose, party_id: int | None = None) -> Sequence[SigningKeyRecord]:
        query = select(SigningKeyRecord).where(SigningKeyRecord.purpose == purpose)
        if party_id is not None:
            query = query.where(SigningKeyRecord.party_id == party_id)
        return self.session.scalars(query.order_by(SigningKeyRecord.id)).all()

    def active_key(self, purpose: KeyPurpose, party_id: int) -> SigningKeyRecord | None:
        return self.session.scalars(
            select(SigningKeyRecord)
            .where(
                SigningKeyRecord.purpose == purpose,
                SigningKeyRecord.party_id == party_id,
                SigningKeyRecord.status == KeyStatus.ACTIVE,
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

    def announcements(self) -> Sequence[TrustListRecord]:
        """The trust lists that announced a new governance key, oldest first."""
        return self.session.scalars(
            select(TrustListRecord)
            .where(TrustListRecord.announces.is_(True))
            .order_by(TrustListRecord.seq)
        ).all()

    def latest_snapshot(self) -> RevocationSnapshotRecord | None:
        return self.session.scalars(
            select(RevocationSnapshotRecord).order_by(RevocationSnapshotRecord.seq.desc())
        ).first()

    def last_revocation_seq(self) -> int:
        return int(self.session.scalar(select(func.max(RevocationDeltaRecord.seq))) or 0)

    def deltas_since(self, seq: int) -> Sequence[RevocationDeltaRecord]:
        return self.session.scalars(
            select(RevocationDeltaRecord)
            .where(RevocationDeltaRecord.seq > seq)
            .order_by(RevocationDeltaRecord.seq)
        ).all()
