"""Use cases of an application: submit, amend, withdraw, and who may see it (appeals are in
appeals.py, a permit's changes after issue in permit_actions.py). Services flush; the edge
commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tansiq.clearances import access
from tansiq.clearances.access import ApplicationScope
from tansiq.clearances.applications import (
    ApplicationClosed,
    ApplicationNotFound,
    close_application,
    ensure_open,
    lock_application,
    record_transition,
)
from tansiq.clearances.content import Content, Policy, check_content
from tansiq.clearances.domain import ApplicationStatus, ReviewStatus, plan_reviews
from tansiq.clearances.errors import (
    NothingChanged,
    PermitRevoked,
    ReferenceRequired,
    ReferenceReused,
    RouteChoice,
    StaleVersion,
)
from tansiq.clearances.escalation import schedule_expiry
from tansiq.clearances.messages import (
    AMENDED,
    CREATED,
    ROUTED,
    SUBMITTED,
    WITHDRAWN,
    Why,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.clearances.notices import changed_listed
from tansiq.clearances.permit_terms import ensure_permit_fits
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.reviews import ReviewPolicy, open_review
from tansiq.clearances.routing import required_by, route_of
from tansiq.clearances.schemas import (
    AmendmentIn,
    ApplicationIn,
)
from tansiq.clearances.settlement import settle
from tansiq.clearances.versions import changed_parts, input_of, merge_amendment, store_version
from tansiq.core.clock import Clock
from tansiq.core.errors import Forbidden
from tansiq.core.text import normalise_text
from tansiq.db.unit_of_work import begin_writing
from tansiq.geo.domain import RouteResolution
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import SpatialIndexCache
from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.permits.domain import ConditionKind, PermitStatus
from tansiq.permits.lifecycle import retire_permits
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository
from tansiq.settings import Settings
from tansiq.tallies.service import tally_appeal_closed


@dataclass(frozen=True)
class ClearanceEnv:
    """What the use cases need from the running hub."""

    clock: Clock
    spatial_index: SpatialIndexCache
    policy: Policy
    reviews: ReviewPolicy
    secret_key: str | None = None

    @classmethod
    def of(cls, settings: Settings, clock: Clock, spatial_index: SpatialIndexCache) -> ClearanceEnv:
        return cls(
            clock=clock,
            spatial_index=spatial_index,
            policy=Policy(
                max_validity=timedelta(days=settings.max_validity_days),
                default_corridor_m=settings.default_corridor_m,
                max_corridor_m=settings.max_corridor_m,
            ),
            reviews=ReviewPolicy(window=timedelta(hours=settings.review_deadline_hours)),
            secret_key=settings.secret_key,
        )


def submit_application(
    session: Session, principal: Principal, body: ApplicationIn, env: ClearanceEnv
) -> ApplicationRecord:
    """Store an application and, unless it is a draft, open one review per required
    authority. The same client reference twice gives back the same application, even when
    the two arrive at once."""
    if not access.can_apply(principal):
        raise Forbidden
    repo = ClearanceRepository(session)
    reference = normalise_text(body.client_reference)[:100]
    if not reference:
        raise ReferenceRequired
    content = _check(session, body, env)
    route, resolution = route_of(
        session, content, spatial_index=env.spatial_index, max_corridor_m=env.policy.max_corridor_m
    )
    begin_writing(session)  # the route's CPU work is done: hold the write lock only from here
    existing = repo.application_by_reference(principal.party_id, reference)
    if existing is not None:
        return _same_submission(session, existing, content, route, body.submit, principal, env)
    now = env.clock.now()
    application = ApplicationRecord(
        applicant_party_id=principal.party_id,
        applicant_user_id=principal.user_id,
        client_reference=reference,
        status=ApplicationStatus.DRAFT,
        current_version=1,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            repo.add(application)
            repo.flush()
    except IntegrityError:
        # The same reference arrived twice at once and the other request stored it first.
        existing = repo.application_by_reference(principal.party_id, reference)
        if existing is None:
            raise
        return _same_submission(session, existing, content, route, body.submit, principal, env)
    repo.add(
        TransitionRecord(
            application_id=application.id,
            from_status=None,
            to_status=ApplicationStatus.DRAFT,
            actor_user_id=principal.user_id,
            at=now,
            reason=CREATED,
        )
    )
    store_version(session, application, 1, content, route, principal, changed=[])
    if body.submit:
        _submit(session, application, resolution, principal, env)
    return application


def submit_draft(
    session: Session, principal: Principal, application_id: int, env: ClearanceEnv
) -> ApplicationRecord:
    application = own_application(session, principal, application_id, env)
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationClosed(status=application.status)
    version = ClearanceRepository(session).version(application.id, application.current_version)
    assert version is not None  # noqa: S101 - every application has its first version
    content = _check(session, input_of(version), env)
    _, resolution = route_of(
        session, content, spatial_index=env.spatial_index, max_corridor_m=env.policy.max_corridor_m
    )
    begin_writing(session)
    if application.status != ApplicationStatus.DRAFT:  # submitted meanwhile
        raise ApplicationClosed(status=application.status)
    _submit(session, application, resolution, principal, env)
    return application


def amend_application(
    session: Session,
    principal: Principal,
    application_id: int,
    body: AmendmentIn,
    env: ClearanceEnv,
) -> ApplicationRecord:
    """A new version of the application; only the reviews the change touches reopen."""
    application = own_application(session, principal, application_id, env)
    if application.current_version != body.expected_version:
        raise StaleVersion(expected=body.expected_version, current=application.current_version)
    if body.route is not None and body.checkpoints is not None:
        raise RouteChoice
    repo = ClearanceRepository(session)
    old = repo.version(application.id, application.current_version)
    assert old is not None  # noqa: S101 - every application has its current version
    merged = merge_amendment(input_of(old), body)
    content = _check(session, merged, env)
    route, resolution = route_of(
        session, content, spatial_index=env.spatial_index, max_corridor_m=env.policy.max_corridor_m
    )
    begin_writing(session)  # the route's CPU work is done: hold the write lock only from here
    application = own_application(session, principal, application_id, env)
    if application.current_version != body.expected_version:  # amended meanwhile
        raise StaleVersion(expected=body.expected_version, current=application.current_version)
    latest = _latest_permit(session, application)
    if latest is not None and latest.status == PermitStatus.REVOKED:
        raise PermitRevoked
    suspended_by = (
        _suspenders(session, latest)
        if latest is not None and latest.status == PermitStatus.SUSPENDED
        else set()
    )
    changed = changed_parts(old, content, route)
    if not changed:
        raise NothingChanged
    number = application.current_version + 1
    application.current_version = number
    application.valid_from, application.valid_until = content.valid_from, content.valid_until
    store_version(session, application, number, content, route, principal, changed=sorted(changed))
    if application.status == ApplicationStatus.DRAFT:
        return application
    schedule_expiry(session, application)
    retire_permits(session, application.id, PermitStatus.SUPERSEDED, env.clock, principal.user_id)
    required = {a.authority_id: a for a in resolution.authorities}
    reviews = {r.authority_id: r for r in repo.reviews(application.id)}
    plan = plan_reviews(
        current={a: r.status for a, r in reviews.items()},
        required=frozenset(required),
        changed=frozenset(changed),
        via_checkpoints={a: _via(r) for a, r in reviews.items()},
        checkpoints_on_route=frozenset(c.checkpoint.code for c in resolution.checkpoints),
        suspending=frozenset(suspended_by),
    )
    reopen = set(plan.reopen)
    changed_text = ", ".join(sorted(changed))
    for authority in plan.drop:
        reviews[authority].status = ReviewStatus.DROPPED
    for authority in sorted(reopen | plan.open):
        review = reviews.get(authority) or ReviewRecord(
            application_id=application.id,
            authority_id=authority,
            round=1,
            status=ReviewStatus.PENDING,
            required_by={},
        )
        review.required_by = required_by(required[authority])
        open_review(
            session,
            application,
            review,
            policy=env.reviews,
            clock=env.clock,
            reopened=authority in reviews,
            changed=changed_text,
        )
    for authority in plan.keep - reopen:
        reviews[authority].required_by = required_by(required[authority])
    for authority in plan.drop | reopen:
        appeal = repo.open_appeal(reviews[authority].id)
        if appeal is not None:
            appeal.closed_at, appeal.outcome = env.clock.now(), "superseded"
            tally_appeal_closed(session, authority, appeal.opened_at, appeal.outcome)
    record_transition(
        session,
        application,
        ApplicationStatus.IN_REVIEW,
        principal.user_id,
        Why(AMENDED, {**changed_listed(sorted(changed)), "note": normalise_text(body.note)}),
        env.clock,
    )
    ensure_permit_fits(session, application, env.clock)
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=env.clock,
        reason=Why(AMENDED, {**changed_listed(sorted(changed)), "note": normalise_text(body.note)}),
        secret=env.secret_key,
    )
    return application


def withdraw_application(
    session: Session, principal: Principal, application_id: int, reason: str, env: ClearanceEnv
) -> ApplicationRecord:
    application = own_application(session, principal, application_id, env)
    close_application(
        session,
        application,
        ApplicationStatus.WITHDRAWN,
        principal.user_id,
        Why(WITHDRAWN, {"note": normalise_text(reason)}),
        PermitStatus.WITHDRAWN,
        env.clock,
    )
    return application


def get_application(
    session: Session, principal: Principal, application_id: int
) -> ApplicationRecord:
    """The application, if ``principal`` may see it; otherwise "not found" (need-to-know:
    whether it exists is not told either)."""
    repo = ClearanceRepository(session)
    application = repo.application(application_id)
    if application is None or not visible(session, principal, application):
        raise ApplicationNotFound(application=application_id)
    return application


def pending_reviews(
    session: Session, principal: Principal
) -> tuple[Sequence[ReviewRecord], list[ApplicationRecord]]:
    """The principal's authority's pending reviews, nearest deadline first, and their
    applications, read at once (each is visible to it: its own authority reviews it)."""
    repo = ClearanceRepository(session)
    reviews = repo.pending_reviews_of(principal.party_id)
    applications = repo.applications_by_ids({r.application_id for r in reviews})
    return reviews, list(applications.values())


def visible(session: Session, principal: Principal, application: ApplicationRecord) -> bool:
    repo = ClearanceRepository(session)
    reviews = repo.reviews(application.id)
    oversight = (
        bool(repo.appeals(application.id))
        or any(r.overdue_at for r in reviews)
        or (
            principal.party_kind is PartyKind.MUNICIPALITY
            and repo.told_about(principal.party_id, application.id)
        )
    )
    return access.can_view_application(
        principal,
        application.applicant_party_id,
        frozenset(r.authority_id for r in reviews),
        oversight,
    )


def scope_of(principal: Principal) -> ApplicationScope:
    """The applications ``principal`` may see, as the repository's lists filter them."""
    return ApplicationScope(
        everything=is_hub_admin(principal),
        party_id=principal.party_id,
        as_applicant=True,
        as_authority=principal.party_kind is PartyKind.AUTHORITY,
        as_overseer=principal.party_kind is PartyKind.MUNICIPALITY,
    )


