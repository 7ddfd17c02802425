"""What a checkpoint device says when a sync or a check cannot go on: coded, translatable,
and always leaving the queued events on the device."""

from __future__ import annotations

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_


class HubUnreachable(TansiqError):
    code = "device.hub_unreachable"
    message = N_("The hub cannot be reached ({problem}); events stay queued.")
    category = ErrorCategory.CONFLICT


class HubRefused(TansiqError):
    code = "device.hub_refused"
    message = N_("The hub refused the sync: {problem}")


class HubBusy(TansiqError):
    code = "device.hub_busy"
    message = N_(
        "The hub is busy (HTTP {status}) and asked to be tried again later; events stay queued."
    )
    category = ErrorCategory.CONFLICT


class BadHubAnswer(TansiqError):
    code = "device.bad_hub_answer"
    message = N_(
        "The hub's answer cannot be read ({problem}); nothing was changed on this device and "
        "events stay queued."
    )
    category = ErrorCategory.CONFLICT


class DeviceFileUnusable(TansiqError):
    code = "device.file_unusable"
    message = N_("The device file {path} cannot be used: {problem}")


class NotEnrolled(TansiqError):
    code = "device.not_enrolled"
    message = N_(
        "This device has no governance keys pinned: enrol it with the keys the hub's "
        "operator gave you."
    )


class GovernanceKeyNotAnnounced(TansiqError):
    code = "device.governance_key_unknown"
    message = N_(
        "The hub's data is signed by governance key {kid}, which no key this device trusts "
        "has announced. It was refused: nothing was changed and events stay queued. Ask the "
        "hub's operator."
    )
    category = ErrorCategory.CONFLICT


class NoTrustData(TansiqError):
    code = "device.no_trust_data"
    message = N_("This device has no trust list yet: sync with the hub once first.")
