"""The trader's application form as plain values: read from the posted form, turned into the
API's own input models (so the pages check exactly what the API checks), and every problem
kept with the path of its field, so the form comes back with what was typed and where it went
wrong."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tansiq.clearances.models import ApplicationVersionRecord
from tansiq.core.errors import ErrorDetail, TansiqError
from tansiq.core.i18n import N_, Locale, translate
from tansiq.core.localtime import input_value, parse_input
from tansiq.geo.service import RouteInvalid
from tansiq.web.screen import Form, one

M = TypeVar("M", bound=BaseModel)
MAX_ROWS = 50  # at most this many checkpoints or cargo lines come back to the form


class FormInvalid(TansiqError):
    code = "form.invalid"
    message = N_("Some fields need attention; nothing was stored. Your entries are kept below.")


class RouteNotDrawn(TansiqError):
    code = "route.not_drawn"
    message = N_("Draw the route on the map: at least two points.")


class TooFewCheckpoints(TansiqError):
    code = "application.too_few_checkpoints"
    message = N_("A route through checkpoints names at least two of them.")


# What the shared pydantic models report, said in the reader's language with our own codes.
PYDANTIC = {
    "missing": ("form.required", N_("This field is required.")),
    "string_too_short": ("form.required", N_("This field is required.")),
    "string_too_long": ("form.too_long", N_("This text is too long.")),
    "float_parsing": ("form.number", N_("Enter a number.")),
    "float_type": ("form.number", N_("Enter a number.")),
    "finite_number": ("form.number", N_("Enter a number.")),
    "greater_than_equal": ("form.out_of_range", N_("This number is outside the allowed range.")),
    "less_than_equal": ("form.out_of_range", N_("This number is outside the allowed range.")),
    "enum": ("form.choice", N_("Choose one of the listed values.")),
    "too_short": ("form.cargo_required", N_("Add at least one line.")),
    "too_long": ("form.too_many", N_("There are too many lines.")),
}
INVALID = ("form.invalid_value", N_("This value is not valid."))
BAD_TIME = ("form.bad_time", N_("Enter a date and time."))
BAD_ROUTE = (RouteInvalid.code, RouteInvalid.message)


def _cargo_row(
    description: str = "",
    hs_code: str = "",
    quantity: str = "",
    unit: str = "",
    gross_mass_kg: str = "",
    un_number: str = "",
) -> dict[str, str]:
    return {
        "description": description,
        "hs_code": hs_code,
        "quantity": quantity,
        "unit": unit,
        "gross_mass_kg": gross_mass_kg,
        "un_number": un_number,
    }


CARGO_FIELDS = tuple(_cargo_row())


@dataclass
class Values:
    """What the form holds, as text, exactly as typed."""

    client_reference: str = ""
    origin: str = ""
    destination: str = ""
    route_mode: str = "checkpoints"
    checkpoints: list[str] = field(default_factory=lambda: ["", ""])
    route: str = ""
    corridor_m: str = ""
    vehicle_plate: str = ""
    vehicle_kind: str = "truck"
    vehicle_vin: str = ""
    vehicle_container: str = ""
    driver_name_ar: str = ""
    driver_name_latin: str = ""
    driver_id_number: str = ""
    cargo: list[dict[str, str]] = field(default_factory=lambda: [_cargo_row()])
    seals: str = ""
    valid_from: str = ""
    valid_until: str = ""
    note: str = ""


def read_values(form: Form) -> Values:
    def text(name: str) -> str:
        return one(form, name) or ""

    columns = {name: form.get(f"cargo_{name}", []) for name in CARGO_FIELDS}
    rows = max((len(c) for c in columns.values()), default=0)
    cargo = [
        _cargo_row(**{n: (c[i] if i < len(c) else "") for n, c in columns.items()})
        for i in range(min(rows, MAX_ROWS))
    ]
    cargo = [row for row in cargo if any(v.strip() for v in row.values())] or [_cargo_row()]
    return Values(
        client_reference=text("client_reference"),
        origin=text("origin"),
        destination=text("destination"),
        route_mode="drawn" if text("route_mode") == "drawn" else "checkpoints",
        checkpoints=form.get("checkpoint", [])[:MAX_ROWS],
        route=text("route"),
        corridor_m=text("corridor_m"),
        vehicle_plate=text("vehicle_plate"),
        vehicle_kind=text("vehicle_kind"),
        vehicle_vin=text("vehicle_vin"),
        vehicle_container=text("vehicle_container"),
        driver_name_ar=text("driver_name_ar"),
        driver_name_latin=text("driver_name_latin"),
        driver_id_number=text("driver_id_number"),
        cargo=cargo,
        seals=text("seals"),
        valid_from=text("valid_from"),
        valid_until=text("valid_until"),
        note=text("note"),
    )


def apply_op(values: Values, op: str) -> None:
    """The list edits the page's buttons make, for a browser without scripts."""
    kind, _, position = op.rpartition("-")
    index = int(position) if position.isdigit() else -1
    stops, cargo = values.checkpoints, values.cargo
    if op == "cp-add" and len(stops) < MAX_ROWS:
        stops.append("")
    elif op == "cargo-add" and len(cargo) < MAX_ROWS:
        cargo.append(_cargo_row())
    elif kind == "cp-remove" and 0 <= index < len(stops):
        del stops[index]
    elif kind == "cp-up" and 0 < index < len(stops):
        stops[index - 1], stops[index] = stops[index], stops[index - 1]
    elif kind == "cp-down" and 0 <= index < len(stops) - 1:
        stops[index + 1], stops[index] = stops[index], stops[index + 1]
    elif kind == "cargo-remove" and 0 <= index < len(cargo) and len(cargo) > 1:
        del cargo[index]


