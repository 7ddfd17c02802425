"""The claims a permit's token carries, built from the application, and their signing."""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from sqlalchemy.orm import Session

from tansiq.clearances.models import ApplicationRecord, PermitRecord, ReviewRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import Clock
from tansiq.geo.repository import GeoRepository
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.permits.claims import Condition, Driver, PermitClaims, Vehicle
from tansiq.permits.models import PermitTokenRecord
from tansiq.permits.service import issue_token

MAX_CARGO_SUMMARY = 200


def permit_claims(
    session: Session, application: ApplicationRecord, permit: PermitRecord
) -> PermitClaims:
    """What the token says: vehicle, driver (salted ID hash only), cargo summary, route and
    checkpoints in route order, conditions. Required kids are filled in when signing."""
    repo = ClearanceRepository(session)
    version = repo.version(application.id, permit.application_version)
    assert version is not None  # noqa: S101 - a permit names an existing version
    data = version.content
    coords = [tuple(point[:2]) for point in version.route_geojson["coordinates"]]
    hubs = PartyRepository(session).parties(PartyKind.HUB.value)
    driver = data["driver"]
    return PermitClaims(
        issuer=hubs[0].code if hubs else "tansiq",
        cti=f"P-{application.id:06d}",
        version=permit.version,
        iat=permit.issued_at,
        nbf=permit.valid_from,
        exp=permit.valid_until,
        vehicle=Vehicle(plate=data["vehicle"]["plate"], kind=data["vehicle"]["kind"]),
        driver=Driver(
            name=driver["name_latin"] or driver["name_ar"],
            id_hash=bytes.fromhex(version.driver_id_hash),
            id_salt=bytes.fromhex(version.driver_id_salt),
        ),
        cargo=_cargo_summary(data["cargo"]),
        required_kids=(b"\x00" * 8,),
        route=tuple((float(x), float(y)) for x, y in coords),
        checkpoints=_checkpoints_in_order(session, repo.reviews(application.id), coords),
        conditions=tuple(
            Condition(
                kind=c["kind"], detail=", ".join(c.get("checkpoints", [])) or c.get("text", "")
            )
            for c in permit.conditions
        ),
    )


def sign_permit(
    session: Session,
    application: ApplicationRecord,
    permit: PermitRecord,
    secret: str,
    clock: Clock,
) -> PermitTokenRecord:
    return issue_token(
        session,
        permit_id=permit.id,
        claims=permit_claims(session, application, permit),
        authority_ids=list(permit.authority_ids),
        secret=secret,
        clock=clock,
    )


def _cargo_summary(cargo: list[dict[str, object]]) -> str:
    parts = [
        f"{line['quantity']:g} {line['unit']} {line['description']}"
        + (f" ({line['un_number']})" if line.get("un_number") else "")
        for line in cargo
    ]
    summary = "; ".join(parts)
    return summary if len(summary) <= MAX_CARGO_SUMMARY else summary[: MAX_CARGO_SUMMARY - 1] + "…"


def _checkpoints_in_order(
    session: Session, reviews: Sequence[ReviewRecord], coords: list[tuple[float, ...]]
) -> tuple[str, ...]:
    codes = {
        code
        for review in reviews
        if review.status != "dropped"
        for code in review.required_by.get("checkpoints", [])
    }
    known = GeoRepository(session).checkpoints_by_codes(codes)
    line = shapely.LineString(coords)
    along = {code: line.project(shapely.Point(cp.lon, cp.lat)) for code, cp in known.items()}
    return tuple(sorted(along, key=lambda code: (along[code], code)))
