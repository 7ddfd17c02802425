"""The administrator's pages: parties, users and roles, zone map upload with per-feature
errors, checkpoints, devices and keys. Each section lives in its own module; this one is the
overview and the router the web app includes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from tansiq.pages import admin_devices, admin_geo, admin_parties
from tansiq.pages.admin_base import managed_authorities, name_of, view
from tansiq.pages.screen import Current
from tansiq.parties import access
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository

router = APIRouter(include_in_schema=False)
router.include_router(admin_parties.router)
router.include_router(admin_geo.router)
router.include_router(admin_devices.router)


@router.get("/admin")
def overview(s: Current) -> Response:
    def show(me: Principal) -> Response:
        party = PartyRepository(s.session).party(me.party_id)
        return s.show(
            "admin.html",
            hub_admin=access.is_hub_admin(me),
            party_code="" if party is None else party.code,
            party_name="" if party is None else name_of(party, s.locale),
            authorities=[name_of(p, s.locale) for p in managed_authorities(s.session, me)],
        )

    return view(s, show)
