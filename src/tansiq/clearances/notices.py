"""Telling the parties of an application what happened to it, with names they recognise."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.applications import reference_of
from tansiq.clearances.messages import (
    APPEAL_OPENED,
    CHANGED_PARTS,
    Notice,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    ReviewRecord,
)
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.core.clock import Clock
from tansiq.core.i18n import Locale, translate
from tansiq.core.text import name_in
from tansiq.core.wording import COMMA, in_both_scripts, listed
from tansiq.geo.repository import GeoRepository
from tansiq.notify.service import notify_party
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.permits.domain import Condition
from tansiq.permits.printing import CONDITION_LABELS


def tell(
    session: Session,
    party_id: int,
    notice: Notice,
    application: ApplicationRecord,
    clock: Clock,
    **params: str | int | float,
) -> None:
    """Tell ``party_id`` about ``application``; ``params`` follow tansiq.core.wording's
    conventions (names in both scripts, reasons as message ids, times as ISO 8601)."""
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


def party_names(session: Session, key: str, party_id: int) -> dict[str, str]:
    """``{key}_ar`` and ``{key}_en``: the party's name in each reader's script."""
    party = PartyRepository(session).party(party_id)
    return in_both_scripts(key, *(("", "") if party is None else (party.name_ar, party.name_en)))


def parties_listed(session: Session, key: str, party_ids: list[int]) -> dict[str, str]:
    """``{key}_ar`` and ``{key}_en``: the parties' names, listed in each reader's language."""
    found = PartyRepository(session).parties_by_ids(set(party_ids))
    return listed(key, ((found[i].name_ar, found[i].name_en) for i in party_ids if i in found))


def reason_message(code: str | None) -> str:
    """The message id of a refusal reason's words ("" when there is none)."""
    return REASON_LABELS[ReasonCode(code)] if code in tuple(ReasonCode) else ""


def changed_listed(parts: list[str]) -> dict[str, str]:
    """``changed_ar``/``changed_en``: what an amendment changed, in words."""
    return listed("changed", (("", CHANGED_PARTS.get(p, p)) for p in parts), messages=True)


def conditions_listed(session: Session, conditions: list[Condition]) -> dict[str, str]:
    """``conditions_ar``/``conditions_en``: each condition in words, its checkpoints by name
    in the reader's script."""
    codes = {code for c in conditions for code in c.checkpoints}
    places = GeoRepository(session).checkpoints_by_codes(codes)
    shown: dict[str, str] = {}
    for locale in Locale:
        items = []
        for condition in conditions:
            names = [
                name_in(locale, places[c].name_ar, places[c].name_en) if c in places else c
                for c in condition.checkpoints
            ]
            detail = COMMA[locale].join(names) or condition.text
            label = translate(CONDITION_LABELS[condition.kind], locale)
            items.append(f"{label} ({detail})" if detail else label)
        shown[f"conditions_{locale.value}"] = COMMA[locale].join(items) or "-"
    return shown


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
        **party_names(session, "applicant", application.applicant_party_id),
        **party_names(session, "authority", review.authority_id),
        "grounds": grounds,
    }
    for party_id in {review.authority_id, *municipality_ids(session)}:
        tell(session, party_id, APPEAL_OPENED, application, clock, **params)
