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
    "admin_hub_intro": N_(
        "You administer the hub: every party, and the geography of every authority."
    ),
    "admin_party_intro": N_("You administer {party}."),
    "breadcrumbs": N_("You are here"),
    "parties": N_("Parties"),
    "parties_help": N_(
        "Authorities, the municipality, organisations and traders, and their users."
    ),
    "zone_maps": N_("Zone maps"),
    "zones_help": N_(
        "Upload a new version of an authority's zones of control and see which map is in force."
    ),
    "checkpoints": N_("Checkpoints"),
    "checkpoints_help": N_("Add checkpoints and open or close them."),
    "devices": N_("Checkpoint devices"),
    "devices_help": N_("Register the phones and terminals officers use, or revoke a lost one."),
    "signing_keys": N_("Signing keys"),
    "keys_help": N_("The keys that sign your authority's permits: rotate, retire, register."),
    "you_manage": N_("Geography you manage:"),
    "party_code": N_("Code"),
    "party_code_help": N_("2 to 40 lowercase letters, digits, '-' or '_'; it never changes."),
    "name": N_("Name"),
    "name_ar": N_("Name in Arabic"),
    "name_en": N_("Name in English"),
    "kind": N_("Kind"),
    "users": N_("Users"),
    "manage_users": N_("Users and roles"),
    "new_party": N_("New party"),
    "create_party": N_("Create party"),
    "party_created": N_("The party {party} was created."),
    "kind_authority": N_("authority"),
    "kind_municipality": N_("municipality"),
    "kind_organisation": N_("organisation"),
    "kind_trader": N_("trader company"),
    "kind_hub": N_("hub"),
    "role_admin": N_("Administrator"),
    "role_reviewer": N_("Reviewer"),
    "role_checkpoint_officer": N_("Checkpoint officer"),
    "role_liaison": N_("Liaison officer"),
    "role_observer": N_("Observer"),
    "role_applicant": N_("Applicant"),
    "users_of": N_("Users of {party}"),
    "new_user": N_("New user"),
    "create_user": N_("Create user"),
    "display_name": N_("Display name"),
    "roles": N_("Roles"),
    "roles_help": N_("The roles a member of a party of kind \u201c{kind}\u201d may hold."),
    "username_help": N_("3 to 64 lowercase letters, digits, '.', '-' or '_'."),
    "password_help": N_(
        "At least {minimum} characters. Leave it empty and the hub makes one, shown once."
    ),
    "user_language": N_("Language of the user's messages"),
    "user_created": N_("The user {user} was created."),
    "generated_password": N_("Their password:"),
    "shown_once": N_("It is shown only now; hand it over in person. The hub keeps only a hash."),
    "problems": N_("Problems found, by feature"),
    "feature": N_("Feature"),
    "code": N_("Code"),
    "message": N_("Message"),
    "upload_zone_map": N_("Upload a new zone map"),
    "geojson_file": N_("GeoJSON file"),
    "geojson_help": N_(
        "A FeatureCollection of Polygons or MultiPolygons in longitude, latitude (RFC 7946). The "
        "chosen file is read into the box below; you may also paste the text."
    ),
    "geojson_text": N_("GeoJSON text"),
    "file_too_large": N_("This file is larger than the limit of {limit} bytes."),
    "source_name": N_("Source (file name)"),
    "valid_from": N_("In force from"),
    "valid_until": N_("In force until (optional)"),
    "time_help": N_("Times in UTC. Empty \u201cfrom\u201d means now."),
    "rewind": N_("Turn wrongly wound rings around instead of refusing them"),
    "upload": N_("Upload"),
    "zone_map_stored": N_("The zone map was stored. The map shows its zones."),
    "map_zones_help": N_(
        "Zones in force now and checkpoints; where zones of two authorities overlap, the ground "
        "is contested."
    ),
    "map_uploaded_help": N_(
        "The uploaded map's zones, with the other authorities' zones in force now; overlaps are "
        "contested ground."
    ),
    "zone_map": N_("Map"),
    "zone_count": N_("Zones"),
    "in_force": N_("In force"),
    "open_ended": N_("open-ended"),
    "map_in_force": N_("In force"),
    "map_future": N_("Not yet in force"),
    "map_past": N_("Superseded"),
    "no_zone_maps": N_("No zone map yet."),
    "checkpoint": N_("Checkpoint"),
    "checkpoint_code": N_("Checkpoint code"),
    "checkpoint_code_help": N_("2 to 40 letters, digits, '-' or '_'."),
    "checkpoint_saved": N_("Checkpoint {checkpoint} saved."),
    "change_status": N_("Open or close"),
    "cp_open": N_("Open"),
    "cp_closed": N_("Closed"),
    "close_reason": N_("Reason for closing"),
    "close_checkpoint": N_("Close"),
    "open_checkpoint": N_("Reopen"),
    "no_checkpoints": N_("No checkpoints you manage."),
    "new_checkpoint": N_("New checkpoint"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "add_checkpoint": N_("Add checkpoint"),
    "register_device": N_("Register a device"),
    "device_name": N_("Device name"),
    "device_name_help": N_("E.g. \u201cGate 2 phone\u201d, so you can tell devices apart."),
    "device_registered": N_("Device \u201c{device}\u201d registered"),
    "device_token": N_("Its token, shown only this once:"),
    "open_enrolled": N_("Open the checkpoint app enrolled with this device"),
    "hand_to_officer": N_(
        "Open this link on the device itself, or hand the token to the checkpoint officer in "
        "person. Anyone holding it can act as this device until you revoke it."
    ),
    "registered": N_("Registered"),
    "last_sync": N_("Last sync"),
    "never": N_("Never"),
    "revoked": N_("Revoked"),
    "active": N_("Active"),
    "revoke": N_("Revoke"),
    "device_revoked": N_("The device was revoked; its token no longer works."),
    "no_devices": N_("No devices registered."),
    "revoke_device_question": N_("Revoke this device? Its token stops working at once:"),
    "retire_key_question": N_("Retire this signing key? It signs nothing new from now on:"),
    "compromised": N_("The private key may be known to others: distrust everything it ever signed"),
    "confirm": N_("Please confirm"),
    "yes_do_it": N_("Yes, do it"),
    "cancel": N_("Cancel"),
    "keys_intro": N_(
        "Only an authority's own administrators may change its keys. Retired keys keep what they "
        "signed valid; compromised keys do not."
    ),
    "keys_own_admins": N_("Only this authority's own administrators may change its keys."),
    "trust_list": N_("Download the signed trust list (CBOR)"),
    "trust_seq": N_("sequence {seq}"),
    "governance_keys": N_("The hub's governance keys"),
    "kid": N_("Key id"),
    "algorithm": N_("Algorithm"),
    "actions": N_("Actions"),
    "held_by_hub": N_("held by the hub"),
    "held_outside": N_("held by the authority"),
    "key_active": N_("Active"),
    "key_retired": N_("Retired"),
    "key_compromised": N_("Compromised"),
    "retire": N_("Retire"),
    "no_keys": N_("No key yet; one is made when the first permit needs it."),
    "rotate_key": N_("Rotate: make a new key"),
    "external_key": N_("Register a key held outside the hub"),
    "public_key": N_("Public key (raw, base64)"),
    "register_key": N_("Register key"),
    "no_authorities": N_("You manage no authority's geography or keys."),
    "key_saved": N_("Key {kid} saved; the trust list was republished."),
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