def parse_time(text: str, zone: tzinfo) -> datetime | None:
    """A ``datetime-local`` value read on the town's clock (the form names the zone); an
    offset, if given, counts."""
    return parse_input(text, zone)


def show_time(value: datetime, zone: tzinfo) -> str:
    return input_value(value, zone)


def parse_route(text: str) -> dict[str, Any] | None:
    try:
        route = json.loads(text)
    except ValueError:
        return None
    return route if isinstance(route, dict) else None


def stops_of(values: Values) -> list[str]:
    return [code.strip() for code in values.checkpoints if code.strip()]


@dataclass
class Problems:
    """Per-field problems by path (``vehicle.plate``, ``cargo[0].quantity``)."""

    by_path: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, path: str, code: str, message: str, **params: Any) -> None:
        self.by_path.setdefault(path, (code, message, params))

    def add_details(self, details: list[ErrorDetail]) -> None:
        for detail in details:
            self.add(detail.path or "form", detail.code, detail.message, **dict(detail.params))

    def add_validation(self, error: ValidationError) -> None:
        for found in error.errors():
            code, message = PYDANTIC.get(found["type"], INVALID)
            self.add(path_of(found["loc"]), code, message)

    def render(self, locale: Locale) -> dict[str, dict[str, str]]:
        return {
            path: {
                "code": code,
                "message": translate(message, locale, **params),
                "id": anchor(path),
            }
            for path, (code, message, params) in self.by_path.items()
        }


