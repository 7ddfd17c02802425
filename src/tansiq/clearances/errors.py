"""The coded errors of an application's use cases and its routing (a permit's are in
``permits.domain``)."""

from __future__ import annotations

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_


class NoAuthorityRequired(TansiqError):
    code = "application.no_authority"
    message = N_(
        "The route touches no authority's zone or checkpoint, so no one can approve "
        "it; check the route."
    )


class ReferenceRequired(TansiqError):
    code = "application.reference_required"
    message = N_("A client reference of visible characters is required.")


class RouteChoice(TansiqError):
    code = "application.route_choice"
    message = N_(
        'Give the route either as a GeoJSON "route" or as a list of "checkpoints" '
        "in order, not both."
    )


class PermitRevoked(TansiqError):
    code = "application.permit_revoked"
    message = N_("The permit was revoked; a revoked clearance is not amended. Apply anew.")
    category = ErrorCategory.CONFLICT


class ReferenceReused(TansiqError):
    code = "application.reference_reused"
    message = N_('Your reference "{reference}" already names a different application.')
    category = ErrorCategory.CONFLICT


class StaleVersion(TansiqError):
    code = "application.stale_version"
    message = N_(
        "The application changed since version {expected}; it is now at version "
        "{current}. Reload it."
    )
    category = ErrorCategory.CONFLICT


class NothingChanged(TansiqError):
    code = "application.no_change"
    message = N_("The amendment changes nothing.")


class NotRejected(TansiqError):
    code = "appeal.not_rejected"
    message = N_("Only a rejection can be appealed.")
    category = ErrorCategory.CONFLICT


class AppealOpen(TansiqError):
    code = "appeal.already_open"
    message = N_("This rejection is already under appeal.")
    category = ErrorCategory.CONFLICT


class AppealDecided(TansiqError):
    code = "appeal.already_decided"
    message = N_("This rejection was upheld on appeal; amend the application to be reviewed again.")
    category = ErrorCategory.CONFLICT
