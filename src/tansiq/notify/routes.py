"""HTTP API: the caller's inbox, and each party's webhooks and e-mail addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from tansiq.core.i18n import Locale, negotiate_locale
from tansiq.core.localtime import zone_named
from tansiq.notify import service
from tansiq.notify.schemas import (
    DeliveryOut,
    EmailAddressIn,
    EmailAddressOut,
    InboxItemOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from tansiq.parties import access
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.models import PartyRecord
from tansiq.parties.service import get_party
from tansiq.web.deps import MAX_ID, DbSession, Hub

router = APIRouter(prefix="/api/v1", tags=["notifications"])
Limit = Annotated[int, Query(ge=1, le=200)]
# Ids in paths are numbers the database can hold, or a coded 422 before any query.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _managed_party(session: DbSession, me: CurrentPrincipal, code: str) -> PartyRecord:
    party = get_party(session, code)
    access.require(access.can_manage_notifications(me, party.id))
    return party


@router.get("/inbox")
def inbox(
    request: Request,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    limit: Limit = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    lang: Annotated[Locale | None, Query()] = None,
) -> list[InboxItemOut]:
    """Your party's events, newest first, in your language: ``lang`` if given, else the
    request's ``Accept-Language`` if it sends one, else your profile's; times on the
    deployment's clock. ``before`` pages back by id."""
    if lang is None:
        asked = request.headers.get("accept-language")
        lang = negotiate_locale(asked) if asked else service.profile_locale(session, me)
    zone = zone_named(hub.settings.time_zone)
    entries = service.inbox(session, me, limit=limit, before_id=before)
    return [InboxItemOut.of(entry, lang, zone) for entry in entries]


@router.post("/inbox/{event_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_read(event_id: Id, session: DbSession, hub: Hub, me: CurrentPrincipal) -> None:
    service.mark_read(session, me, event_id, hub.clock)


@router.get("/parties/{code}/webhooks")
def list_webhooks(code: str, session: DbSession, me: CurrentPrincipal) -> list[WebhookOut]:
    party = _managed_party(session, me, code)
    return [WebhookOut.of(record) for record in service.webhooks_of(session, party)]


@router.post("/parties/{code}/webhooks", status_code=status.HTTP_201_CREATED)
def create_webhook(
    code: str, body: WebhookIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> WebhookCreatedOut:
    """Register a webhook; the response holds its signing secret, which is never shown again."""
    party = _managed_party(session, me, code)
    created = service.register_webhook(
        session,
        party=party,
        url=body.url,
        description=body.description,
        created_by=me.user_id,
        clock=hub.clock,
        allow_private=hub.settings.webhook_allow_private,
    )
    shown = WebhookOut.of(created.record)
    return WebhookCreatedOut(**shown.model_dump(), secret=created.secret)


@router.delete("/parties/{code}/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    code: str, webhook_id: Id, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> None:
    party = _managed_party(session, me, code)
    service.remove_webhook(session, party=party, webhook_id=webhook_id, clock=hub.clock)


@router.get("/parties/{code}/email-addresses")
def list_email_addresses(
    code: str, session: DbSession, me: CurrentPrincipal
) -> list[EmailAddressOut]:
    party = _managed_party(session, me, code)
    return [EmailAddressOut.of(record) for record in service.email_addresses_of(session, party)]


@router.post("/parties/{code}/email-addresses", status_code=status.HTTP_201_CREATED)
def create_email_address(
    code: str, body: EmailAddressIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> EmailAddressOut:
    party = _managed_party(session, me, code)
    record = service.register_email_address(
        session,
        party=party,
        address=body.address,
        created_by=me.user_id,
        clock=hub.clock,
        email_enabled=bool(hub.settings.smtp_host),
    )
    return EmailAddressOut.of(record)


@router.delete(
    "/parties/{code}/email-addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_email_address(
    code: str, address_id: Id, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> None:
    party = _managed_party(session, me, code)
    service.remove_email_address(session, party=party, address_id=address_id, clock=hub.clock)


@router.get("/parties/{code}/deliveries")
def list_deliveries(
    code: str, session: DbSession, me: CurrentPrincipal, limit: Limit = 50
) -> list[DeliveryOut]:
    """The latest deliveries of the party's events to its webhooks and e-mail addresses."""
    party = _managed_party(session, me, code)
    return [DeliveryOut.of(d) for d in service.deliveries_of(session, party, limit=limit)]
