"""An application's versions: storing one, reading one back as input, merging an amendment
into it, and telling which parts an amendment changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.clearances.content import Content, hash_id_number
from tansiq.clearances.domain import ChangedPart
from tansiq.clearances.ledger_facts import VERSION, version_content
from tansiq.clearances.models import ApplicationRecord, ApplicationVersionRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import AmendmentIn, ApplicationIn, CargoLineIn, DriverIn, VehicleIn
from tansiq.ledger.service import record_entry
from tansiq.parties.domain import Principal


def store_version(
    session: Session,
    application: ApplicationRecord,
    number: int,
    content: Content,
    route: dict[str, Any],
    principal: Principal,
    *,
    changed: list[str],
) -> None:
    salt, digest = hash_id_number(content.driver_id_number)
    version = ApplicationVersionRecord(
        application_id=application.id,
        number=number,
        content=content.data,
        route_geojson=route,
        corridor_m=content.corridor_m,
        driver_id_number=content.driver_id_number,
        driver_id_salt=salt,
        driver_id_hash=digest,
        changed=changed,
        created_at=application.updated_at,
        created_by=principal.user_id,
    )
    ClearanceRepository(session).add(version)
    record_entry(
        session,
        kind=VERSION,
        subject=f"application:{application.id}",
        content=version_content(version),
        at=application.updated_at,
    )


def input_of(version: ApplicationVersionRecord) -> ApplicationIn:
    data = version.content
    by_checkpoints = bool(data.get("checkpoints"))
    application = version.application_id
    return ApplicationIn(
        client_reference=f"version-{application}-{version.number}",
        vehicle=VehicleIn(**{k: v for k, v in data["vehicle"].items() if v is not None}),
        driver=DriverIn(
            name_ar=data["driver"]["name_ar"],
            name_latin=data["driver"]["name_latin"],
            id_number=version.driver_id_number,
        ),
        cargo=[
            CargoLineIn(**{k: v for k, v in line.items() if v is not None})
            for line in data["cargo"]
        ],
        seals=data["seals"],
        origin=data["origin"],
        destination=data["destination"],
        route=None if by_checkpoints else version.route_geojson,
        checkpoints=data["checkpoints"] if by_checkpoints else None,
        corridor_m=version.corridor_m,
        valid_from=_window_of(version)[0],
        valid_until=_window_of(version)[1],
    )


def _window_of(version: ApplicationVersionRecord) -> tuple[Any, Any]:
    window = version.content.get("window", {})
    return window.get("valid_from"), window.get("valid_until")


def merge_amendment(current: ApplicationIn, body: AmendmentIn) -> ApplicationIn:
    updates = body.model_dump(exclude_unset=True, exclude={"expected_version", "note"})
    # A new route replaces the old one in whichever form it was given.
    if updates.get("route") is not None:
        updates["checkpoints"] = None
    elif updates.get("checkpoints") is not None:
        updates["route"] = None
    merged = current.model_dump()
    merged.update(updates)
    return ApplicationIn.model_validate(merged)


def changed_parts(
    old: ApplicationVersionRecord, new: Content, route: dict[str, Any]
) -> set[ChangedPart]:
    before, after = old.content, new.data
    changed = set()
    if before["vehicle"] != after["vehicle"]:
        changed.add(ChangedPart.VEHICLE)
    if before["driver"] != after["driver"] or old.driver_id_number != new.driver_id_number:
        changed.add(ChangedPart.DRIVER)
    if before["cargo"] != after["cargo"]:
        changed.add(ChangedPart.CARGO)
    if (
        old.route_geojson != route
        or old.corridor_m != new.corridor_m
        or before.get("checkpoints") != after.get("checkpoints")
    ):
        changed.add(ChangedPart.ROUTE)
    if _window_of(old) != (new.valid_from.isoformat(), new.valid_until.isoformat()):
        changed.add(ChangedPart.WINDOW)
    if any(before[k] != after[k] for k in ("seals", "origin", "destination")):
        changed.add(ChangedPart.DETAILS)
    return changed
