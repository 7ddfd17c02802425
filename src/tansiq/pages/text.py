"""Every word the pages show, marked for the catalog; templates get them translated as ``t``."""

from __future__ import annotations

from tansiq.clearances.domain import ApplicationStatus, ConditionKind, Decision, ReviewStatus
from tansiq.core.i18n import N_, Locale, translate

LABELS = {
    "app_name": N_("Tansiq"),
    "skip": N_("Skip to content"),
    "language": N_("Language"),
    "sign_in": N_("Sign in"),
    "sign_out": N_("Sign out"),
    "username": N_("Username"),
    "password": N_("Password"),
    "signed_in_as": N_("Signed in as {user}"),
    "home": N_("Home"),
    "inbox": N_("Inbox"),
    "unread": N_("{count} unread"),
    "my_applications": N_("My applications"),
    "no_applications": N_("No applications yet."),
    "reviews_waiting": N_("Reviews waiting for my authority"),
    "no_reviews": N_("Nothing waits for your authority."),
    "dashboard": N_("Overview"),
    "applications_seen": N_("Applications you can see"),
    "reference": N_("Reference"),
    "route": N_("Route"),
    "status": N_("Status"),
    "decisions": N_("Decisions"),
    "deadline": N_("Deadline"),
    "time_left": N_("Time left"),
    "overdue": N_("Overdue"),
    "left": N_("{time} left"),
    "application": N_("Application {reference}"),
    "vehicle": N_("Vehicle"),
    "valid": N_("Valid"),
    "authority": N_("Authority"),
    "decision": N_("Decision"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "conditions": N_("Conditions"),
    "contradiction": N_(
        "The authorities disagree: at least one approved and at least one refused. "
        "See who refused and why below; you may amend the application or appeal."
    ),
    "disagree": N_("Authorities disagree"),
    "history": N_("History"),
    "when": N_("When"),
    "by": N_("By"),
    "permits": N_("Permits"),
    "print": N_("Print or show the permit"),
    "no_permit": N_("No permit yet."),
    "map": N_("Map"),
    "map_help": N_("Zones of control in force, checkpoints and the application's route."),
    "decide": N_("Your authority's decision"),
    "approve": N_("Approve"),
    "approve_with_conditions": N_("Approve with conditions"),
    "reject": N_("Reject"),
    "daylight": N_("Daylight hours only"),
    "escort": N_("Escort required"),
    "via": N_("Only via these checkpoints (codes, comma-separated)"),
    "free_text": N_("Other condition"),
    "reason_code": N_("Reason for rejection"),
    "choose": N_("Choose…"),
    "submit_decision": N_("Record decision"),
    "decided": N_("Your decision was recorded."),
    "mark_read": N_("Mark read"),
    "read": N_("Read"),
    "no_messages": N_("No messages."),
    "error": N_("Error"),
    "back_home": N_("Back to the start page"),
    "new_application": N_("New application"),
    "administration": N_("Administration"),
    "checkpoint_app": N_("Checkpoint app"),
    "contested": N_("Contested: claimed by more than one authority"),
    "required_zone": N_("Zones that made your authority required"),
    "required_by": N_("Required because of"),
    "checkpoints": N_("Checkpoints"),
    "decided_reviews": N_("Decided by my authority"),
    "no_decided": N_("Your authority has decided nothing yet."),
    "decided_at": N_("Decided"),
    "open_subject": N_("Open the application"),
    # -- trader pages (pages/trader.py) --
    # -- end of trader pages --
    #
    # -- admin pages (pages/admin.py) --
    # -- end of admin pages --
    #
    # -- checkpoint app (pages/officer.py) --
    # -- end of checkpoint app --
}

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


def labels(locale: Locale) -> dict[str, str]:
    return {key: translate(message, locale) for key, message in LABELS.items()}