def path_of(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def anchor(path: str) -> str:
    """The id of the field a path names, as the template writes it."""
    shown = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "form"
    return "route-section" if shown == "route" else shown


def body_of(values: Values, problems: Problems, *, draft: bool, zone: tzinfo) -> dict[str, Any]:
    """The API's input, as a dict; what cannot even be read is a problem already."""
    body: dict[str, Any] = {
        "client_reference": values.client_reference,
        "origin": values.origin,
        "destination": values.destination,
        "vehicle": {
            "plate": values.vehicle_plate,
            "kind": values.vehicle_kind,
            "vin": values.vehicle_vin.strip() or None,
            "container_number": values.vehicle_container.strip() or None,
        },
        "driver": {
            "name_ar": values.driver_name_ar,
            "name_latin": values.driver_name_latin,
            "id_number": values.driver_id_number,
        },
        "cargo": [
            {
                "description": row["description"],
                "hs_code": row["hs_code"].strip() or None,
                "quantity": row["quantity"].strip() or None,
                "unit": row["unit"],
                "gross_mass_kg": row["gross_mass_kg"].strip() or None,
                "un_number": row["un_number"].strip() or None,
            }
            for row in values.cargo
            if any(v.strip() for v in row.values())
        ],
        "seals": [seal.strip() for seal in values.seals.split(",") if seal.strip()],
        "submit": not draft,
    }
    if values.corridor_m.strip():
        body["corridor_m"] = values.corridor_m.strip()
    for name in ("valid_from", "valid_until"):
        moment = parse_time(getattr(values, name), zone)
        if moment is None:
            problems.add(name, *BAD_TIME)
        body[name] = moment
    if values.route_mode == "drawn":
        route = parse_route(values.route) if values.route.strip() else None
        if not values.route.strip():
            problems.add("route", RouteNotDrawn.code, RouteNotDrawn.message)
        elif route is None:
            problems.add("route", *BAD_ROUTE)
        body["route"] = route
    else:
        body["checkpoints"] = stops_of(values)
        if len(body["checkpoints"]) < 2:
            problems.add("checkpoints", TooFewCheckpoints.code, TooFewCheckpoints.message)
    return body


def model_of(kind: type[M], body: dict[str, Any], problems: Problems) -> M | None:
    """``body`` as the API's model, or ``None`` with every problem recorded."""
    try:
        model = kind.model_validate(body)
    except ValidationError as error:
        problems.add_validation(error)
        return None
    return None if problems.by_path else model


def plain(number: float) -> str:
    text = repr(float(number))
    return text[:-2] if text.endswith(".0") else text


FIELDS = {
    "origin": "origin",
    "destination": "destination",
    "route": "route",
    "checkpoints": "route",
    "corridor_m": "corridor",
    "vehicle": "vehicle",
    "vehicle.plate": "plate",
    "vehicle.kind": "vehicle_kind",
    "vehicle.vin": "vin",
    "vehicle.container_number": "container",
    "driver": "driver",
    "driver.name_ar": "driver_name_ar",
    "driver.name_latin": "driver_name_latin",
    "driver.id_number": "id_number",
    "cargo": "cargo",
    "description": "description",
    "quantity": "quantity",
    "unit": "unit",
    "gross_mass_kg": "gross_mass",
    "hs_code": "hs_code",
    "un_number": "un_number",
    "seals": "seals",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "note": "amend_note",
}
INDEXED = re.compile(r"^(cargo|checkpoints|seals)\[(\d+)\]\.?(.*)$")


def named(problems: dict[str, dict[str, str]], words: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each problem with the name of its field as the form labels it, for the summary."""
    for path, problem in problems.items():
        found = INDEXED.match(path)
        if found is None:
            problem["field"] = words.get(FIELDS.get(path, ""), "")
            continue
        kind, index, rest = found.groups()
        n = str(int(index) + 1)
        if kind == "checkpoints":
            problem["field"] = words["stop_n"].replace("{n}", n)
        elif kind == "seals":
            problem["field"] = words["seals"]
        else:
            line = words["cargo_line_n"].replace("{n}", n)
            problem["field"] = f"{line}, {words.get(FIELDS.get(rest, ''), '')}".rstrip(", ")
    return problems


def values_of(version: ApplicationVersionRecord, client_reference: str, zone: tzinfo) -> Values:
    """The form filled with a stored version, for amending it."""
    data = version.content
    window = data.get("window", {})
    by_checkpoints = bool(data.get("checkpoints"))
    return Values(
        client_reference=client_reference,
        origin=data["origin"],
        destination=data["destination"],
        route_mode="checkpoints" if by_checkpoints else "drawn",
        checkpoints=list(data["checkpoints"]) if by_checkpoints else ["", ""],
        route="" if by_checkpoints else json.dumps(version.route_geojson),
        corridor_m=plain(version.corridor_m),
        vehicle_plate=data["vehicle"]["plate"],
        vehicle_kind=data["vehicle"]["kind"],
        vehicle_vin=data["vehicle"].get("vin") or "",
        vehicle_container=data["vehicle"].get("container_number") or "",
        driver_name_ar=data["driver"]["name_ar"],
        driver_name_latin=data["driver"]["name_latin"],
        driver_id_number=version.driver_id_number,
        cargo=[
            {
                "description": line["description"],
                "hs_code": line.get("hs_code") or "",
                "quantity": plain(line["quantity"]),
                "unit": line["unit"],
                "gross_mass_kg": plain(line["gross_mass_kg"]),
                "un_number": line.get("un_number") or "",
            }
            for line in data["cargo"]
        ],
        seals=", ".join(data.get("seals", [])),
        valid_from=show_time(datetime.fromisoformat(window["valid_from"]), zone),
        valid_until=show_time(datetime.fromisoformat(window["valid_until"]), zone),
    )
