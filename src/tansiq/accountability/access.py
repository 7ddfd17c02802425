"""Who sees which figures. One condition per line; every route, page and command asks here.

The municipality and the hub's admins see every authority's figures; each authority sees its
own and the totals over all; traders and organisations see none. The cases behind a figure
are filtered apart, by what the reader may see of each case (clearances.access for
applications, checkpoints.access for scans).
"""

from __future__ import annotations

from dataclasses import dataclass

from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal


def can_view_figures(principal: Principal) -> bool:
    if is_hub_admin(principal):
        return True
    if principal.party_kind is PartyKind.MUNICIPALITY:
        return True
    return principal.party_kind is PartyKind.AUTHORITY


def sees_every_authority(principal: Principal) -> bool:
    if is_hub_admin(principal):
        return True
    return principal.party_kind is PartyKind.MUNICIPALITY


@dataclass(frozen=True)
class FigureSight:
    """Whose figures a reader sees row by row (None: every authority's); totals are for all."""

    authority_id: int | None


def figure_sight(principal: Principal) -> FigureSight:
    """Only for a principal who ``can_view_figures``."""
    return FigureSight(None if sees_every_authority(principal) else principal.party_id)
