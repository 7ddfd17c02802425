"""Need-to-know for scan events. One condition per line; every route asks here.

The hub's admins see every scan; an authority sees the scans at the checkpoints it mans; the
municipality, which is told of every contradiction and suspected clone, sees those scans.
"""

from __future__ import annotations

from dataclasses import dataclass

from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal


@dataclass(frozen=True)
class ScanSight:
    """Which scans a principal may see, as the repository's query needs it."""

    everything: bool
    authority_id: int | None  # scans at the checkpoints this authority mans
    flagged: bool  # contradictions and suspected clones, at any checkpoint


def scan_sight(principal: Principal) -> ScanSight:
    authority = principal.party_kind is PartyKind.AUTHORITY
    return ScanSight(
        everything=is_hub_admin(principal),
        authority_id=principal.party_id if authority else None,
        flagged=principal.party_kind is PartyKind.MUNICIPALITY,
    )
