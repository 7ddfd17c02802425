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
    # -- trader pages (pages/trader.py) --
    # -- end of trader pages --
    #
    # -- admin pages (pages/admin.py) --
    # -- end of admin pages --
    #
    # -- checkpoint app (pages/officer.py) --
    "cp_title": N_("Checkpoint"),
    "cp_intro": N_(
        "Check permits here even without a connection: scan the code or paste it. "
        "Every passage and refusal is kept on this device until the hub has it."
    ),
    "cp_status": N_("Device status"),
    "cp_here": N_("Checkpoint"),
    "cp_not_enrolled": N_("This device is not enrolled yet."),
    "cp_online": N_("Connected to the hub"),
    "cp_offline": N_("No connection: working offline"),
    "cp_queue": N_("Waiting to sync"),
    "cp_last_sync": N_("Last sync"),
    "cp_never": N_("Never"),
    "cp_data_age": N_("Age of the trust data"),
    "cp_unknown": N_("Unknown"),
    "cp_stale_warning": N_(
        "The trust and revocation data is older than {hours} hours: connect and sync before "
        "trusting a verdict."
    ),
    "cp_sync_now": N_("Sync now"),
    "cp_syncing": N_("Syncing…"),
    "cp_synced": N_("Synced."),
    "cp_unreachable": N_("The hub cannot be reached; events stay on this device."),
    "cp_refused": N_("The hub refused this device's token. Ask your administrator for a new one."),
    "cp_trust_invalid": N_(
        "The data from the hub is not signed by the keys this device trusts; nothing was changed."
    ),
    "cp_no_trust": N_("This device has no trust list yet: sync with the hub once first."),
    "cp_enrol": N_("Enrol this device"),
    "cp_enrol_help": N_(
        "Paste the device token your authority's administrator gave you. It stays on this "
        "device and is sent only to this hub."
    ),
    "cp_device_token": N_("Device token"),
    "cp_enrol_button": N_("Enrol"),
    "cp_enrolled": N_("Device enrolled."),
    "cp_scan": N_("Check a permit"),
    "cp_camera_start": N_("Scan with the camera"),
    "cp_camera_stop": N_("Stop the camera"),
    "cp_camera_help": N_("Hold the permit's QR code inside the frame."),
    "cp_camera_failed": N_("The camera cannot be used here; paste or type the code instead."),
    "cp_camera_view": N_("Camera view"),
    "cp_code": N_("Permit code (paste it, or scan with a hardware scanner)"),
    "cp_check": N_("Check"),
    "cp_verdict": N_("Verdict"),
    "cp_permit_number": N_("Permit number"),
    "cp_plate": N_("Plate"),
    "cp_vehicle_kind": N_("Vehicle kind"),
    "cp_driver": N_("Driver"),
    "cp_cargo": N_("Cargo"),
    "cp_window": N_("Valid"),
    "cp_window_value": N_("{start} to {end}"),
    "cp_checkpoints": N_("Checkpoints"),
    "cp_conditions": N_("Conditions"),
    "cp_none": N_("None"),
    "cp_signed_by": N_("Signed by"),
    "cp_expected": N_("Expected here"),
    "cp_expected_yes": N_("Yes, on the list of permits expected at this checkpoint."),
    "cp_expected_no": N_("No, not on the list of permits expected at this checkpoint."),
    "cp_record": N_("Record what you did"),
    "cp_passage": N_("Record passage"),
    "cp_refusal": N_("Record refusal"),
    "cp_refusal_reason": N_("Reason for refusal"),
    "cp_note": N_("Note (required for a security concern or another reason)"),
    "cp_note_required": N_("Write a note for this reason."),
    "cp_reason_required": N_("Choose a reason for the refusal."),
    "cp_recorded_passage": N_("Passage recorded; it will be sent with the next sync."),
    "cp_recorded_refusal": N_("Refusal recorded; it will be sent with the next sync."),
    "cp_next": N_("Check the next permit"),
    "cp_expected_list": N_("Permits expected at this checkpoint"),
    "cp_expected_empty": N_("No permits expected."),
    "cp_valid_until": N_("valid until {time}"),
    "cp_offline_note": N_(
        "This page and its verifier come from this hub; the hub's signing keys are fixed on "
        "this device at the first sync."
    ),
    "cp_word_valid": N_("VALID"),
    "cp_word_expired": N_("EXPIRED"),
    "cp_word_not_yet_valid": N_("NOT YET VALID"),
    "cp_word_revoked": N_("REVOKED"),
    "cp_word_suspended": N_("SUSPENDED"),
    "cp_word_forged": N_("FORGED"),
    "cp_word_missing_signature": N_("MISSING SIGNATURE"),
    "cp_word_unknown_key": N_("UNKNOWN KEY"),
    "cp_word_off_route": N_("OFF ROUTE"),
    "cp_word_malformed": N_("UNREADABLE"),
    "cp_word_stale": N_("STALE DATA"),
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
