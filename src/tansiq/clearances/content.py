"""What an application says, checked and normalised: vehicle, driver, cargo, route, window.

Every problem is collected with the path of the field, so the applicant can fix them all at
once; nothing here touches the database (checkpoint lookups come in as a mapping).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tansiq.clearances.identifiers import (
    normalise_container,
    normalise_hs_code,
    normalise_plate,
    normalise_un_number,
    normalise_vin,
)
from tansiq.clearances.schemas import ApplicationIn, CargoLineIn, DriverIn, VehicleIn
from tansiq.core.clock import ensure_utc
from tansiq.core.errors import ErrorDetail, TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.core.text import normalise_text
from tansiq.permits.id_hash import SALT_LENGTH, normalise_id_number
from tansiq.permits.id_hash import hash_id_number as token_hash_id_number


class ApplicationInvalid(TansiqError):
    code = "application.invalid"
    message = N_("The application is not valid; nothing was stored.")


@dataclass(frozen=True)
class Policy:
    max_validity: timedelta
    default_corridor_m: float
    max_corridor_m: float


@dataclass(frozen=True)
class Content:
    """A checked application: the JSON stored per version, the route, the driver's ID."""

    data: dict[str, Any]
    route: dict[str, Any] | None
    checkpoint_codes: tuple[str, ...]
    corridor_m: float
    valid_from: datetime
    valid_until: datetime
    driver_id_number: str


class _Problems:
    def __init__(self) -> None:
        self.found: list[ErrorDetail] = []

    def add(self, path: str, code: str, message: str, **params: Any) -> None:
        self.found.append(ErrorDetail(code=code, message=message, params=params, path=path))

    def text(self, value: str, path: str, limit: int, *, required: bool = True) -> str:
        """``value`` normalised, checked again for length: NFC can lengthen text."""
        text = normalise_text(value)
        if required and not text:
            self.add(path, "application.text_required", N_("This text is required."))
        if len(text) > limit:
            self.add(
                path,
                "application.text_too_long",
                NP_(
                    "This text may have at most {count} character.",
                    "This text may have at most {count} characters.",
                ),
                count=limit,
            )
        return text


def hash_id_number(id_number: str, salt: str | None = None) -> tuple[str, str]:
    """``(salt, hash)`` in hex, as the permit token carries them (one algorithm, in
    :mod:`tansiq.permits.id_hash`). The salt differs per application version, so two permits of
    one driver cannot be linked."""
    salt = salt or secrets.token_hex(SALT_LENGTH)
    return salt, token_hash_id_number(id_number, bytes.fromhex(salt)).hex()


def check_content(
    body: ApplicationIn, *, now: datetime, policy: Policy, known_checkpoints: Mapping[str, Any]
) -> Content:
    """Check and normalise ``body``; raise :class:`ApplicationInvalid` with every problem."""
    problems = _Problems()
    vehicle = _vehicle(body.vehicle, problems)
    driver, id_number = _driver(body.driver, problems)
    cargo = [_cargo_line(line, f"cargo[{i}]", problems) for i, line in enumerate(body.cargo)]
    seals = [problems.text(seal, f"seals[{i}]", 50) for i, seal in enumerate(body.seals)]
    origin = problems.text(body.origin, "origin", 200)
    destination = problems.text(body.destination, "destination", 200)
    codes = _route_choice(body.route, body.checkpoints, known_checkpoints, problems)
    corridor = policy.default_corridor_m if body.corridor_m is None else body.corridor_m
    start, end = _window(body.valid_from, body.valid_until, now, policy, problems)
    if problems.found:
        raise ApplicationInvalid(problems.found)
    data = {
        "vehicle": vehicle,
        "driver": driver,
        "cargo": cargo,
        "seals": seals,
        "origin": origin,
        "destination": destination,
        "checkpoints": list(codes),
        "window": {"valid_from": start.isoformat(), "valid_until": end.isoformat()},
    }
    return Content(
        data=data,
        route=body.route,
        checkpoint_codes=codes,
        corridor_m=corridor,
        valid_from=start,
        valid_until=end,
        driver_id_number=id_number,
    )


