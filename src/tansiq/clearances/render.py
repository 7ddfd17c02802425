"""Applications as the API shows them: each authority's decision with its reason, the
contradiction plainly, the history, the permits. Never the driver's ID number."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import (
    ApplicationStatus,
    Decision,
    ReviewStatus,
    is_contradiction,
)
from tansiq.clearances.models import (
    AppealRecord,
    ApplicationRecord,
    ApplicationVersionRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.clearances.reasons import NOTE_REQUIRED, REASON_LABELS, ReasonCode
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import (
    ApplicationOut,
    ApplicationSummaryOut,
    PermitOut,
    ReasonOut,
    ReviewOut,
    TransitionOut,
)
from tansiq.clearances.words import REVIEW_STATUS
from tansiq.core.i18n import Locale, translate
from tansiq.core.schemas import Name
from tansiq.core.wording import in_reader_words
from tansiq.parties.models import PartyRecord
from tansiq.parties.repository import PartyRepository
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository


def reason_label(code: ReasonCode) -> Name:
    label = REASON_LABELS[code]
    return Name(ar=translate(label, Locale.AR), en=translate(label, Locale.EN))


def review_status_label(status: ReviewStatus) -> Name:
    """A review's standing in words, both languages (a dropped one is "no longer required",
    never the decision it held before the amendment dropped it)."""
    label = REVIEW_STATUS[status]
    return Name(ar=translate(label, Locale.AR), en=translate(label, Locale.EN))


def reason_list() -> list[ReasonOut]:
    return [
        ReasonOut(code=code, label=reason_label(code), note_required=code in NOTE_REQUIRED)
        for code in ReasonCode
    ]


def application_out(
    session: Session, application: ApplicationRecord, locale: Locale = Locale.EN
) -> ApplicationOut:
    return applications_out(session, [application], locale)[0]


def applications_out(
    session: Session, applications: Sequence[ApplicationRecord], locale: Locale = Locale.EN
) -> list[ApplicationOut]:
    """Many applications as ``application_out`` shows each, in a fixed number of queries
    however many there are: every related row is read for all of them at once."""
    if not applications:
        return []
    repo = ClearanceRepository(session)
    parties = PartyRepository(session)
    ids = [a.id for a in applications]
    reviews = _grouped(repo.reviews_of(ids), lambda r: r.application_id)
    versions = {v.application_id: v for v in repo.current_versions(ids)}
    transitions = _grouped(repo.transitions_of(ids), lambda t: t.application_id)
    permits = _grouped(PermitRepository(session).permits_of(ids), lambda p: p.reference)
    appeals = _grouped(repo.appeals_of(ids), lambda a: a.application_id)
    party_ids = {a.applicant_party_id for a in applications}
    party_ids |= {r.authority_id for rows in reviews.values() for r in rows}
    party_ids |= {pid for rows in permits.values() for p in rows for pid in p.authority_ids}
    party_by_id = parties.parties_by_ids(party_ids)
    usernames = parties.usernames(
        {t.actor_user_id for rows in transitions.values() for t in rows if t.actor_user_id}
    )
    named = parties.parties_by_codes(
        {
            t.reason_params["party"]
            for rows in transitions.values()
            for t in rows
            if t.reason_params and "party" in t.reason_params
        }
    )
    return [
        _application_out(
            application,
            versions[application.id],
            reviews.get(application.id, []),
            transitions.get(application.id, []),
            permits.get(application.id, []),
            appeals.get(application.id, []),
            party_by_id,
            usernames,
            named,
            locale,
        )
        for application in applications
    ]


def _grouped(rows: Iterable[_R], key: Callable[[_R], int]) -> dict[int, list[_R]]:
    grouped: dict[int, list[_R]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def _application_out(
    application: ApplicationRecord,
    version: ApplicationVersionRecord,
    reviews: Sequence[ReviewRecord],
    transitions: Sequence[TransitionRecord],
    permits: Sequence[PermitRecord],
    appeals: Sequence[AppealRecord],
    party_by_id: dict[int, PartyRecord],
    usernames: dict[int, str],
    named: dict[str, PartyRecord],
    locale: Locale,
) -> ApplicationOut:
    codes = {pid: p.code for pid, p in party_by_id.items()}
    return ApplicationOut(
        id=application.id,
        reference=reference_of(application),
        client_reference=application.client_reference,
        applicant=codes[application.applicant_party_id],
        status=application.status,
        version=application.current_version,
        contradiction=is_contradiction(r.status for r in reviews),
        content=version.content,
        route=version.route_geojson,
        corridor_m=version.corridor_m,
        driver_id_hash=version.driver_id_hash,
        reviews=[
            ReviewOut(
                id=r.id,
                application_id=r.application_id,
                authority=codes[r.authority_id],
                authority_name=Name.pair(
                    party_by_id[r.authority_id].name_ar, party_by_id[r.authority_id].name_en
                ),
                status=r.status,
                status_label=review_status_label(r.status),
                round=r.round,
                deadline=r.deadline,
                overdue=r.overdue_at is not None,
                is_appeal=r.is_appeal,
                required_by=r.required_by,
                # A dropped review decides nothing any more: its earlier decision stays in the
                # authority's decision history, not here, so nobody reads it as a refusal.
                decision=None if r.decision is None or dropped else Decision(r.decision),
                reason_code=None if r.reason_code is None or dropped else ReasonCode(r.reason_code),
                reason_label=None
                if r.reason_code is None or dropped
                else reason_label(ReasonCode(r.reason_code)),
                note="" if dropped else r.note,
                conditions=[] if dropped else r.conditions,
                decided_at=None if dropped else r.decided_at,
                lock_version=r.lock_version,
            )
            for r in reviews
            for dropped in [r.status is ReviewStatus.DROPPED]
        ],
        transitions=[
            TransitionOut(
                from_status=None if t.from_status is None else ApplicationStatus(t.from_status),
                to_status=ApplicationStatus(t.to_status),
                at=t.at,
                actor=usernames.get(t.actor_user_id) if t.actor_user_id else None,
                reason=translate(t.reason, locale, **_named(t.reason_params, locale, named)),
            )
            for t in transitions
        ],
        permits=[_permit_out(p, codes) for p in permits],
        appeals=[
            {
                "id": a.id,
                "review_id": a.review_id,
                "grounds": a.grounds,
                "opened_at": a.opened_at.isoformat(),
                "outcome": a.outcome,
            }
            for a in appeals
        ],
    )


def permit_out(session: Session, permit: PermitRecord) -> PermitOut:
    return permits_out(session, [permit])[0]


def permits_out(session: Session, permits: Sequence[PermitRecord]) -> list[PermitOut]:
    """Many permits, their authorities' codes read at once."""
    ids = {a for permit in permits for a in permit.authority_ids}
    codes = {pid: p.code for pid, p in PartyRepository(session).parties_by_ids(ids).items()}
    return [_permit_out(permit, codes) for permit in permits]


