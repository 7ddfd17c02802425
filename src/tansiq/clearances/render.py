"""Applications as the API shows them: each authority's decision with its reason, the
contradiction plainly, the history, the permits. Never the driver's ID number."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.applications import permit_number, reference_of
from tansiq.clearances.domain import (
    ApplicationStatus,
    Decision,
    PermitStatus,
    ReviewStatus,
    is_contradiction,
)
from tansiq.clearances.models import ApplicationRecord, PermitRecord
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
from tansiq.core.i18n import Locale, translate
from tansiq.core.schemas import Name
from tansiq.parties.repository import PartyRepository


def reason_label(code: ReasonCode) -> Name:
    label = REASON_LABELS[code]
    return Name(ar=translate(label, Locale.AR), en=translate(label, Locale.EN))


def reason_list() -> list[ReasonOut]:
    return [
        ReasonOut(code=code, label=reason_label(code), note_required=code in NOTE_REQUIRED)
        for code in ReasonCode
    ]


def application_out(
    session: Session, application: ApplicationRecord, locale: Locale = Locale.EN
) -> ApplicationOut:
    repo = ClearanceRepository(session)
    parties = PartyRepository(session)
    reviews = repo.reviews(application.id)
    version = repo.version(application.id, application.current_version)
    assert version is not None  # noqa: S101 - every application has its current version
    ids = {r.authority_id for r in reviews} | {application.applicant_party_id}
    party_by_id = parties.parties_by_ids(ids)
    users = {t.actor_user_id for t in repo.transitions(application.id) if t.actor_user_id}
    usernames = {uid: u.username for uid in users if (u := parties.user(uid)) is not None}
    codes = {pid: p.code for pid, p in party_by_id.items()}
    return ApplicationOut(
        id=application.id,
        reference=reference_of(application),
        client_reference=application.client_reference,
        applicant=codes[application.applicant_party_id],
        status=ApplicationStatus(application.status),
        version=application.current_version,
        contradiction=is_contradiction(ReviewStatus(r.status) for r in reviews),
        content=version.content,
        route=version.route_geojson,
        corridor_m=version.corridor_m,
        driver_id_hash=version.driver_id_hash,
        reviews=[
            ReviewOut(
                id=r.id,
                authority=codes[r.authority_id],
                authority_name=Name.pair(
                    party_by_id[r.authority_id].name_ar, party_by_id[r.authority_id].name_en
                ),
                status=ReviewStatus(r.status),
                round=r.round,
                deadline=r.deadline,
                overdue=r.overdue_at is not None,
                is_appeal=r.is_appeal,
                required_by=r.required_by,
                decision=None if r.decision is None else Decision(r.decision),
                reason_code=None if r.reason_code is None else ReasonCode(r.reason_code),
                reason_label=None
                if r.reason_code is None
                else reason_label(ReasonCode(r.reason_code)),
                note=r.note,
                conditions=r.conditions,
                decided_at=r.decided_at,
                lock_version=r.lock_version,
            )
            for r in reviews
        ],
        transitions=[
            TransitionOut(
                from_status=None if t.from_status is None else ApplicationStatus(t.from_status),
                to_status=ApplicationStatus(t.to_status),
                at=t.at,
                actor=usernames.get(t.actor_user_id) if t.actor_user_id else None,
                reason=translate(t.reason, locale, **_named(t.reason_params, locale, parties)),
            )
            for t in repo.transitions(application.id)
        ],
        permits=[permit_out(session, p) for p in repo.permits(application.id)],
        appeals=[
            {
                "id": a.id,
                "review_id": a.review_id,
                "grounds": a.grounds,
                "opened_at": a.opened_at.isoformat(),
                "outcome": a.outcome,
            }
            for a in repo.appeals(application.id)
        ],
    )


def permit_out(session: Session, permit: PermitRecord) -> PermitOut:
    codes = {
        pid: p.code
        for pid, p in PartyRepository(session).parties_by_ids(set(permit.authority_ids)).items()
    }
    return PermitOut(
        id=permit.id,
        number=permit_number(permit),
        version=permit.version,
        application_version=permit.application_version,
        status=PermitStatus(permit.status),
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


def summary_out(session: Session, application: ApplicationRecord) -> ApplicationSummaryOut:
    party = PartyRepository(session).party(application.applicant_party_id)
    return ApplicationSummaryOut(
        id=application.id,
        reference=reference_of(application),
        client_reference=application.client_reference,
        applicant="" if party is None else party.code,
        status=ApplicationStatus(application.status),
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        updated_at=application.updated_at,
    )


def _named(
    params: dict[str, str] | None, locale: Locale, parties: PartyRepository
) -> dict[str, str]:
    """Parameters as the reader reads them: a ``party`` code becomes its name."""
    shown = dict(params or {})
    if "party" in shown:
        party = parties.party_by_code(shown["party"])
        if party is not None:
            shown["party"] = (
                (party.name_ar or party.name_en)
                if locale is Locale.AR
                else (party.name_en or party.name_ar)
            )
    return shown