def _vehicle(vehicle: VehicleIn, problems: _Problems) -> dict[str, Any]:
    plate = normalise_plate(normalise_text(vehicle.plate))
    if plate is None:
        problems.add(
            "vehicle.plate",
            "vehicle.bad_plate",
            N_("A plate is 2 to 15 letters and digits (spaces and dashes are ignored)."),
        )
    vin = None if vehicle.vin is None else normalise_vin(vehicle.vin)
    if vehicle.vin is not None and vin is None:
        problems.add(
            "vehicle.vin",
            "vehicle.bad_vin",
            N_(
                "This is not a valid 17-character VIN (its check digit fails or it uses I, O or Q)."
            ),
        )
    container = (
        None if vehicle.container_number is None else normalise_container(vehicle.container_number)
    )
    if vehicle.container_number is not None and container is None:
        problems.add(
            "vehicle.container_number",
            "vehicle.bad_container",
            N_(
                "This is not a valid ISO 6346 container number (e.g. CSQU3054383); "
                "check the last digit."
            ),
        )
    return {"plate": plate, "kind": vehicle.kind.value, "vin": vin, "container_number": container}


def _driver(driver: DriverIn, problems: _Problems) -> tuple[dict[str, Any], str]:
    name_ar = problems.text(driver.name_ar, "driver.name_ar", 200, required=False)
    name_latin = problems.text(driver.name_latin, "driver.name_latin", 200, required=False)
    if not name_ar and not name_latin:
        problems.add(
            "driver",
            "driver.name_required",
            N_("The driver's name is needed in Arabic or Latin script."),
        )
    id_number = normalise_id_number(normalise_text(driver.id_number))
    if not 3 <= len(id_number) <= 40 or not id_number.isalnum():
        problems.add(
            "driver.id_number",
            "driver.bad_id_number",
            N_("An ID number is 3 to 40 letters and digits."),
        )
    return {"name_ar": name_ar, "name_latin": name_latin}, id_number


def _cargo_line(line: CargoLineIn, path: str, problems: _Problems) -> dict[str, Any]:
    description = problems.text(line.description, f"{path}.description", 500)
    hs_code = None if line.hs_code is None else normalise_hs_code(line.hs_code)
    if line.hs_code is not None and hs_code is None:
        problems.add(
            f"{path}.hs_code",
            "cargo.bad_hs_code",
            N_("An HS code has six digits (e.g. 1001.99 or 100199)."),
        )
    un_number = None if line.un_number is None else normalise_un_number(line.un_number)
    if line.un_number is not None and un_number is None:
        problems.add(
            f"{path}.un_number",
            "cargo.bad_un_number",
            N_("A UN number for dangerous goods is four digits (e.g. UN1203)."),
        )
    return {
        "description": description,
        "hs_code": hs_code,
        "quantity": line.quantity,
        "unit": line.unit.value,
        "gross_mass_kg": line.gross_mass_kg,
        "un_number": un_number,
    }


def _route_choice(
    route: dict[str, Any] | None,
    checkpoints: list[str] | None,
    known: Mapping[str, Any],
    problems: _Problems,
) -> tuple[str, ...]:
    if (route is None) == (checkpoints is None):
        problems.add(
            "route",
            "application.route_choice",
            N_(
                'Give the route either as a GeoJSON "route" or as a list of '
                '"checkpoints" in order, not both.'
            ),
        )
        return ()
    if checkpoints is None:
        return ()
    codes = tuple(normalise_text(code) for code in checkpoints)
    if len(codes) < 2:
        problems.add(
            "checkpoints",
            "application.too_few_checkpoints",
            N_("A route through checkpoints names at least two of them."),
        )
    for index, code in enumerate(codes):
        if code not in known:
            problems.add(
                f"checkpoints[{index}]",
                "checkpoint.not_found",
                N_('No checkpoint "{checkpoint}".'),
                checkpoint=code[:40],
            )
    return codes


def _window(
    valid_from: datetime,
    valid_until: datetime,
    now: datetime,
    policy: Policy,
    problems: _Problems,
) -> tuple[datetime, datetime]:
    start, end = ensure_utc(valid_from), ensure_utc(valid_until)
    if end <= start:
        problems.add(
            "valid_until",
            "window.ends_before_start",
            N_("The validity window must end after it starts."),
        )
    elif end - start > policy.max_validity:
        problems.add(
            "valid_until",
            "window.too_long",
            NP_(
                "The validity window may last at most {count} day.",
                "The validity window may last at most {count} days.",
            ),
            count=policy.max_validity.days,
        )
    if end <= now:
        problems.add(
            "valid_until", "window.in_the_past", N_("The validity window has already ended.")
        )
    return start, end
