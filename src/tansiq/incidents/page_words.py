"""The words of the incidents' pages, of the checkpoint app's advisories list and of the values
they show as words, marked for the catalog. The one list of types and sub-types is the
domain's own (``EVENT_TYPE_LABELS`` …); these are the pages' labels and short forms."""

from __future__ import annotations

from tansiq.core.i18n import N_, Locale, translate
from tansiq.incidents.domain import (
    ADVISORY_KIND_LABELS,
    EVENT_TYPE_LABELS,
    AdvisoryStatus,
    Confidence,
    IncidentStatus,
    LocationPrecision,
    Severity,
    TimePrecision,
    Verification,
)

SEVERITY = {
    Severity.MINOR: N_("Minor"),
    Severity.MODERATE: N_("Moderate"),
    Severity.SEVERE: N_("Severe"),
    Severity.EXTREME: N_("Extreme"),
}
VERIFICATION = {
    Verification.UNVERIFIED: N_("Unverified"),
    Verification.CORROBORATED: N_("Corroborated"),
    Verification.REFUTED: N_("Refuted"),
    Verification.DISPUTED: N_("Disputed"),
}
CONFIDENCE = {
    Confidence.CONFIRMED: N_("Confirmed: seen by our party"),
    Confidence.PROBABLE: N_("Probable"),
    Confidence.POSSIBLE: N_("Possible"),
    Confidence.DOUBTFUL: N_("Doubtful"),
}
TIME_PRECISION = {
    TimePrecision.MINUTE: N_("To the minute"),
    TimePrecision.HOUR: N_("Within the hour"),
    TimePrecision.DAY: N_("On that day"),
    TimePrecision.WEEK: N_("Within that week"),
}
LOCATION_PRECISION = {
    LocationPrecision.EXACT: N_("The very place"),
    LocationPrecision.NEAR: N_("Within a few kilometres"),
    LocationPrecision.DISTRICT: N_("Only the district"),
    LocationPrecision.APPROXIMATE: N_("Approximate"),
}
ADVISORY_STATUS = {
    AdvisoryStatus.ACTIVE: N_("In force"),
    AdvisoryStatus.WITHDRAWN: N_("Withdrawn"),
    AdvisoryStatus.EXPIRED: N_("Expired"),
}
INCIDENT_STATUS = {
    IncidentStatus.ACTIVE: N_("Current"),
    IncidentStatus.CLOSED: N_("No longer current"),
}
PERIOD = {
    "current": N_("In force now"),
    "24h": N_("Last 24 hours"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
}
SHOWN = {
    "all": N_("All"),
    "incidents": N_("Incidents only"),
    "advisories": N_("Advisories only"),
}
TARGET = {
    "application": N_("the permits of this application"),
    "movement": N_("Movement {reference}"),
    "watch": N_("Watch “{reference}”"),
}

LABELS = {
    "in_title": N_("Incidents and advisories"),
    "in_nav": N_("Incidents"),
    "in_geojson": N_("The place as GeoJSON (longitude, latitude)"),
    "in_safety_only": N_(
        "For the safety of movement only: what happened on the roads and where, never who. "
        "Do not name or describe people, and write no phone or ID numbers."
    ),
    "in_report": N_("Report an incident"),
    "in_issue": N_("Issue an advisory"),
    "in_watches": N_("Watches"),
    "in_filters": N_("Filters"),
    "in_type": N_("Type"),
    "in_any": N_("Any"),
    "in_severity": N_("Severity"),
    "in_period": N_("Period"),
    "in_verification": N_("Verification"),
    "in_show": N_("Show"),
    "in_apply": N_("Apply filters"),
    "in_none_found": N_("Nothing matches these filters."),
    "in_reference": N_("Reference"),
    "in_when": N_("When"),
    "in_what": N_("What"),
    "in_by": N_("Reported or issued by"),
    "in_incident": N_("Incident"),
    "in_advisory": N_("Advisory"),
    "in_sub_type": N_("Sub-type"),
    "in_occurred": N_("Happened at"),
    "in_time_precision": N_("How precisely the time is known"),
    "in_relevant_until": N_("Counts for movement until"),
    "in_relevant_help": N_("Empty: the hub's default time after it happened."),
    "in_location": N_("Location"),
    "in_location_precision": N_("How precisely the place is known"),
    "in_draw_help": N_(
        "Draw it on the map: choose point, line or area, then click the map (an area or a "
        "line needs several clicks)."
    ),
    "in_draw_point": N_("Point"),
    "in_draw_line": N_("Line"),
    "in_draw_area": N_("Area"),
    "in_draw_clear": N_("Start again"),
    "in_drawn_none": N_("Nothing drawn yet."),
    "in_drawn": N_("Drawn: {shape}"),
    "in_or_coordinates": N_("Or type it as GeoJSON"),
    "in_description": N_("What happened"),
    "in_description_help": N_("What a driver needs to know: what, where on the road, since when."),
    "in_confidence": N_("How sure your party is"),
    "in_kind": N_("Kind of advisory"),
    "in_checkpoint": N_("Checkpoint it closes"),
    "in_valid_from": N_("In force from"),
    "in_valid_until": N_("In force until"),
    "in_follows": N_("Follows incident (number, optional)"),
    "in_submit_report": N_("Report the incident"),
    "in_submit_issue": N_("Issue the advisory"),
    "in_kind_geometry": N_(
        "A road closed is drawn as a line along the road; an area unsafe as an area; a "
        "checkpoint closed is chosen from the list."
    ),
    "in_verification_by": N_("Verification by other parties"),
    "in_no_verdicts": N_("No other party has corroborated or refuted it yet."),
    "in_corroborate": N_("Corroborate"),
    "in_refute": N_("Refute"),
    "in_judge_help": N_(
        "Your party saw or checked it too? Corroborate it. It did not happen as reported? "
        "Refute it. Each party answers once; the reporting party cannot."
    ),
    "in_note": N_("Note (optional)"),
    "in_judged": N_("Your party's answer was recorded."),
    "in_status": N_("Status"),
    "in_cosigned_by": N_("Co-signed by"),
    "in_no_cosigns": N_("No other party has co-signed it."),
    "in_cosign": N_("Co-sign"),
    "in_cosign_help": N_("Your party stands behind this advisory too."),
    "in_withdraw": N_("Withdraw the advisory"),
    "in_withdraw_note": N_("Why it is withdrawn"),
    "in_ended": N_("Ended {time}"),
    "in_window": N_("{start} to {end}"),
    "in_alerts": N_("Safety alerts"),
    "in_alerts_on": N_("Safety alerts on {target}"),
    "in_alerts_none": N_("No incident or advisory touches it now."),
    "in_alerts_link": N_("Incidents and advisories on this route"),
    "in_route_affected": N_("Route affected"),
    "in_route_affected_help": N_(
        "A closure lies on this route: plan another. A permit's route is changed by amending "
        "its application."
    ),
    "in_route_affected_movement": N_(
        "A closure lies on this movement's route: plan another. The parties it reached are "
        "asked to acknowledge it again."
    ),
    "in_route_affected_watch": N_("A closure lies on what your party watches."),
    "in_amend": N_("Amend the application"),
    "in_near": N_("{distance} from the corridor"),
    "in_cleared": N_("No longer holds since {time}"),
    "in_watch_new": N_("Watch an area or a route"),
    "in_watch_help": N_(
        "Your party is alerted of every incident or advisory that touches what it watches, "
        "as a permit's holder is."
    ),
    "in_watch_name": N_("Name"),
    "in_watch_reach": N_("Reach either side of a route, in metres"),
    "in_watch_create": N_("Start watching"),
    "in_watch_none": N_("Your party watches nothing yet."),
    "in_watch_stop": N_("Stop watching"),
    "in_watch_stopped": N_("Stopped"),
    "in_watch_since": N_("Since {time}"),
    "in_watch_reach_value": N_("{distance} either side"),
    "in_map_help": N_("Incidents and advisories on the map, coloured by severity."),
    "in_legend_incident": N_("Incident"),
    "in_legend_advisory": N_("Advisory"),
    "in_open": N_("Open"),
    "in_cannot_report": N_("Your role does not report incidents or issue advisories."),
    # The checkpoint app's list and the verdict's warning (its script shows them).
    "cp_adv_title": N_("Incidents and advisories near this checkpoint"),
    "cp_adv_none": N_("None known near this checkpoint."),
    "cp_adv_as_of": N_("As of the last sync, {time}."),
    "cp_adv_since": N_("since {time}"),
    "cp_adv_window": N_("{start} to {end}"),
    "cp_adv_distance": N_("{distance} away"),
    "cp_adv_by": N_("by {party}"),
    "cp_adv_closes_here": N_("Closes this checkpoint"),
    "cp_adv_here_closed": N_("This checkpoint is closed by advisory {reference}."),
    "cp_adv_route_affected": N_("Route affected: on this permit's route"),
}


def device_words(locale: Locale) -> dict[str, dict[str, str]]:
    """What the checkpoint app's advisories list shows as words: types, kinds, severities and
    states by code, in ``locale`` (the signed bundle carries codes)."""
    return {
        "types": {
            **{t.value: translate(label, locale) for t, label in EVENT_TYPE_LABELS.items()},
            **{k.value: translate(label, locale) for k, label in ADVISORY_KIND_LABELS.items()},
        },
        "kinds": {
            "incident": translate(LABELS["in_incident"], locale),
            "advisory": translate(LABELS["in_advisory"], locale),
        },
        "severities": {s.value: translate(label, locale) for s, label in SEVERITY.items()},
        "states": {
            **{v.value: translate(label, locale) for v, label in VERIFICATION.items()},
            AdvisoryStatus.ACTIVE.value: translate(ADVISORY_STATUS[AdvisoryStatus.ACTIVE], locale),
        },
    }
