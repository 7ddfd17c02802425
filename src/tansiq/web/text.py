"""The shell's labels (the layout, and words more than one feature's pages show), marked for
the catalog. Each feature keeps its own pages' words in its ``words.py``; ``create_app`` joins
them all (``join_labels``) for the templates, which get them translated as ``t``."""

from __future__ import annotations

from collections.abc import Mapping

from tansiq.core.i18n import N_, Locale, translate

LABELS = {
    "app_name": N_("Tansiq"),
    "skip": N_("Skip to content"),
    "language": N_("Language"),
    "sign_out": N_("Sign out"),
    "signed_in_as": N_("Signed in as {user}"),
    "home": N_("Home"),
    "inbox": N_("Inbox"),
    "route": N_("Route"),
    "status": N_("Status"),
    "application": N_("Application {reference}"),
    "valid": N_("Valid"),
    "authority": N_("Authority"),
    "reason": N_("Reason"),
    "conditions": N_("Conditions"),
    "map": N_("Map"),
    "choose": N_("Choose…"),
    "error": N_("Error"),
    "back_home": N_("Back to the start page"),
    "new_application": N_("New application"),
    "administration": N_("Administration"),
    "checkpoint_app": N_("Checkpoint app"),
    "contested": N_("Contested: claimed by more than one authority"),
    "required_zone": N_("Zones that made your authority required"),
    "legend_cp_open": N_("Checkpoint open"),
    "legend_cp_closed": N_("Checkpoint closed"),
    "legend_roads": N_("Road"),
    "legend_rivers": N_("River"),
    "legend_built_up": N_("Built-up area"),
    "legend_places": N_("Place"),
    "checkpoints": N_("Checkpoints"),
    "decided_reviews": N_("Decided by my authority"),
    "closed": N_("closed"),
    "authorities": N_("Authorities"),
    "plate": N_("Plate number"),
    "driver": N_("Driver"),
    "cargo": N_("Cargo"),
    "window": N_("Validity window"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "my_permits": N_("My permits"),
    "breadcrumbs": N_("You are here"),
    "zone_maps": N_("Zone maps"),
    "devices": N_("Checkpoint devices"),
    "signing_keys": N_("Signing keys"),
    "name": N_("Name"),
    "name_ar": N_("Name in Arabic"),
    "name_en": N_("Name in English"),
    "kind": N_("Kind"),
    "problems": N_("Problems found, by feature"),
    "feature": N_("Feature"),
    "code": N_("Code"),
    "message": N_("Message"),
    "open_ended": N_("open-ended"),
    "checkpoint": N_("Checkpoint"),
    "no_checkpoints": N_("No checkpoints you manage."),
    "active": N_("Active"),
    "compromised": N_("The private key may be known to others: distrust everything it ever signed"),
    "confirm": N_("Please confirm"),
    "yes_do_it": N_("Yes, do it"),
    "cancel": N_("Cancel"),
    "admin_no_authorities": N_("You manage no authority's geography or keys."),
}


class LabelClash(ValueError):
    """Two tables name different words with one key: a template could show either."""


def join_labels(*tables: Mapping[str, str]) -> dict[str, str]:
    """The shell's labels and every feature's, as one table for the templates."""
    joined = dict(LABELS)
    for table in tables:
        clashes = sorted(key for key in table if joined.get(key, table[key]) != table[key])
        if clashes:
            raise LabelClash(", ".join(clashes))
        joined.update(table)
    return joined


def labels(locale: Locale, table: Mapping[str, str] = LABELS) -> dict[str, str]:
    """``table``'s labels in ``locale``."""
    return {key: translate(message, locale) for key, message in table.items()}
