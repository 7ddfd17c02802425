"""Every feature's recorded rows, as the ledger checks them against its entries."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from tansiq.checkpoints import ledger_facts as checkpoints_facts
from tansiq.clearances import ledger_facts as clearances_facts
from tansiq.deconfliction import ledger_facts as deconfliction_facts
from tansiq.incidents import ledger_facts as incidents_facts
from tansiq.ledger import service
from tansiq.ledger.audit import LedgerSource
from tansiq.parties import ledger_facts as parties_facts
from tansiq.permits import ledger_facts as permits_facts
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import GOVERNANCE_KEYS
from tansiq.permits.trust import KeyStatus


def ledger_sources() -> tuple[LedgerSource, ...]:
    """Every feature's recorded rows, as ``verify`` checks them and the back-fill fills them."""
    return (
        *parties_facts.SOURCES,
        *permits_facts.SOURCES,
        *clearances_facts.SOURCES,
        *checkpoints_facts.SOURCES,
        *deconfliction_facts.SOURCES,
        *incidents_facts.SOURCES,
    )


def governance_keys(session: Session) -> Mapping[str, bytes]:
    """Every governance key the hub has had that was not compromised, by kid."""
    return {
        key.kid: key.public_key
        for key in PermitRepository(session).keys(GOVERNANCE_KEYS)
        if key.status != KeyStatus.COMPROMISED
    }


def verify_ledger(session: Session) -> service.LedgerCheck:
    """The whole ledger checked: tree, signed heads, and every entry against its row."""
    return service.check_ledger(session, governance_keys(session), ledger_sources())
