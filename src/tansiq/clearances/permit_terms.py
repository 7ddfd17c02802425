"""An application's permit as plain values: the terms ``permits`` issues it on, built from the
application's current version and its approving reviews, and the facts its printed page
shows. ``permits`` knows nothing of applications; this is where they meet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

import shapely
from sqlalchemy.orm import Session

from tansiq.clearances.domain import ReviewStatus
from tansiq.clearances.models import ApplicationRecord, ReviewRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import Clock
from tansiq.core.i18n import Locale
from tansiq.geo.repository import GeoRepository
from tansiq.permits.claims import Vehicle
from tansiq.permits.domain import Condition
from tansiq.permits.lifecycle import issuer_code
from tansiq.permits.models import PermitRecord
from tansiq.permits.printing import render_printable
from tansiq.permits.terms import CargoLine, Holder, PermitFacts, PermitTerms, permit_claims


def permit_terms(
    session: Session, application: ApplicationRecord, reviews: Sequence[ReviewRecord]
) -> PermitTerms:
    """The permit every approving authority signs: the current version's facts, the
    application's window, each approval's conditions."""
    approved = [r for r in reviews if r.status is ReviewStatus.APPROVED]
    return PermitTerms(
        reference=application.id,
        reference_version=application.current_version,
        facts=permit_facts(session, application, application.current_version, reviews),
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        authority_ids=tuple(r.authority_id for r in approved),
        conditions=tuple(
            (r.authority_id, Condition.from_json(c)) for r in approved for c in r.conditions
        ),
    )


def ensure_permit_fits(session: Session, application: ApplicationRecord, clock: Clock) -> None:
    """Refuse now, with a coded error, what could never be issued: the permit signed by every
    authority still concerned, with every condition set so far, must fit its QR code (the
    route simplified within the corridor if need be)."""
    reviews = ClearanceRepository(session).reviews(application.id)
    signing = [r for r in reviews if r.status is not ReviewStatus.DROPPED]
    if not signing:
        return
    facts = permit_facts(session, application, application.current_version, reviews)
    conditions = tuple(
        Condition.from_json(c)
        for r in signing
        if r.status is ReviewStatus.APPROVED
        for c in r.conditions
    )
    permit_claims(
        facts,
        issuer=issuer_code(session),
        reference=application.id,
        version=application.current_version,
        issued_at=clock.now(),
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        conditions=conditions,
        signers=len(signing),
    )


def permit_facts(
    session: Session,
    application: ApplicationRecord,
    version_number: int,
    reviews: Sequence[ReviewRecord],
) -> PermitFacts:
    """What a permit for ``version_number`` of the application describes: vehicle, driver
    (salted ID hash only), cargo, origin and destination, route, and the checkpoints of the
    reviews in route order."""
    version = ClearanceRepository(session).version(application.id, version_number)
    assert version is not None  # noqa: S101 - a permit names an existing version
    data = version.content
    coords = [(float(point[0]), float(point[1])) for point in version.route_geojson["coordinates"]]
    driver = data["driver"]
    return PermitFacts(
        holder=Holder(
            name_ar=driver["name_ar"],
            name_latin=driver["name_latin"],
            id_hash=bytes.fromhex(version.driver_id_hash),
            id_salt=bytes.fromhex(version.driver_id_salt),
        ),
        vehicle=Vehicle(plate=data["vehicle"]["plate"], kind=data["vehicle"]["kind"]),
        cargo=tuple(
            CargoLine(
                quantity=line["quantity"],
                unit=line["unit"],
                description=line["description"],
                un_number=line.get("un_number"),
            )
            for line in data["cargo"]
        ),
        origin=data["origin"],
        destination=data["destination"],
        route=tuple(coords),
        checkpoints=_checkpoints_in_order(session, reviews, coords),
        corridor_m=version.corridor_m,
    )


def render_permit(
    session: Session,
    application: ApplicationRecord,
    permit: PermitRecord,
    token: str,
    locale: Locale,
    printed_at: datetime | None = None,
    zone: tzinfo = UTC,
) -> str:
    """The printable page of one of the application's permits, its status as of
    ``printed_at``, times on the clock of ``zone``."""
    reviews = ClearanceRepository(session).reviews(application.id)
    facts = permit_facts(session, application, permit.reference_version, reviews)
    return render_printable(session, permit, facts, token, locale, printed_at, zone)


def _checkpoints_in_order(
    session: Session, reviews: Sequence[ReviewRecord], coords: list[tuple[float, float]]
) -> tuple[str, ...]:
    codes = {
        code
        for review in reviews
        if review.status is not ReviewStatus.DROPPED
        for code in review.required_by.get("checkpoints", [])
    }
    known = GeoRepository(session).checkpoints_by_codes(codes)
    line = shapely.LineString(coords)
    along = {code: line.project(shapely.Point(cp.lon, cp.lat)) for code, cp in known.items()}
    return tuple(sorted(along, key=lambda code: (along[code], code)))
