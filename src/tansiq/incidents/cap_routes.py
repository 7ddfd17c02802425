"""HTTP API for advisories as CAP 1.2 and the public Atom feed: parse → service → render.

``GET /api/v1/advisories/{id}.cap`` exports an advisory (any signed-in member, as for its JSON);
``POST /api/v1/advisories/cap`` imports a CAP 1.2 alert as the caller's party (a hostile or
unsupported document is refused with a coded error and nothing is stored);
``POST``/``DELETE /api/v1/advisories/{id}/publication`` put an advisory in the public feed or
take it off (its issuing party); ``GET /feeds/advisories.atom`` is that feed, for anyone, and
``GET /feeds/advisories/{id}.cap`` one of its alerts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status
from pydantic import BaseModel, Field

from tansiq.incidents import cap_service
from tansiq.incidents.atom import ATOM_MEDIA_TYPE
from tansiq.incidents.cap_model import CAP_MEDIA_TYPE
from tansiq.incidents.env import env_of
from tansiq.incidents.render import advisories_out, advisory_out
from tansiq.incidents.schemas import AdvisoryOut
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, Hub, RecordId, RequestLocale
from tansiq.web.openapi import error_responses

# One router with whole paths, mounted before the advisories' own: "/{id}.cap" would match
# their "/{id}" and fail as a bad id.
cap_router = APIRouter(tags=["incidents"])
API = "/api/v1/advisories"

CapDocument = Annotated[
    bytes,
    Body(
        media_type=CAP_MEDIA_TYPE,
        description="One CAP 1.2 alert (urn:oasis:names:tc:emergency:cap:1.2), at most "
        "TANSIQ_CAP_MAX_BYTES; no DTD or entity declarations.",
    ),
]


class CapImportOut(BaseModel):
    advisory: AdvisoryOut | None = Field(
        description="The advisory the alert became (or became when imported before); none "
        "for a Cancel."
    )
    ended: list[AdvisoryOut] = Field(description="Advisories an Update or a Cancel withdrew.")
    created: bool = Field(description="False when the same message was imported before.")


XML_OK = {"description": "The document.", "content": {CAP_MEDIA_TYPE: {}}}


@cap_router.get(
    API + "/{advisory_id}.cap",
    response_class=Response,
    responses={200: XML_OK},
)
def export_cap(
    advisory_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> Response:
    """The advisory as a CAP 1.2 alert, one ``<info>`` in Arabic and one in English; a
    withdrawn advisory as the Cancel of its alert. Roads travel as the ``tansiq:road``
    parameter and a thin polygon, checkpoints as the ``tansiq:checkpoint`` geocode."""
    document = cap_service.export_advisory(session, me, advisory_id, hub.settings.cap_sender)
    return Response(document, media_type=CAP_MEDIA_TYPE)


@cap_router.post(
    API + "/cap",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": CapImportOut, "description": "Nothing new was issued."},
        **error_responses(409),
    },
)
def import_cap(
    document: CapDocument,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
    response: Response,
) -> CapImportOut:
    """Import a CAP 1.2 alert as an advisory issued by the caller's party: "Actual" alerts
    only, with an ``<info>`` in Arabic or English, a place and an ``<expires>`` (201). An
    "Update" also withdraws the advisories it references; a "Cancel" only withdraws them
    (200); the same message again changes nothing (200). The hub's own alerts are refused
    (409)."""
    env = env_of(hub.settings, hub.clock, hub.caches)
    done = cap_service.import_cap(
        session,
        me,
        document,
        env,
        max_bytes=hub.settings.cap_max_bytes,
        own_sender=hub.settings.cap_sender,
    )
    if not done.created:
        response.status_code = status.HTTP_200_OK
    return CapImportOut(
        advisory=None if done.advisory is None else advisory_out(session, done.advisory, locale),
        ended=advisories_out(session, done.ended, locale),
        created=done.created,
    )


@cap_router.post(API + "/{advisory_id}/publication")
def publish_advisory(
    advisory_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> AdvisoryOut:
    """Put the advisory in the public Atom feed, readable without signing in, and export it
    with CAP scope "Public" (the issuing party or the hub's admins; in force only)."""
    advisory = cap_service.set_public(session, me, advisory_id, True, hub.clock)
    return advisory_out(session, advisory, locale)


@cap_router.delete(API + "/{advisory_id}/publication")
def unpublish_advisory(
    advisory_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> AdvisoryOut:
    """Take the advisory off the public feed; CAP exports it with scope "Restricted"."""
    advisory = cap_service.set_public(session, me, advisory_id, False, hub.clock)
    return advisory_out(session, advisory, locale)


@cap_router.get(
    "/feeds/advisories.atom",
    response_class=Response,
    responses={
        200: {"description": "The feed.", "content": {ATOM_MEDIA_TYPE: {}}},
        304: {"description": "Unchanged since the ETag sent in If-None-Match."},
    },
)
def advisories_feed(
    request: Request, session: DbSession, hub: Hub, locale: RequestLocale
) -> Response:
    """The Atom feed of the public advisories in force or to come, newest change first, each
    entry carrying its CAP 1.2 alert (``content type="application/cap+xml"``). Readable
    without signing in; titles in the reader's language (``?lang=ar``). Readers that send the
    ETag back in ``If-None-Match`` get 304 while nothing changed; nothing is cached without
    asking, since a withdrawn advisory must leave the feed at once."""
    feed = cap_service.public_feed(
        session,
        hub.clock,
        sender=hub.settings.cap_sender,
        self_link=str(request.url),
        link_of=lambda advisory_id: str(request.url_for("public_cap", advisory_id=advisory_id)),
        locale=locale,
    )
    headers = {"ETag": feed.etag, "Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"}
    sent = {one.strip() for one in request.headers.get("if-none-match", "").split(",")}
    if feed.etag in sent:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(feed.document, media_type=ATOM_MEDIA_TYPE, headers=headers)


@cap_router.get(
    "/feeds/advisories/{advisory_id}.cap",
    name="public_cap",
    response_class=Response,
    responses={200: XML_OK},
)
def public_cap(advisory_id: RecordId, session: DbSession, hub: Hub) -> Response:
    """One advisory of the public feed as its CAP 1.2 alert, for anyone (the link of its feed
    entry); an advisory that is not in the feed is not found."""
    document = cap_service.public_alert(session, hub.clock, advisory_id, hub.settings.cap_sender)
    return Response(document, media_type=CAP_MEDIA_TYPE)