def list_applications(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ApplicationRecord]:
    return list(
        ClearanceRepository(session).visible_applications(
            scope_of(principal),
            status=status,
            limit=limit,
            offset=offset,
        )
    )


def list_permits(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PermitRecord]:
    """The permits of every application ``principal`` may see, newest first."""
    return list(
        ClearanceRepository(session).visible_permits(
            scope_of(principal),
            status=status,
            limit=limit,
            offset=offset,
        )
    )


def _submit(
    session: Session,
    application: ApplicationRecord,
    resolution: RouteResolution,
    principal: Principal,
    env: ClearanceEnv,
) -> None:
    record_transition(
        session,
        application,
        ApplicationStatus.SUBMITTED,
        principal.user_id,
        Why(SUBMITTED),
        env.clock,
    )
    schedule_expiry(session, application)
    for authority in resolution.authorities:
        review = ReviewRecord(
            application_id=application.id,
            authority_id=authority.authority_id,
            round=1,
            status=ReviewStatus.PENDING,
            required_by=required_by(authority),
        )
        open_review(
            session, application, review, policy=env.reviews, clock=env.clock, reopened=False
        )
    record_transition(
        session,
        application,
        ApplicationStatus.IN_REVIEW,
        principal.user_id,
        Why(ROUTED, {"count": str(len(resolution.authorities))}),
        env.clock,
    )
    ensure_permit_fits(session, application, env.clock)