def _permit_out(permit: PermitRecord, all_codes: dict[int, str]) -> PermitOut:
    # Only the permit's own authorities name a condition's authority, as they always have.
    codes = {a: all_codes[a] for a in permit.authority_ids if a in all_codes}
    return PermitOut(
        id=permit.id,
        application_id=permit.reference,
        number=permit.number,
        version=permit.version,
        application_version=permit.reference_version,
        status=permit.status,
        issued_at=permit.issued_at,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        authorities=[codes[a] for a in permit.authority_ids],
        conditions=[
            {
                **{k: v for k, v in c.items() if k != "authority_id"},
                "authority": codes.get(c.get("authority_id", 0), ""),
            }
            for c in permit.conditions
        ],
        status_reason_code=None
        if permit.status_reason_code is None
        else ReasonCode(permit.status_reason_code),
        status_note=permit.status_note,
    )


def summaries_out(
    session: Session, applications: Sequence[ApplicationRecord]
) -> list[ApplicationSummaryOut]:
    """The list's rows, their applicants read in one query however many there are."""
    parties = PartyRepository(session).parties_by_ids({a.applicant_party_id for a in applications})
    return [
        ApplicationSummaryOut(
            id=application.id,
            reference=reference_of(application),
            client_reference=application.client_reference,
            applicant=party.code if (party := parties.get(application.applicant_party_id)) else "",
            status=application.status,
            valid_from=application.valid_from,
            valid_until=application.valid_until,
            updated_at=application.updated_at,
        )
        for application in applications
    ]


def _named(
    params: dict[str, str] | None, locale: Locale, named: dict[str, PartyRecord]
) -> dict[str, str]:
    """Parameters as the reader reads them (tansiq.core.wording): a ``party`` code becomes
    its name."""
    shown = in_reader_words(params or {}, locale)
    if "party" in shown:
        party = named.get(shown["party"])
        if party is not None:
            shown["party"] = (
                (party.name_ar or party.name_en)
                if locale is Locale.AR
                else (party.name_en or party.name_ar)
            )
    return shown


_R = TypeVar("_R")
