"""The words of the parties' pages (sign-in, parties, users, kinds and roles), marked for the
catalog."""

from __future__ import annotations

from tansiq.core.i18n import N_

LABELS = {
    "sign_in": N_("Sign in"),
    "username": N_("Username"),
    "password": N_("Password"),
    "admin_hub_intro": N_(
        "You administer the hub: every party, and the geography of every authority."
    ),
    "admin_party_intro": N_("You administer {party}."),
    "parties": N_("Parties"),
    "parties_help": N_(
        "Authorities, the municipality, organisations and traders, and their users."
    ),
    "zones_help": N_(
        "Upload a new version of an authority's zones of control and see which map is in force."
    ),
    "admin_checkpoints_help": N_("Add checkpoints and open or close them."),
    "devices_help": N_("Register the phones and terminals officers use, or revoke a lost one."),
    "keys_help": N_("The keys that sign your authority's permits: rotate, retire, register."),
    "you_manage": N_("Geography you manage:"),
    "party_code": N_("Code"),
    "party_code_help": N_("2 to 40 lowercase letters, digits, '-' or '_'; it never changes."),
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
    "user_language": N_("Language of the user's messages"),
    "user_created": N_("The user {user} was created."),
    "generated_password": N_("Their password:"),
    "shown_once": N_("It is shown only now; hand it over in person. The hub keeps only a hash."),
}
