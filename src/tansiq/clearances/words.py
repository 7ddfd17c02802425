"""The words of the clearance pages (home, an application, the reviewer's decision, the trader's
form and permits) and of a clearance's statuses, decisions and conditions, marked for the
catalog (the checkpoint app names vehicle kinds and conditions with them too)."""

from __future__ import annotations

from tansiq.clearances.domain import ApplicationStatus, Decision, ReviewStatus
from tansiq.core.i18n import N_, NP_
from tansiq.permits.domain import ConditionKind

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

LABELS = {
    "my_applications": N_("My applications"),
    "no_applications": N_("No applications yet."),
    "reviews_waiting": N_("Reviews waiting for my authority"),
    "no_reviews": N_("Nothing waits for your authority."),
    "dashboard": N_("Overview"),
    "applications_seen": N_("Applications you can see"),
    "reference": N_("Reference"),
    "decisions": N_("Decisions"),
    "deadline": N_("Deadline"),
    "time_left": N_("Time left"),
    "overdue": N_("Overdue"),
    "left": N_("{time} left"),
    "vehicle": N_("Vehicle"),
    "decision": N_("Decision"),
    "note": N_("Note"),
    "contradiction": N_(
        "The authorities disagree: at least one approved and at least one refused. "
        "See who refused and why below; you may amend the application or appeal."
    ),
    "contradiction_seen": N_(
        "The authorities disagree: at least one approved and at least one refused. "
        "Who refused and why is listed below."
    ),
    "who_what": N_("Who and what"),
    "company": N_("Trading company"),
    "container_short": N_("Container"),
    "seals_short": N_("Seals"),
    "none_given": N_("None given"),
    "codes": N_("Codes"),
    "other_decisions": N_("Decisions of the other authorities"),
    "no_other_decisions": N_("No other authority has decided yet."),
    "appeal_reasons": N_("The applicant's appeal"),
    "appealed_mark": N_("Appeal"),
    "conditions_only_with": N_('Only for "Approve with conditions".'),
    "reason_only_with": N_('Only for "Reject".'),
    "via_pick": N_("Only via these checkpoints (tick each one)"),
    "no_checkpoints_near": N_("No checkpoint lies near this route."),
    "disagree": N_("Authorities disagree"),
    "history": N_("History"),
    "when": N_("When"),
    "by": N_("By"),
    "permits": N_("Permits"),
    "print": N_("Print or show the permit"),
    "no_permit": N_("No permit yet."),
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
    "submit_decision": N_("Record decision"),
    "decided": N_("Your decision was recorded."),
    "required_by": N_("Required because of"),
    "no_decided": N_("Your authority has decided nothing yet."),
    "decided_at": N_("Decided"),
    "amend_title": N_("Amend application {reference}"),
    "back_to_application": N_("Back to the application"),
    "journey": N_("Journey"),
    "origin": N_("Origin"),
    "destination": N_("Destination"),
    "route_how": N_("How to give the route"),
    "by_checkpoints": N_("Checkpoints in order"),
    "by_drawing": N_("Draw it on the map"),
    "checkpoints_help": N_(
        "Choose the checkpoints the vehicle passes, in order, first to last. "
        "You can also click a checkpoint on the map to add it."
    ),
    "stop_n": N_("Checkpoint {n}"),
    "move_up": N_("Move up"),
    "move_down": N_("Move down"),
    "remove": N_("Remove"),
    "add_checkpoint": N_("Add a checkpoint"),
    "draw_help": N_(
        "Click on the map to add the route's points in order; undo the last point or clear "
        "the line. The line is kept as GeoJSON below."
    ),
    "undo_point": N_("Undo last point"),
    "clear_route": N_("Clear the line"),
    "points_drawn": NP_("{count} point drawn", "{count} points drawn"),
    "route_geojson": N_("Route as GeoJSON (longitude, latitude)"),
    "corridor": N_("Corridor width (metres)"),
    "map_draw_help": N_(
        "Zones of control in force and checkpoints. The route you give is shown as a line."
    ),
    "required_authorities": N_("Authorities that must approve"),
    "required_help": N_(
        "Give a route and the authorities whose zones or checkpoints it touches appear here."
    ),
    "checkpoints_on_route": N_("Checkpoints on the route"),
    "check_route": N_("Check the route"),
    "no_authorities": N_("None yet."),
    "vehicle_kind": N_("Kind of vehicle"),
    "vin": N_("VIN (optional)"),
    "container": N_("Container number (optional)"),
    "driver_name_ar": N_("Name in Arabic"),
    "driver_name_latin": N_("Name in Latin letters"),
    "id_number": N_("ID number"),
    "cargo_line_n": N_("Line {n}"),
    "description": N_("Description"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "gross_mass": N_("Gross mass (kg)"),
    "hs_code": N_("HS code (optional)"),
    "un_number": N_("UN number, dangerous goods (optional)"),
    "remove_line": N_("Remove this line"),
    "add_line": N_("Add a cargo line"),
    "seals": N_("Seal numbers (optional, comma-separated)"),
    "amend_note": N_("What changed and why (optional)"),
    "send_amendment": N_("Send the amendment"),
    "submit_application": N_("Submit the application"),
    "save_draft": N_("Save as draft"),
    "kind_truck": N_("Truck"),
    "kind_tanker": N_("Tanker"),
    "kind_van": N_("Van"),
    "kind_pickup": N_("Pickup"),
    "kind_car": N_("Car"),
    "kind_bus": N_("Bus"),
    "kind_other": N_("Other vehicle"),
    "unit_kg": N_("kilograms"),
    "unit_t": N_("tonnes"),
    "unit_l": N_("litres"),
    "unit_m3": N_("cubic metres"),
    "unit_pcs": N_("pieces"),
    "unit_pallets": N_("pallets"),
    "unit_boxes": N_("boxes"),
    "unit_bags": N_("bags"),
    "unit_head": N_("head of livestock"),
    "actions": N_("What you can do"),
    "amend": N_("Amend the application"),
    "appeal": N_("Appeal a rejection"),
    "withdraw": N_("Withdraw the application"),
    "submit_draft": N_("Submit this draft"),
    "appeal_title": N_("Appeal on application {reference}"),
    "appeal_which": N_("Which rejection do you appeal?"),
    "grounds": N_("Grounds of the appeal"),
    "grounds_help": N_(
        "Say why the rejection should be reconsidered. The authority reviews again, "
        "and the municipality can see the appeal."
    ),
    "send_appeal": N_("Send the appeal"),
    "nothing_to_appeal": N_("No authority has rejected this application."),
    "withdraw_title": N_("Withdraw application {reference}"),
    "withdraw_help": N_(
        "Withdrawing ends the application and any permit issued for it. This cannot be undone."
    ),
    "withdraw_reason": N_("Reason (optional)"),
    "qr_of": N_("QR code of permit {number}"),
    "print_button": N_("Print"),
    "not_signed_yet": N_("Not signed by every authority yet."),
    "no_permits": N_("No permits yet."),
    "permit_active": N_("In force"),
    "permit_suspended": N_("Suspended"),
    "permit_revoked": N_("Revoked"),
    "permit_superseded": N_("Replaced by a newer version"),
    "permit_withdrawn": N_("Withdrawn"),
    "permit_expired": N_("Expired"),
}
