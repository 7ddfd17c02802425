"""The words pages show for a clearance's statuses, decisions and conditions, marked for the
catalog (the checkpoint app names conditions with them too)."""

from __future__ import annotations

from tansiq.clearances.domain import ApplicationStatus, ConditionKind, Decision, ReviewStatus
from tansiq.core.i18n import N_

STATUS = {
    ApplicationStatus.DRAFT: N_("Draft"),
    ApplicationStatus.SUBMITTED: N_("Submitted"),
    ApplicationStatus.IN_REVIEW: N_("In review"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.REJECTED: N_("Rejected"),
    ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
    ApplicationStatus.EXPIRED: N_("Expired"),
}
REVIEW_STATUS = {
    ReviewStatus.PENDING: N_("Waiting"),
    ReviewStatus.APPROVED: N_("Approved"),
    ReviewStatus.REJECTED: N_("Rejected"),
    ReviewStatus.DROPPED: N_("No longer required"),
}
DECISION = {
    Decision.APPROVE: N_("Approved"),
    Decision.APPROVE_WITH_CONDITIONS: N_("Approved with conditions"),
    Decision.REJECT: N_("Rejected"),
}
CONDITION = {
    ConditionKind.VIA_CHECKPOINTS: N_("Only via these checkpoints"),
    ConditionKind.DAYLIGHT_ONLY: N_("Daylight hours only"),
    ConditionKind.ESCORT_REQUIRED: N_("Escort required"),
    ConditionKind.FREE_TEXT: N_("Condition"),
}
