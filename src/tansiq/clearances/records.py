"""Single clearance records for the pages: a review, a permit with its application, an
application's current version. Access is the caller's to check (``service.visible``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.models import ApplicationRecord, ApplicationVersionRecord, ReviewRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository


def review(session: Session, review_id: int) -> ReviewRecord | None:
    return ClearanceRepository(session).review(review_id)


def permit_and_application(
    session: Session, permit_id: int
) -> tuple[PermitRecord, ApplicationRecord] | None:
    permit = PermitRepository(session).permit(permit_id)
    application = (
        None if permit is None else ClearanceRepository(session).application(permit.reference)
    )
    return None if permit is None or application is None else (permit, application)


def current_version(session: Session, application: ApplicationRecord) -> ApplicationVersionRecord:
    version = ClearanceRepository(session).version(application.id, application.current_version)
    assert version is not None  # noqa: S101 - every application has its current version
    return version
