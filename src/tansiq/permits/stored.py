"""Reading what the hub stores for permits, for pages: signed tokens by permit, the permit
signing keys, the latest trust list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tansiq.permits.models import PermitTokenRecord, SigningKeyRecord, TrustListRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import PERMIT_KEYS


def token_of(session: Session, permit_id: int) -> PermitTokenRecord | None:
    return PermitRepository(session).token_of(permit_id)


def tokens_of(session: Session, permit_ids: Sequence[int]) -> dict[int, PermitTokenRecord]:
    """Many permits' tokens by permit id, in one query."""
    return {t.permit_id: t for t in PermitRepository(session).tokens_of(permit_ids)}


def permit_keys(session: Session) -> Sequence[SigningKeyRecord]:
    """Every authority's permit signing keys, oldest first."""
    return PermitRepository(session).keys(PERMIT_KEYS)


def latest_trust_list(session: Session) -> TrustListRecord | None:
    return PermitRepository(session).latest_trust_list()
