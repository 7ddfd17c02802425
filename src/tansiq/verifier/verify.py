"""Offline verification of a permit token at a checkpoint: one call, one verdict.

The verifier enforces **all-of over distinct authorities** itself (a COSE library would accept
any one valid signature): every kid the permit lists as required must be on the trust list, have
exactly one signature that verifies with that key, by a key trusted at the permit's ``iat``
(not compromised, inside its validity window, holding the ``permits`` role), and the required
keys must belong to as many distinct authorities as there are keys. Signatures by keys not on
the trust list and not required count for nothing; a signature by a known key that fails counts
against the permit (someone altered it).

Several things can be wrong at once; the verdict names the first in this order::

    malformed > forged > unknown_key > missing_signature > revoked > suspended > expired
      > not_yet_valid > off_route > stale > valid

* ``malformed``: the text is not a readable TQ1 token.
* ``forged``: a signature does not verify, is by a key of another algorithm, by a compromised
  key, or by a key not valid at ``iat``; or one required key signed twice.
* ``unknown_key``: a required kid is not on the trust list.
* ``missing_signature``: a required key did not sign, or two required keys belong to one
  authority (one authority never counts twice).
* ``revoked`` / ``suspended``: by the revocation data.
* ``expired`` (``at >= exp``) / ``not_yet_valid`` (``at < nbf``).
* ``off_route``: ``checkpoint`` is given and the permit lists checkpoints that do not include it
  (codes compared case-insensitively). A permit with only a route line cannot tell, so it is
  never flagged.
* ``condition_via``: ``checkpoint`` is given and the permit's "only via these checkpoints"
  condition does not name it (compared as for ``off_route``).
* ``condition_daylight``: ``position`` (the checkpoint's longitude and latitude) is given, the
  permit says "daylight hours only", and ``at`` is before sunrise or after sunset there that
  day (:mod:`tansiq.verifier.sun`). Without a position it cannot tell, so it never flags.
* ``stale``: the data is older than ``hard_data_age`` at ``at`` (a hard limit, 7 days by
  default), or there is no revocation data at all (``revocations=None``, or a state no delta
  was applied to). It replaces ``valid`` only: a worse verdict always wins. The permit's own
  checks stay on the verdict as ``permit_status`` either way.

Data older than ``max_data_age`` (the warning threshold, 24 hours by default) but within the
hard limit does **not** change the verdict: the verdict says what the permit's own checks say,
and ``data_old`` with :meth:`Verdict.data_warning` says how old the data is and what that means
(revocations since then are unknown). A device offline for a day must not give every permit
the same word.

**Data age**, the one definition every verifier here uses (the CLI device, the browser app,
``tansiq permit verify``): the time since the issue time of the newest signed revocation delta
held. The hub signs one at least hourly even when nothing changed, so it is the signed proof of
when the data was last current; the trust list is re-signed only when keys change, and comes
with every sync and export, so its own issue time says nothing about freshness. Without
revocation data the trust list's issue time stands in (the verdict is ``stale`` then anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from tansiq.core import localtime
from tansiq.core.clock import ensure_utc
from tansiq.core.i18n import N_, NP_, Locale, translate
from tansiq.permits.claims import PermitClaims
from tansiq.permits.keys import verify_signature
from tansiq.permits.token import decode
from tansiq.permits.token_errors import PermitTokenMalformed
from tansiq.permits.trust import ROLE_PERMITS, RevocationState, RevocationStatus, TrustList
from tansiq.verifier.sun import in_daylight, sun_times

DEFAULT_MAX_DATA_AGE: Final = timedelta(hours=24)
DEFAULT_HARD_DATA_AGE: Final = timedelta(hours=168)


class VerdictStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    FORGED = "forged"
    MISSING_SIGNATURE = "missing_signature"
    UNKNOWN_KEY = "unknown_key"
    OFF_ROUTE = "off_route"
    CONDITION_VIA = "condition_via"
    CONDITION_DAYLIGHT = "condition_daylight"
    MALFORMED = "malformed"
    STALE = "stale"


PRECEDENCE: Final = (
    VerdictStatus.MALFORMED,
    VerdictStatus.FORGED,
    VerdictStatus.UNKNOWN_KEY,
    VerdictStatus.MISSING_SIGNATURE,
    VerdictStatus.REVOKED,
    VerdictStatus.SUSPENDED,
    VerdictStatus.EXPIRED,
    VerdictStatus.NOT_YET_VALID,
    VerdictStatus.OFF_ROUTE,
    VerdictStatus.CONDITION_VIA,
    VerdictStatus.CONDITION_DAYLIGHT,
    VerdictStatus.STALE,
    VerdictStatus.VALID,
)

# The condition kinds a verifier evaluates itself (permits/domain.py ConditionKind values).
VIA_CHECKPOINTS: Final = "via_checkpoints"
DAYLIGHT_ONLY: Final = "daylight_only"

REASONS: Final[Mapping[VerdictStatus, str]] = {
    VerdictStatus.VALID: N_(
        "Valid: every required authority signed this permit and it is in force."
    ),
    VerdictStatus.EXPIRED: N_("Expired: this permit ended at {exp}."),
    VerdictStatus.NOT_YET_VALID: N_("Not yet valid: this permit starts at {nbf}."),
    VerdictStatus.REVOKED: N_("Revoked (reason: {reason})."),
    VerdictStatus.SUSPENDED: N_("Suspended (reason: {reason})."),
    VerdictStatus.FORGED: N_(
        "Forged: a signature does not match this permit or its key cannot be trusted."
    ),
    VerdictStatus.MISSING_SIGNATURE: N_(
        "Missing signature: not every required authority signed this permit."
    ),
    VerdictStatus.UNKNOWN_KEY: N_(
        "Unknown key: this permit needs a signing key that is not on the trust list."
    ),
    VerdictStatus.OFF_ROUTE: N_(
        "Off route: checkpoint {checkpoint} is not on this permit's route."
    ),
    VerdictStatus.CONDITION_VIA: N_(
        "Condition not met: this permit is only good via other checkpoints ({via}), "
        "not {checkpoint}."
    ),
    VerdictStatus.CONDITION_DAYLIGHT: N_(
        "Condition not met: daylight hours only, and here the sun rises at {sunrise} and sets "
        "at {sunset}."
    ),
    VerdictStatus.MALFORMED: N_("Unreadable: the code is damaged or is not a Tansiq permit."),
    VerdictStatus.STALE: NP_(
        "Data too old to decide on: the trust and revocation data is {count} hour old, past "
        "the limit. Sync with the hub before deciding.",
        "Data too old to decide on: the trust and revocation data is {count} hours old, past "
        "the limit. Sync with the hub before deciding.",
    ),
}
# What old data (past the warning threshold, within the hard limit) means for a verdict.
DATA_OLD_HOURS: Final = NP_(
    "On data {count} hour old: revocations since then are unknown.",
    "On data {count} hours old: revocations since then are unknown.",
)
DATA_OLD_DAYS: Final = NP_(
    "On data {count} day old: revocations since then are unknown.",
    "On data {count} days old: revocations since then are unknown.",
)
NO_REVOCATIONS: Final = N_(
    "Stale data: no revocation list is loaded, so a revocation cannot be ruled out."
)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check. ``findings`` lists everything found, worst first."""

    status: VerdictStatus
    reason: str
    data_age: timedelta
    params: Mapping[str, str] = field(default_factory=dict)
    claims: PermitClaims | None = None
    findings: tuple[VerdictStatus, ...] = ()
    authorities: tuple[str, ...] = ()
    data_old: bool = False
    """The data is past the warning threshold (``max_data_age``): say so beside the verdict."""

    @property
    def valid(self) -> bool:
        return self.status is VerdictStatus.VALID

    @property
    def permit_status(self) -> VerdictStatus:
        """What the permit's own checks say, whatever the data's age."""
        own = [status for status in self.findings if status is not VerdictStatus.STALE]
        return own[0] if own else VerdictStatus.VALID

    def data_warning(self, locale: Locale) -> str | None:
        """How old the data is and what that means, when it is past the warning threshold."""
        if not self.data_old:
            return None
        hours = int(self.data_age.total_seconds() // 3600)
        if hours < 48:
            return translate(DATA_OLD_HOURS, locale, count=hours)
        return translate(DATA_OLD_DAYS, locale, count=hours // 24)

    def message(self, locale: Locale, zone: tzinfo = UTC) -> str:
        """The reason in ``locale``, its times on the clock of ``zone`` (the deployment's)."""
        return translate(self.reason, locale, **_on_the_clock(self.params, locale, zone))

    def messages(self, zone: tzinfo = UTC) -> dict[str, str]:
        """The reason in every language Tansiq speaks."""
        return {locale.value: self.message(locale, zone) for locale in Locale}


# A verdict's times are kept as ISO 8601 (UTC) and written for the reader: the permit's start
# and end with their date and the zone's offset, sunrise and sunset as a time of day.
DATED = frozenset({"exp", "nbf"})
TIMES_OF_DAY = frozenset({"sunrise", "sunset"})


def _on_the_clock(params: Mapping[str, str], locale: Locale, zone: tzinfo) -> dict[str, str]:
    shown = dict(params)
    for key, value in params.items():
        moment = localtime.parse_moment(value) if key in DATED | TIMES_OF_DAY else None
        if moment is None:
            continue
        if key in DATED:
            offset = localtime.offset_of(zone, moment)
            shown[key] = f"{localtime.when(moment, locale, zone)} ({offset})"
        else:
            shown[key] = localtime.local(moment, zone).strftime("%H:%M")
    return shown


def _stamp(value: datetime) -> str:
    return ensure_utc(value).isoformat(timespec="minutes")


_clock = _stamp


def data_current_at(trust: TrustList, revocations: RevocationState | None) -> datetime:
    """When the data was last current (see "Data age" above): the newest revocation delta's
    issue time, or the trust list's when there is no revocation data."""
    if revocations is not None and revocations.as_of is not None:
        return revocations.as_of
    return trust.issued_at


def verify(
    text: str,
    *,
    trust: TrustList,
    revocations: RevocationState | None,
    at: datetime,
    checkpoint: str | None = None,
    data_as_of: datetime | None = None,
    max_data_age: timedelta = DEFAULT_MAX_DATA_AGE,
    hard_data_age: timedelta = DEFAULT_HARD_DATA_AGE,
    position: tuple[float, float] | None = None,
) -> Verdict:
    """The verdict on token ``text`` at time ``at``, from trust and revocation data alone.

    ``data_as_of`` is when the data was last current; by default :func:`data_current_at`.
    ``max_data_age`` is the warning threshold (``data_old``), ``hard_data_age`` the limit past
    which the verdict is ``stale``."""
    at = ensure_utc(at)
    if data_as_of is None:
        data_as_of = data_current_at(trust, revocations)
    data_age = at - ensure_utc(data_as_of)
    try:
        token = decode(text)
    except PermitTokenMalformed:
        return Verdict(
            VerdictStatus.MALFORMED,
            REASONS[VerdictStatus.MALFORMED],
            data_age=data_age,
            findings=(VerdictStatus.MALFORMED,),
        )
    claims = token.claims
    found: set[VerdictStatus] = set()
    params: dict[str, str] = {}

    good: dict[bytes, int] = {}
    for signature in token.signatures:
        known = trust.lookup(signature.kid)
        if known is None:
            continue
        entry, key = known
        if (
            entry.alg == signature.alg
            and ROLE_PERMITS in entry.roles
            and entry.trusted_at(claims.iat)
            and verify_signature(
                key, signature.alg, token.to_be_signed(signature), signature.signature
            )
        ):
            good[signature.kid] = good.get(signature.kid, 0) + 1
        else:
            found.add(VerdictStatus.FORGED)

    authorities: list[str] = []
    for kid in claims.required_kids:
        known = trust.lookup(kid)
        if known is None:
            found.add(VerdictStatus.UNKNOWN_KEY)
            continue
        count = good.get(kid, 0)
        if count > 1:
            found.add(VerdictStatus.FORGED)
        elif count == 0 or known[0].authority in authorities:
            found.add(VerdictStatus.MISSING_SIGNATURE)
        else:
            authorities.append(known[0].authority)

    if revocations is not None:
        record = revocations.status_of(claims.cti, claims.version)
        if record is not None:
            found.add(
                VerdictStatus.REVOKED
                if record.status is RevocationStatus.REVOKED
                else VerdictStatus.SUSPENDED
            )
            params["reason"] = record.reason
    if at >= claims.exp:
        found.add(VerdictStatus.EXPIRED)
    if at < claims.nbf:
        found.add(VerdictStatus.NOT_YET_VALID)
    if checkpoint is not None and claims.checkpoints:
        wanted = checkpoint.strip().casefold()
        if all(code.casefold() != wanted for code in claims.checkpoints):
            found.add(VerdictStatus.OFF_ROUTE)
    for condition in claims.conditions:
        if condition.kind == VIA_CHECKPOINTS and checkpoint is not None:
            via = [code.strip().casefold() for code in condition.detail.split(",") if code.strip()]
            if via and checkpoint.strip().casefold() not in via:
                found.add(VerdictStatus.CONDITION_VIA)
                params["via"] = condition.detail
        elif condition.kind == DAYLIGHT_ONLY and position is not None:
            lon, lat = position
            if not in_daylight(at, lat, lon):
                found.add(VerdictStatus.CONDITION_DAYLIGHT)
                times = sun_times((at + timedelta(minutes=4.0 * lon)).date(), lat, lon)
                params["sunrise"] = "-" if times is None else _clock(times[0])
                params["sunset"] = "-" if times is None else _clock(times[1])
    reason_override = None
    if revocations is None or revocations.as_of is None:
        found.add(VerdictStatus.STALE)
        reason_override = NO_REVOCATIONS
    elif data_age > hard_data_age:
        found.add(VerdictStatus.STALE)
    data_old = revocations is not None and revocations.as_of is not None
    data_old = data_old and max_data_age < data_age <= hard_data_age

    findings = tuple(status for status in PRECEDENCE if status in found)
    status = findings[0] if findings else VerdictStatus.VALID
    params.update(
        exp=_stamp(claims.exp),
        nbf=_stamp(claims.nbf),
        checkpoint=checkpoint or "",
        count=str(int(data_age.total_seconds() // 3600)),
    )
    reason = REASONS[status]
    if status is VerdictStatus.STALE and reason_override is not None:
        reason = reason_override
    return Verdict(
        status,
        reason,
        data_age,
        params=params,
        claims=claims,
        findings=findings,
        authorities=tuple(authorities),
        data_old=data_old,
    )