def own_application(
    session: Session, principal: Principal, application_id: int, env: ClearanceEnv
) -> ApplicationRecord:
    """The application, locked, for its applicant to change: forbidden to others who may see
    it, "not found" to the rest, and refused once it has ended."""
    application = lock_application(session, application_id)
    if not access.can_change_application(principal, application.applicant_party_id):
        if visible(session, principal, application):
            raise Forbidden
        raise ApplicationNotFound(application=application_id)
    ensure_open(session, application, env.clock)
    return application


def _check(session: Session, body: ApplicationIn, env: ClearanceEnv) -> Content:
    codes = set(body.checkpoints or ())
    known = GeoRepository(session).checkpoints_by_codes({normalise_text(c) for c in codes})
    return check_content(body, now=env.clock.now(), policy=env.policy, known_checkpoints=known)


def _via(review: ReviewRecord) -> frozenset[str]:
    if review.status != ReviewStatus.APPROVED:
        return frozenset()
    return frozenset(
        code
        for c in review.conditions
        if c.get("kind") == ConditionKind.VIA_CHECKPOINTS
        for code in c.get("checkpoints", [])
    )


def _same_submission(
    session: Session,
    existing: ApplicationRecord,
    content: Content,
    route: dict[str, Any],
    submit: bool,
    principal: Principal,
    env: ClearanceEnv,
) -> ApplicationRecord:
    """Idempotent re-submission: the same reference gives the same application, as long as
    it is really the same request (a retry), not a different one under a reused reference.
    A draft sent again with ``submit`` is submitted."""
    first = ClearanceRepository(session).version(existing.id, 1)
    assert first is not None  # noqa: S101 - every application has its first version
    if (
        first.content != content.data
        or first.driver_id_number != content.driver_id_number
        or first.route_geojson != route
        or first.corridor_m != content.corridor_m
    ):
        raise ReferenceReused(reference=existing.client_reference)
    if submit and existing.status == ApplicationStatus.DRAFT:
        return submit_draft(session, principal, existing.id, env)
    return existing


def _latest_permit(session: Session, application: ApplicationRecord) -> PermitRecord | None:
    permits = PermitRepository(session).permits(application.id)
    return permits[-1] if permits else None


def _suspenders(session: Session, permit: PermitRecord) -> set[int]:
    """The authority whose member suspended ``permit``."""
    if permit.status_changed_by is None:
        return set()
    user = PartyRepository(session).user(permit.status_changed_by)
    return set() if user is None else {user.party_id}
