"""The demo data set: a fictional border town on a river, Jisr al-Wadi.

Two authorities hold the two banks of the Wadi river; the west claims the bridge market on
the east bank too, so that strip is contested. The town's own base layers (roads, the river,
built-up areas, place names) make the map readable. A municipality, a trader company and a
humanitarian organisation use the hub, with a user for every role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.text import BilingualText
from tansiq.geo.base_layers import import_base_layer
from tansiq.geo.domain import BaseLayerKind
from tansiq.geo.service import import_checkpoints, import_zone_map
from tansiq.parties.domain import PartyKind, Principal, Role
from tansiq.parties.service import create_party, create_user

DEMO_PASSWORD = "tansiq-demo"  # noqa: S105 - printed for the demo; never used outside it


@dataclass(frozen=True)
class DemoUser:
    username: str
    party: str
    roles: frozenset[Role]
    display_name: str


PARTIES: list[tuple[str, PartyKind, str, str]] = [
    ("hub", PartyKind.HUB, "مركز تنسيق", "Tansiq Hub"),
    ("west-command", PartyKind.AUTHORITY, "القيادة الغربية", "West Command"),
    ("east-force", PartyKind.AUTHORITY, "القوة الشرقية", "East Force"),
    ("municipality", PartyKind.MUNICIPALITY, "بلدية جسر الوادي", "Jisr al-Wadi Municipality"),
    ("wadi-transport", PartyKind.TRADER, "شركة الوادي للنقل", "Al-Wadi Transport Co."),
    ("river-relief", PartyKind.ORGANISATION, "إغاثة النهر", "River Relief"),
]

USERS: list[DemoUser] = [
    DemoUser("admin", "hub", frozenset({Role.ADMIN}), "Hub administrator"),
    DemoUser("west.admin", "west-command", frozenset({Role.ADMIN}), "West Command admin"),
    DemoUser("west.reviewer", "west-command", frozenset({Role.REVIEWER}), "West reviewer"),
    DemoUser(
        "west.officer",
        "west-command",
        frozenset({Role.CHECKPOINT_OFFICER}),
        "West checkpoint officer",
    ),
    DemoUser("west.liaison", "west-command", frozenset({Role.LIAISON}), "West liaison"),
    DemoUser("east.admin", "east-force", frozenset({Role.ADMIN}), "East Force admin"),
    DemoUser("east.reviewer", "east-force", frozenset({Role.REVIEWER}), "East reviewer"),
    DemoUser(
        "east.officer",
        "east-force",
        frozenset({Role.CHECKPOINT_OFFICER}),
        "East checkpoint officer",
    ),
    DemoUser(
        "municipality",
        "municipality",
        frozenset({Role.OBSERVER, Role.ADMIN}),
        "Municipality observer",
    ),
    DemoUser(
        "trader", "wadi-transport", frozenset({Role.APPLICANT, Role.ADMIN}), "Al-Wadi dispatcher"
    ),
    DemoUser(
        "relief", "river-relief", frozenset({Role.LIAISON, Role.APPLICANT}), "River Relief liaison"
    ),
]

# (authority, file, in force from): the west's 2026 map adds its claim on the bridge market.
ZONE_MAPS: list[tuple[str, str, datetime]] = [
    ("west-command", "zones_west_2025.geojson", datetime(2025, 1, 1, tzinfo=UTC)),
    ("east-force", "zones_east.geojson", datetime(2025, 1, 1, tzinfo=UTC)),
    ("west-command", "zones_west_2026.geojson", datetime(2026, 6, 1, tzinfo=UTC)),
]


def demo_file(name: str) -> Any:
    """A demo GeoJSON document, parsed."""
    path = resources.files("tansiq") / "demo" / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


def load_demo(session: Session, clock: Clock, *, base_layers: bool = True) -> list[DemoUser]:
    """Create the demo parties, users, zone maps, checkpoints and the town's base layers
    (roads, the river, built-up areas, place names) in an empty database; without the base
    layers in a database made before they existed (an upgrade's test)."""
    parties = {
        code: create_party(session, code=code, kind=kind, name=BilingualText(ar, en), clock=clock)
        for code, kind, ar, en in PARTIES
    }
    admin: Principal | None = None
    for user in USERS:
        record = create_user(
            session,
            party=parties[user.party],
            username=user.username,
            display_name=user.display_name,
            password=DEMO_PASSWORD,
            roles=user.roles,
            clock=clock,
            locale="ar" if user.party != "hub" else "en",
        )
        if user.username == "admin":
            admin = Principal(
                user_id=record.id,
                username=record.username,
                party_id=record.party_id,
                party_kind=PartyKind.HUB,
                roles=user.roles,
            )
    assert admin is not None  # noqa: S101 - USERS starts with the hub admin
    for authority, name, start in ZONE_MAPS:
        import_zone_map(
            session,
            admin,
            authority=authority,
            document=demo_file(name),
            valid_from=start,
            valid_until=None,
            clock=clock,
            source_name=name,
        )
    import_checkpoints(session, admin, document=demo_file("checkpoints.geojson"), clock=clock)
    for kind in BaseLayerKind if base_layers else ():
        name = f"base_{kind.value}.geojson"
        import_base_layer(
            session, admin, kind=kind, document=demo_file(name), clock=clock, source_name=name
        )
    return USERS
