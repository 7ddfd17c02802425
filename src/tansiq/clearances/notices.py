"""Telling the parties of an application what happened to it, with names they recognise."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.applications import reference_of
from tansiq.clearances.messages import (
    APPEAL_OPENED,
    Notice,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    ReviewRecord,
)
from tansiq.core.clock import Clock
from tansiq.notify.service import notify_party
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository


def tell(
    session: Session,
    party_id: int,
    notice: Notice,
    application: ApplicationRecord,
    clock: Clock,
    **params: str | int | float,
) -> None:
    notify_party(
        session,
        party_id=party_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        params={"reference": reference_of(application), **params},
        subject=f"application:{application.id}",
        clock=clock,
    )


def municipality_ids(session: Session) -> list[int]:
    return [p.id for p in PartyRepository(session).parties(PartyKind.MUNICIPALITY.value)]


def party_name(session: Session, party_id: int) -> str:
    party = PartyRepository(session).party(party_id)
    return "" if party is None else (party.name_en or party.name_ar)


def party_code(session: Session, party_id: int) -> str:
    party = PartyRepository(session).party(party_id)
    return "" if party is None else party.code


def announce_appeal(
    session: Session,
    application: ApplicationRecord,
    review: ReviewRecord,
    grounds: str,
    clock: Clock,
) -> None:
    params = {
        "applicant": party_name(session, application.applicant_party_id),
        "authority": party_name(session, review.authority_id),
        "grounds": grounds,
    }
    for party_id in {review.authority_id, *municipality_ids(session)}:
        tell(session, party_id, APPEAL_OPENED, application, clock, **params)
