"""The words of the deconfliction pages and of its values, marked for the catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_
from tansiq.deconfliction.domain import (
    CONCERN_LABELS,
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
    Purpose,
    SiteType,
    VehicleKind,
)

KIND = {
    NotificationKind.MOVEMENT: N_("Movement"),
    NotificationKind.SITE: N_("Site"),
}
STATUS = {
    NotificationStatus.ACTIVE: N_("Active"),
    NotificationStatus.WITHDRAWN: N_("Withdrawn"),
    NotificationStatus.LAPSED: N_("Lapsed"),
}
STATE = {
    AcknowledgementState.PENDING: N_("Not yet acknowledged"),
    AcknowledgementState.RECEIVED: N_("Received"),
    AcknowledgementState.RECEIVED_WITH_CONCERN: N_("Received with concern"),
}
PURPOSE = {
    Purpose.PATROL: N_("Patrol"),
    Purpose.CONVOY: N_("Convoy"),
    Purpose.HUMANITARIAN: N_("Humanitarian"),
    Purpose.MEDICAL_EVACUATION: N_("Medical evacuation"),
    Purpose.ENGINEERING: N_("Engineering"),
    Purpose.OTHER: N_("Other"),
}
VEHICLE = {
    VehicleKind.CAR: N_("Car"),
    VehicleKind.TRUCK: N_("Truck"),
    VehicleKind.ARMOURED: N_("Armoured vehicle"),
    VehicleKind.AMBULANCE: N_("Ambulance"),
    VehicleKind.BUS: N_("Bus"),
    VehicleKind.ON_FOOT: N_("On foot"),
    VehicleKind.OTHER: N_("Other"),
}
SITE_TYPE = {
    SiteType.CLINIC: N_("Clinic"),
    SiteType.SCHOOL: N_("School"),
    SiteType.WAREHOUSE: N_("Warehouse"),
    SiteType.CAMP: N_("Camp"),
    SiteType.OFFICE: N_("Office"),
    SiteType.WATER_POINT: N_("Water point"),
    SiteType.OTHER: N_("Other"),
}
CONCERN = CONCERN_LABELS
REASON = {
    "zone": N_("Owns the zone {name}"),
    "checkpoint": N_("Operates the checkpoint {name}"),
    "conflict": N_("Notified {reference}, which this conflicts with"),
}

LABELS = {
    "dc_title": N_("Deconfliction"),
    "dc_receipt": N_(
        "A notification is a receipt, never a permission: the movement does not wait for any "
        "answer, and a concern informs the notifier without vetoing anything."
    ),
    "dc_to_acknowledge": N_("To acknowledge"),
    "dc_nothing_to_acknowledge": N_("Nothing waits for your party's acknowledgement."),
    "dc_filed": N_("Notified by my party"),
    "dc_nothing_filed": N_("Your party has notified nothing yet."),
    "dc_new_movement": N_("Notify a movement"),
    "dc_new_site": N_("Notify a site"),
    "dc_emergency": N_("Emergency"),
    "dc_from": N_("From"),
    "dc_to": N_("To"),
    "dc_until": N_("Active until"),
    "dc_acknowledgements": N_("Acknowledgements"),
    "dc_answered": N_("{count} of {total} acknowledged"),
    "dc_acknowledge": N_("Acknowledge receipt"),
    "dc_received": N_("Received"),
    "dc_with_concern": N_("Received with concern"),
    "dc_concern": N_("Concern"),
    "dc_no_concern": N_("(no concern)"),
    "dc_party": N_("Party"),
    "dc_why": N_("Why included"),
    "dc_state": N_("Acknowledgement"),
    "dc_delivered": N_("Delivered"),
    "dc_first_read": N_("First read"),
    "dc_answered_at": N_("Acknowledged"),
    "dc_by": N_("by {user}"),
    "dc_escalated": N_("Escalated"),
    "dc_reminded": N_("Reminded"),
    "dc_conflicts": N_("Conflicts"),
    "dc_no_conflicts": N_("No conflict with any movement or site you may see."),
    "dc_meets": N_("Meets {reference} from {start} to {end}"),
    "dc_no_shift": N_("No shift within the horizon clears every conflict."),
    "dc_apply_shift": N_("Apply the shift"),
    "dc_withdraw": N_("Withdraw"),
    "dc_withdraw_note": N_("Why (the parties are told)"),
    "dc_reconfirm": N_("Re-confirm the site"),
    "dc_version": N_("Version {version}"),
    "dc_site_reads": N_("Who has read this site's location"),
    "dc_no_reads": N_("No other party has read it yet."),
    "dc_via": N_("Through"),
    "dc_user": N_("User"),
    "dc_details": N_("Details"),
    "dc_vehicles": N_("Vehicles"),
    "dc_vehicle_kind": N_("Kind of vehicle"),
    "dc_markings": N_("Markings"),
    "dc_purpose": N_("Purpose"),
    "dc_contact": N_("Contact"),
    "dc_site_type": N_("Type of site"),
    "dc_name": N_("Name"),
    "dc_route_checkpoints": N_("Route: checkpoint codes in order, separated by commas"),
    "dc_route_drawn": N_("Or draw the route on the map (click point by point)"),
    "dc_clear_drawn": N_("Clear the drawn route"),
    "dc_corridor": N_("Corridor width (metres)"),
    "dc_start": N_("Start"),
    "dc_end": N_("End"),
    "dc_repeat": N_("Repeat"),
    "dc_no_repeat": N_("Once"),
    "dc_daily": N_("Daily"),
    "dc_repeat_until": N_("Repeat until (date)"),
    "dc_place": N_("Declared place (a checkpoint or zone name), checked against the location"),
    "dc_confirm_no_zone": N_("Share it even though it crosses no zone"),
    "dc_point": N_("Click the map to place the site, or give longitude and latitude"),
    "dc_lon": N_("Longitude"),
    "dc_lat": N_("Latitude"),
    "dc_radius": N_("Radius (metres)"),
    "dc_reconfirm_days": N_("Re-confirm every (days)"),
    "dc_note": N_("Note"),
    "dc_check": N_("Check who it reaches"),
    "dc_submit": N_("Notify the parties"),
    "dc_reaches": N_("It will reach"),
    "dc_reaches_none": N_("No party's zone or checkpoint; check the location."),
    "dc_conflict_count": N_("Conflicts with notifications already active: {count}"),
    "dc_map_help": N_("Zones in force, checkpoints and the movements and sites you may see."),
    "dc_overdue": N_("Overdue"),
    "dc_left": N_("{time} left"),
    "dc_open": N_("Open"),
    "dc_summary": N_("Across the hub"),
    "dc_summary_text": N_(
        "Active movements: {movements}; active sites: {sites}; acknowledgements waiting: "
        "{pending}; escalations: {escalations}."
    ),
    "dc_conflicts_intro": N_(
        "Where the movements and sites your party notified meet others in space and time, and "
        "the earliest shift of your movement that clears every conflict within the horizon."
    ),
    "dc_shift_help": N_(
        "Applying it files a new version moved by the shift; every party acknowledges it again "
        "and the conflicts are checked again."
    ),
    "dc_no_conflicts_at_all": N_("None of your party's active notifications has a conflict."),
    "dc_see_conflicts": N_("Conflicts"),
    "dc_weekly": N_("On these weekdays"),
    "dc_weekdays": N_("Weekdays (for a weekly repetition)"),
    # Liaison threads
    "th_title": N_("Liaison threads"),
    "th_intro": N_(
        "Messages between parties, through the hub. Only the parties of a thread read it, and "
        "the hub's operator; each party's delivery and first reading are shown to all of them."
    ),
    "th_new": N_("Start a thread"),
    "th_none": N_("Your party has no thread yet."),
    "th_topic": N_("Topic"),
    "th_members": N_("Parties"),
    "th_about": N_("About"),
    "th_last": N_("Last message"),
    "th_delivered": N_("Delivered"),
    "th_read_by": N_("read by {user}"),
    "th_not_read": N_("Not read yet"),
    "th_write": N_("Write in this thread"),
    "th_template": N_("Message"),
    "th_free_text": N_("Free text (shown as written)"),
    "th_text": N_("Text"),
    "th_place": N_("Place (a checkpoint, or a name as written)"),
    "th_checkpoint": N_("Checkpoint"),
    "th_start": N_("From"),
    "th_end": N_("Until"),
    "th_time": N_("At"),
    "th_contact": N_("Phone number"),
    "th_times_in": N_("Times are in the deployment's time zone, {zone}."),
    "th_send": N_("Send"),
    "th_choose_parties": N_("Parties to write to"),
    "th_about_only": N_("A thread about {reference} may hold only the parties it concerns."),
    "th_hub_reads": N_("You read this thread as the hub's operator; only its parties write in it."),
    "th_no_speaker": N_("Only your party's liaison officers and admins write in threads."),
    "th_threads_about": N_("Liaison threads about it"),
    "th_start_about": N_("Start a thread about it"),
    "th_no_parties": N_("No other party may take part."),
    "th_you": N_("your party"),
}
