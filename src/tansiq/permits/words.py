"""The words of the permits' page (signing keys, the trust list), marked for the catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_

LABELS = {
    "retire_key_question": N_("Retire this signing key? It signs nothing new from now on:"),
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
    "admin_actions": N_("Actions"),
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
    "key_saved": N_("Key {kid} saved; the trust list was republished."),
}
