"""The one shared, bilingual list of reason codes for refusals (reviews and checkpoints)."""

from __future__ import annotations

from enum import StrEnum

from tansiq.core.i18n import N_


class ReasonCode(StrEnum):
    INCOMPLETE_DOCUMENTS = "incomplete_documents"
    PROHIBITED_GOODS = "prohibited_goods"
    ROUTE_CLOSED = "route_closed"
    VEHICLE_NOT_ROADWORTHY = "vehicle_not_roadworthy"
    DRIVER_NOT_AUTHORISED = "driver_not_authorised"
    CARGO_MISMATCH = "cargo_mismatch"
    DANGEROUS_GOODS_NOT_PERMITTED = "dangerous_goods_not_permitted"
    OUTSIDE_HOURS = "outside_hours"
    SECURITY_CONCERN = "security_concern"
    OTHER = "other"


REASON_LABELS: dict[ReasonCode, str] = {
    ReasonCode.INCOMPLETE_DOCUMENTS: N_("Incomplete or missing documents"),
    ReasonCode.PROHIBITED_GOODS: N_("Prohibited goods"),
    ReasonCode.ROUTE_CLOSED: N_("Route closed"),
    ReasonCode.VEHICLE_NOT_ROADWORTHY: N_("Vehicle not roadworthy"),
    ReasonCode.DRIVER_NOT_AUTHORISED: N_("Driver not authorised"),
    ReasonCode.CARGO_MISMATCH: N_("Cargo does not match the manifest"),
    ReasonCode.DANGEROUS_GOODS_NOT_PERMITTED: N_("Dangerous goods not permitted on this route"),
    ReasonCode.OUTSIDE_HOURS: N_("Outside permitted hours"),
    ReasonCode.SECURITY_CONCERN: N_("Security concern"),
    ReasonCode.OTHER: N_("Other reason"),
}

# A refusal for these reasons must say why in words: the code alone tells the trader nothing
# they can act on.
NOTE_REQUIRED = frozenset({ReasonCode.SECURITY_CONCERN, ReasonCode.OTHER})
