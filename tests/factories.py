"""Real rows for tests, made through the services (no mocks of our own database)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.text import BilingualText
from tansiq.parties.domain import PartyKind
from tansiq.parties.models import PartyRecord
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import create_party, issue_token

_counter = itertools.count(1)


def party(
    session: Session, clock: Clock, kind: PartyKind = PartyKind.AUTHORITY, code: str | None = None
) -> PartyRecord:
    code = code or f"party-{next(_counter)}"
    return create_party(
        session,
        code=code,
        kind=kind,
        name=BilingualText(f"جهة {code}", f"Party {code}"),
        clock=clock,
    )


def token_for(session: Session, clock: Clock, username: str) -> dict[str, str]:
    """Authorization headers for an existing (e.g. demo) user."""
    user = PartyRepository(session).user_by_username(username)
    assert user is not None, username
    issued = issue_token(session, user, name="test", clock=clock, ttl=None)
    session.commit()
    return {"Authorization": f"Bearer {issued.secret}"}


def square(lon: float, lat: float, size: float = 0.01, **properties: Any) -> dict[str, Any]:
    """A counter-clockwise square Feature with its south-west corner at lon, lat."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def line(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}
