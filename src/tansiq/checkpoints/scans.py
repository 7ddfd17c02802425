"""Reading scan events: listed and read by those who may see them (checkpoints.access)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tansiq.checkpoints.access import scan_sight
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.checkpoints.repository import CheckpointRepository
from tansiq.core.errors import NotFound
from tansiq.core.i18n import N_
from tansiq.parties.domain import Principal


class ScanNotFound(NotFound):
    code = "scan.not_found"
    message = N_("No scan {scan}.")


def list_scans(
    session: Session,
    principal: Principal,
    *,
    checkpoint: str | None = None,
    permit: str | None = None,
    contradiction: bool | None = None,
    clone_suspected: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Sequence[tuple[ScanEventRecord, str]]:
    """The scans ``principal`` may see, each with its checkpoint's code, newest first."""
    return CheckpointRepository(session).visible_scans(
        scan_sight(principal),
        checkpoint=checkpoint,
        permit=permit,
        contradiction=contradiction,
        clone_suspected=clone_suspected,
        limit=limit,
        offset=offset,
    )


def visible_scan(
    session: Session, principal: Principal, scan_id: int
) -> tuple[ScanEventRecord, str]:
    """One scan, if ``principal`` may see it; otherwise "not found" (need-to-know)."""
    found = CheckpointRepository(session).visible_scans(scan_sight(principal), scan_id=scan_id)
    if not found:
        raise ScanNotFound(scan=scan_id)
    return found[0]
