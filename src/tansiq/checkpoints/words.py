"""The words of the checkpoints' pages: the officer's app (its script's texts too) and the
administrator's devices, marked for the catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_, NP_

LABELS = {
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
    "enrol_by_scanning": N_(
        "On the officer's phone: scan this code with the camera, or open the checkpoint app "
        "and tap “Scan the enrolment code”. Then leave this page: anyone who sees the "
        "code can act as this device until you revoke it."
    ),
    "enrol_code": N_("Enrolment code for device “{device}”"),
    "device_token_by_hand": N_("No camera? The token to type in by hand"),
    "registered": N_("Registered"),
    "last_sync": N_("Last sync"),
    "never": N_("Never"),
    "revoked": N_("Revoked"),
    "revoke": N_("Revoke"),
    "device_revoked": N_("The device was revoked; its token no longer works."),
    "no_devices": N_("No devices registered."),
    "revoke_device_question": N_("Revoke this device? Its token stops working at once:"),
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
    "cp_stale_warning": NP_(
        "The trust and revocation data is older than {count} hour: connect and sync before "
        "trusting a verdict.",
        "The trust and revocation data is older than {count} hours: connect and sync before "
        "trusting a verdict.",
    ),
    "cp_sync_now": N_("Sync now"),
    "cp_syncing": N_("Syncing…"),
    "cp_synced": N_("Synced."),
    "cp_unreachable": N_("The hub cannot be reached; events stay on this device."),
    "cp_busy": N_("The hub is busy; events stay on this device until the next sync."),
    "cp_bad_answer": N_(
        "The hub's answer cannot be read; nothing was changed and events stay on this device."
    ),
    "cp_retrying": NP_(
        "No answer from the hub yet: trying again in {count} second (attempt {attempt} of "
        "{attempts}).",
        "No answer from the hub yet: trying again in {count} seconds (attempt {attempt} of "
        "{attempts}).",
    ),
    "cp_sync_progress": NP_("Sent {sent} of {count} event.", "Sent {sent} of {count} events."),
    "cp_refused": N_("The hub refused this device's token. Ask your administrator for a new one."),
    "cp_insecure": N_(
        "This app needs a secure connection: open the hub over HTTPS, or as localhost on this "
        "device. Without it the browser refuses the camera, offline use and signature checks."
    ),
    "cp_trust_invalid": N_(
        "The data from the hub is not signed by the keys this device trusts; nothing was changed."
    ),
    "cp_governance_key_unknown": N_(
        "The hub's data is signed by key {kid}, which no key this device trusts has announced. "
        "It was refused: nothing was changed and recorded events stay on this device. Tell your "
        "administrator."
    ),
    "cp_synced_with_warning": N_(
        "Synced, but the hub's record was refused: see the warning above."
    ),
    "cp_witness_head_signature_invalid": N_(
        "Warning: the hub's record (ledger) is not signed by a key this device trusts. It was "
        "refused and reported to the hub's administrators and the municipality."
    ),
    "cp_witness_inconsistent": N_(
        "Warning: the hub's record (ledger, size {seen}) does not continue the one this device "
        "saw before (size {held}): its history may have been rewritten. It was refused and "
        "reported to the hub's administrators and the municipality."
    ),
    "cp_witness_history_shrunk": N_(
        "Warning: the hub's record (ledger, size {seen}) is smaller than the one this device saw "
        "before (size {held}): part of its history is gone. It was refused and reported to the "
        "hub's administrators and the municipality."
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
    "cp_enrol_scan": N_("Scan the enrolment code"),
    "cp_enrol_scan_help": N_(
        "Hold the enrolment code from the administrator's screen in the frame."
    ),
    "cp_enrol_or_paste": N_("Or paste the device token or the enrolment link"),
    "cp_not_enrolment_code": N_(
        "That is not an enrolment code of this hub. Scan the code on your administrator's "
        "devices page, or paste the token."
    ),
    "cp_driver_check": N_("Check the driver"),
    "cp_driver_id": N_("ID number on the driver's card"),
    "cp_driver_id_help": N_(
        "Checked on this device against the permit's code; the number is not stored or sent."
    ),
    "cp_driver_check_button": N_("Check ID"),
    "cp_driver_id_required": N_("Type the ID number from the driver's card."),
    "cp_driver_checking": N_("Checking the ID number…"),
    "cp_driver_matches": N_("ID number matches: this is the permit's driver."),
    "cp_driver_differs": N_(
        "ID number does NOT match this permit's driver. Check the number, or refuse passage."
    ),
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
    "cp_reasons_check": N_("From the check"),
    "cp_reasons_other": N_("Other reasons"),
    "cp_refusal_main": N_("Refuse passage"),
    "cp_override_open": N_("Let through anyway (override)"),
    "cp_override_help": N_(
        "Only on an order or with good cause: an override is recorded as one, with its reason "
        "and your note, and counted apart from passages."
    ),
    "cp_override_reason": N_("Reason for the override"),
    "cp_override_note": N_("Note (required): who decided, and why"),
    "cp_override": N_("Record override"),
    "cp_override_reason_required": N_("Choose a reason for the override."),
    "cp_override_note_required": N_("Write a note for the override: who decided, and why."),
    "cp_recorded_override": N_("Override recorded; it will be sent with the next sync."),
    "cp_next": N_("Check the next permit"),
    "cp_expected_list": N_("Permits expected at this checkpoint"),
    "cp_expected_empty": N_("No permits expected."),
    "cp_valid_until": N_("valid until {time}"),
    "cp_offline_note": N_(
        "This page and its verifier come from this hub; the hub's signing keys are fixed on "
        "this device at the first sync, and replaced only by keys they announce."
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
    "cp_word_stale": N_("DATA TOO OLD: SYNC"),
    "cp_word_condition_via": N_("CONDITION NOT MET: ROUTE"),
    "cp_word_condition_daylight": N_("CONDITION NOT MET: DAYLIGHT"),
    "cp_word_valid_conditions": N_("VALID WITH CONDITIONS"),
    "cp_conditions_first": N_("Conditions of this permit"),
    "cp_condition_met": N_("met"),
    "cp_condition_failed": N_("not met"),
    "cp_condition_yourself": N_("check it yourself"),
    "cp_condition_confirm": N_("confirm below"),
    "cp_escort_confirm": N_("The escort is present"),
    "cp_escort_needed": N_("This permit requires an escort: confirm it before recording passage."),
    "cp_own_checks": N_("The permit's own checks: {verdict}"),
}
