"""Use cases of an application: submit, amend, withdraw, appeal, and the permit's life
after issue. Services flush; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tansiq.clearances import access
from tansiq.clearances.content import Content, Policy, check_content, hash_id_number
from tansiq.clearances.domain import (
    PERMIT_ACTIONS,
    ApplicationStatus,
    ChangedPart,
    ConditionKind,
    PermitAction,
    PermitStatus,
    ReviewStatus,
    plan_reviews,
)
from tansiq.clearances.messages import (
    AMENDED,
    APPEALED,
    CREATED,
    PERMIT_REINSTATED,
    PERMIT_REVOKED,
    PERMIT_SUSPENDED,
    ROUTED,
    SUBMITTED,
    WITHDRAWN,
    Why,
)
from tansiq.clearances.models import (
    AppealRecord,
    ApplicationRecord,
    ApplicationVersionRecord,
    PermitRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.reviews import (
    ApplicationClosed,
    ApplicationNotFound,
    ReviewPolicy,
    announce_appeal,
    close_application,
    ensure_open,
    lock_application,
    open_review,
    party_name,
    permit_cti,
    permit_number,
    record_transition,
    retire_permits,
    schedule_expiry,
    settle,
    tell,
)
from tansiq.clearances.schemas import (
    AmendmentIn,
    AppealIn,
    ApplicationIn,
    CargoLineIn,
    DriverIn,
    PermitActionIn,
    VehicleIn,
)
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, Forbidden, NotFound, TansiqError
from tansiq.core.geojson import GeoJSONInvalid, parse_geometry
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.geo.domain import RouteResolution
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import RouteInvalid, SpatialIndexCache, list_zone_maps, resolve_route
from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.permits.service import record_revocation
from tansiq.permits.trust import RevocationStatus
from tansiq.settings import Settings


class NoAuthorityRequired(TansiqError):
    code = "application.no_authority"
    message = N_(
        "The route touches no authority's zone or checkpoint, so no one can approve "
        "it; check the route."
    )


class ReferenceRequired(TansiqError):
    code = "application.reference_required"
    message = N_("A client reference of visible characters is required.")


class RouteChoice(TansiqError):
    code = "application.route_choice"
    message = N_(
        'Give the route either as a GeoJSON "route" or as a list of "checkpoints" '
        "in order, not both."
    )


class PermitRevoked(TansiqError):
    code = "application.permit_revoked"
    message = N_("The permit was revoked; a revoked clearance is not amended. Apply anew.")
    category = ErrorCategory.CONFLICT


class ReferenceReused(TansiqError):
    code = "application.reference_reused"
    message = N_('Your reference "{reference}" already names a different application.')
    category = ErrorCategory.CONFLICT


class StaleVersion(TansiqError):
    code = "application.stale_version"
    message = N_(
        "The application changed since version {expected}; it is now at version "
        "{current}. Reload it."
    )
    category = ErrorCategory.CONFLICT


class NothingChanged(TansiqError):
    code = "application.no_change"
    message = N_("The amendment changes nothing.")


class NotRejected(TansiqError):
    code = "appeal.not_rejected"
    message = N_("Only a rejection can be appealed.")
    category = ErrorCategory.CONFLICT


class AppealOpen(TansiqError):
    code = "appeal.already_open"
    message = N_("This rejection is already under appeal.")
    category = ErrorCategory.CONFLICT


class AppealDecided(TansiqError):
    code = "appeal.already_decided"
    message = N_("This rejection was upheld on appeal; amend the application to be reviewed again.")
    category = ErrorCategory.CONFLICT


class PermitNotFound(NotFound):
    code = "permit.not_found"
    message = N_("No permit {permit}.")


class PermitStateConflict(TansiqError):
    code = "permit.wrong_state"
    message = N_('A permit that is "{status}" cannot be {action}.')
    category = ErrorCategory.CONFLICT


REVOCATION_BY_ACTION = {
    PermitAction.SUSPEND: RevocationStatus.SUSPENDED,
    PermitAction.REVOKE: RevocationStatus.REVOKED,
    PermitAction.REINSTATE: RevocationStatus.REINSTATED,
}
NOTICE_BY_ACTION = {
    PermitAction.SUSPEND: PERMIT_SUSPENDED,
    PermitAction.REVOKE: PERMIT_REVOKED,
    PermitAction.REINSTATE: PERMIT_REINSTATED,
}


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
    route, resolution = _route(session, content, env)
    existing = repo.application_by_reference(principal.party_id, reference)
    if existing is not None:
        return _same_submission(session, existing, content, route, body.submit, principal, env)
    now = env.clock.now()
    application = ApplicationRecord(
        applicant_party_id=principal.party_id,
        applicant_user_id=principal.user_id,
        client_reference=reference,
        status=ApplicationStatus.DRAFT.value,
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
            to_status=ApplicationStatus.DRAFT.value,
            actor_user_id=principal.user_id,
            at=now,
            reason=CREATED,
        )
    )
    _store_version(session, application, 1, content, route, principal, changed=[])
    if body.submit:
        _submit(session, application, resolution, principal, env)
    return application


def submit_draft(
    session: Session, principal: Principal, application_id: int, env: ClearanceEnv
) -> ApplicationRecord:
    application = _own(session, principal, application_id, env)
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationClosed(status=application.status)
    version = ClearanceRepository(session).version(application.id, application.current_version)
    assert version is not None  # noqa: S101 - every application has its first version
    content = _check(session, _input_of(version), env)
    _, resolution = _route(session, content, env)
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
    application = _own(session, principal, application_id, env)
    if application.current_version != body.expected_version:
        raise StaleVersion(expected=body.expected_version, current=application.current_version)
    if body.route is not None and body.checkpoints is not None:
        raise RouteChoice
    repo = ClearanceRepository(session)
    latest = _latest_permit(session, application)
    if latest is not None and latest.status == PermitStatus.REVOKED:
        raise PermitRevoked
    suspended_by = (
        _suspenders(session, latest)
        if latest is not None and latest.status == PermitStatus.SUSPENDED
        else set()
    )
    old = repo.version(application.id, application.current_version)
    assert old is not None  # noqa: S101 - every application has its current version
    merged = _merge(_input_of(old), body)
    content = _check(session, merged, env)
    route, resolution = _route(session, content, env)
    changed = _changed(old, content, route)
    if not changed:
        raise NothingChanged
    number = application.current_version + 1
    application.current_version = number
    application.valid_from, application.valid_until = content.valid_from, content.valid_until
    _store_version(session, application, number, content, route, principal, changed=sorted(changed))
    if application.status == ApplicationStatus.DRAFT:
        return application
    schedule_expiry(session, application)
    retire_permits(session, application, PermitStatus.SUPERSEDED, env.clock, principal.user_id)
    required = {a.authority_id: a for a in resolution.authorities}
    reviews = {r.authority_id: r for r in repo.reviews(application.id)}
    plan = plan_reviews(
        current={a: ReviewStatus(r.status) for a, r in reviews.items()},
        required=frozenset(required),
        changed=frozenset(changed),
        via_checkpoints={a: _via(r) for a, r in reviews.items()},
        checkpoints_on_route=frozenset(c.checkpoint.code for c in resolution.checkpoints),
        suspending=frozenset(suspended_by),
    )
    reopen = set(plan.reopen)
    changed_text = ", ".join(sorted(changed))
    for authority in plan.drop:
        reviews[authority].status = ReviewStatus.DROPPED.value
    for authority in sorted(reopen | plan.open):
        review = reviews.get(authority) or ReviewRecord(
            application_id=application.id,
            authority_id=authority,
            round=1,
            status=ReviewStatus.PENDING.value,
            required_by={},
        )
        review.required_by = _required_by(required[authority])
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
        reviews[authority].required_by = _required_by(required[authority])
    for authority in plan.drop | reopen:
        appeal = repo.open_appeal(reviews[authority].id)
        if appeal is not None:
            appeal.closed_at, appeal.outcome = env.clock.now(), "superseded"
    record_transition(
        session,
        application,
        ApplicationStatus.IN_REVIEW,
        principal.user_id,
        Why(AMENDED, {"changed": changed_text, "note": normalise_text(body.note)}),
        env.clock,
    )
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=env.clock,
        reason=Why(AMENDED, {"changed": changed_text, "note": normalise_text(body.note)}),
        secret=env.secret_key,
    )
    return application


def withdraw_application(
    session: Session, principal: Principal, application_id: int, reason: str, env: ClearanceEnv
) -> ApplicationRecord:
    application = _own(session, principal, application_id, env)
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


def appeal_rejection(
    session: Session, principal: Principal, application_id: int, body: AppealIn, env: ClearanceEnv
) -> AppealRecord:
    """Reopen a rejecting authority's review as a joint review the municipality sees."""
    application = _own(session, principal, application_id, env)
    repo = ClearanceRepository(session)
    review = repo.review(body.review_id)
    if review is None or review.application_id != application.id:
        raise NotFound
    if review.status != ReviewStatus.REJECTED:
        raise NotRejected
    if repo.open_appeal(review.id) is not None:
        raise AppealOpen
    if _upheld_since_last_change(session, application, review.id):
        raise AppealDecided
    grounds = normalise_text(body.grounds)
    appeal = AppealRecord(
        application_id=application.id,
        review_id=review.id,
        grounds=grounds,
        opened_by=principal.user_id,
        opened_at=env.clock.now(),
    )
    repo.add(appeal)
    open_review(
        session,
        application,
        review,
        policy=env.reviews,
        clock=env.clock,
        reopened=True,
        appeal=True,
    )
    announce_appeal(session, application, review, grounds, env.clock)
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=env.clock,
        reason=Why(APPEALED),
        secret=env.secret_key,
    )
    return appeal


def change_permit(
    session: Session,
    principal: Principal,
    permit_id: int,
    action: PermitAction,
    body: PermitActionIn,
    env: ClearanceEnv,
) -> PermitRecord:
    """Suspend, reinstate or revoke a permit: any authority that approved it may."""
    repo = ClearanceRepository(session)
    permit = repo.permit(permit_id)
    application = None if permit is None else repo.application(permit.application_id)
    if permit is None or application is None or not visible(session, principal, application):
        raise PermitNotFound(permit=permit_id)
    if not access.can_change_permit(principal, frozenset(permit.authority_ids)):
        raise Forbidden
    application = lock_application(session, permit.application_id)
    session.refresh(permit)
    if action is PermitAction.REINSTATE:
        ensure_open(session, application, env.clock)
    allowed, target = PERMIT_ACTIONS[action]
    if PermitStatus(permit.status) not in allowed:
        raise PermitStateConflict(status=permit.status, action=action.value)
    notice = NOTICE_BY_ACTION[action]
    permit.status = target.value
    permit.status_changed_at, permit.status_changed_by = env.clock.now(), principal.user_id
    permit.status_reason_code = body.reason_code.value
    permit.status_note = normalise_text(body.note)
    params = {
        "permit": permit_number(permit),
        "authority": party_name(session, principal.party_id),
        "reason_code": body.reason_code.value,
        "note": permit.status_note or "-",
    }
    for party_id in {application.applicant_party_id, *permit.authority_ids}:
        tell(session, party_id, notice, application, env.clock, **params)
    repo.flush()
    if env.secret_key is not None:
        # Checkpoints learn of it through the next signed revocation delta they pull.
        record_revocation(
            session,
            cti=permit_cti(application),
            version=permit.version,
            status=REVOCATION_BY_ACTION[action],
            reason=body.reason_code.value,
            secret=env.secret_key,
            clock=env.clock,
        )
    return permit


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


def visible(session: Session, principal: Principal, application: ApplicationRecord) -> bool:
    repo = ClearanceRepository(session)
    reviews = repo.reviews(application.id)
    oversight = bool(repo.appeals(application.id)) or any(r.overdue_at for r in reviews)
    return access.can_view_application(
        principal,
        application.applicant_party_id,
        frozenset(r.authority_id for r in reviews),
        oversight,
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
            everything=is_hub_admin(principal),
            party_id=principal.party_id,
            as_applicant=True,
            as_authority=principal.party_kind is PartyKind.AUTHORITY,
            as_overseer=principal.party_kind is PartyKind.MUNICIPALITY,
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
            status=ReviewStatus.PENDING.value,
            required_by=_required_by(authority),
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


def _own(
    session: Session, principal: Principal, application_id: int, env: ClearanceEnv
) -> ApplicationRecord:
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


def _route(
    session: Session, content: Content, env: ClearanceEnv
) -> tuple[dict[str, Any], RouteResolution]:
    """The route as GeoJSON and the authorities it needs over the whole validity window:
    every zone map in force at some moment of the window counts."""
    route = content.route
    if route is None:
        known = GeoRepository(session).checkpoints_by_codes(set(content.checkpoint_codes))
        route = {
            "type": "LineString",
            "coordinates": [[known[c].lon, known[c].lat] for c in content.checkpoint_codes],
        }
    # Only the geometry is kept: extra members of the GeoJSON object are not stored.
    try:
        line = parse_geometry(route, ("LineString",))
    except GeoJSONInvalid as error:
        raise RouteInvalid(error.details) from None
    route = {"type": "LineString", "coordinates": [[x, y] for x, y, *_ in line.coords]}
    resolution = resolve_over_window(
        session,
        env.spatial_index,
        route=route,
        corridor_m=content.corridor_m,
        max_corridor_m=env.policy.max_corridor_m,
        valid_from=content.valid_from,
        valid_until=content.valid_until,
    )
    return route, resolution


def resolve_over_window(
    session: Session,
    spatial_index: SpatialIndexCache,
    *,
    route: dict[str, Any],
    corridor_m: float,
    max_corridor_m: float,
    valid_from: datetime,
    valid_until: datetime,
) -> RouteResolution:
    """The authorities ``route`` needs over the window ``[valid_from, valid_until)``: every
    zone map in force at some moment of it counts. :class:`NoAuthorityRequired` if none."""
    moments = {valid_from} | {
        view.in_force_from
        for view in list_zone_maps(session)
        if view.in_force_from is not None and valid_from < view.in_force_from < valid_until
    }
    resolution = _union(
        [
            resolve_route(
                session,
                spatial_index,
                route=route,
                corridor_m=corridor_m,
                max_corridor_m=max_corridor_m,
                at=moment,
            )
            for moment in sorted(moments)
        ]
    )
    if not resolution.authorities:
        raise NoAuthorityRequired
    return resolution


def _union(resolutions: list[RouteResolution]) -> RouteResolution:
    first = resolutions[0]
    if len(resolutions) == 1:
        return first
    merged: dict[int, Any] = {}
    for resolution in resolutions:
        for authority in resolution.authorities:
            known = merged.get(authority.authority_id)
            if known is None:
                merged[authority.authority_id] = authority
                continue
            zones = {z.zone_id: z for z in (*known.zones, *authority.zones)}
            checkpoints = {
                c.checkpoint.code: c for c in (*known.checkpoints, *authority.checkpoints)
            }
            merged[authority.authority_id] = type(authority)(
                authority_id=authority.authority_id,
                first_along_m=min(known.first_along_m, authority.first_along_m),
                zones=tuple(zones.values()),
                checkpoints=tuple(checkpoints.values()),
            )
    return type(first)(
        at=first.at,
        corridor_m=first.corridor_m,
        route_length_m=first.route_length_m,
        epsg=first.epsg,
        authorities=tuple(sorted(merged.values(), key=lambda a: (a.first_along_m, a.authority_id))),
        checkpoints=first.checkpoints,
    )


def _required_by(authority: Any) -> dict[str, Any]:
    return {
        "zones": [
            {"id": z.zone_id, "map_id": z.map_id, "name_ar": z.name.ar, "name_en": z.name.en}
            for z in authority.zones
        ],
        "checkpoints": [c.checkpoint.code for c in authority.checkpoints],
    }


def _store_version(
    session: Session,
    application: ApplicationRecord,
    number: int,
    content: Content,
    route: dict[str, Any],
    principal: Principal,
    *,
    changed: list[str],
) -> None:
    salt, digest = hash_id_number(content.driver_id_number)
    ClearanceRepository(session).add(
        ApplicationVersionRecord(
            application_id=application.id,
            number=number,
            content=content.data,
            route_geojson=route,
            corridor_m=content.corridor_m,
            driver_id_number=content.driver_id_number,
            driver_id_salt=salt,
            driver_id_hash=digest,
            changed=changed,
            created_at=application.updated_at,
            created_by=principal.user_id,
        )
    )


def _input_of(version: ApplicationVersionRecord) -> ApplicationIn:
    data = version.content
    by_checkpoints = bool(data.get("checkpoints"))
    application = version.application_id
    return ApplicationIn(
        client_reference=f"version-{application}-{version.number}",
        vehicle=VehicleIn(**{k: v for k, v in data["vehicle"].items() if v is not None}),
        driver=DriverIn(
            name_ar=data["driver"]["name_ar"],
            name_latin=data["driver"]["name_latin"],
            id_number=version.driver_id_number,
        ),
        cargo=[
            CargoLineIn(**{k: v for k, v in line.items() if v is not None})
            for line in data["cargo"]
        ],
        seals=data["seals"],
        origin=data["origin"],
        destination=data["destination"],
        route=None if by_checkpoints else version.route_geojson,
        checkpoints=data["checkpoints"] if by_checkpoints else None,
        corridor_m=version.corridor_m,
        valid_from=_window_of(version)[0],
        valid_until=_window_of(version)[1],
    )


def _window_of(version: ApplicationVersionRecord) -> tuple[Any, Any]:
    window = version.content.get("window", {})
    return window.get("valid_from"), window.get("valid_until")


def _merge(current: ApplicationIn, body: AmendmentIn) -> ApplicationIn:
    updates = body.model_dump(exclude_unset=True, exclude={"expected_version", "note"})
    # A new route replaces the old one in whichever form it was given.
    if updates.get("route") is not None:
        updates["checkpoints"] = None
    elif updates.get("checkpoints") is not None:
        updates["route"] = None
    merged = current.model_dump()
    merged.update(updates)
    return ApplicationIn.model_validate(merged)


def _changed(
    old: ApplicationVersionRecord, new: Content, route: dict[str, Any]
) -> set[ChangedPart]:
    before, after = old.content, new.data
    changed = set()
    if before["vehicle"] != after["vehicle"]:
        changed.add(ChangedPart.VEHICLE)
    if before["driver"] != after["driver"] or old.driver_id_number != new.driver_id_number:
        changed.add(ChangedPart.DRIVER)
    if before["cargo"] != after["cargo"]:
        changed.add(ChangedPart.CARGO)
    if (
        old.route_geojson != route
        or old.corridor_m != new.corridor_m
        or before.get("checkpoints") != after.get("checkpoints")
    ):
        changed.add(ChangedPart.ROUTE)
    if _window_of(old) != (new.valid_from.isoformat(), new.valid_until.isoformat()):
        changed.add(ChangedPart.WINDOW)
    if any(before[k] != after[k] for k in ("seals", "origin", "destination")):
        changed.add(ChangedPart.DETAILS)
    return changed


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
    permits = ClearanceRepository(session).permits(application.id)
    return permits[-1] if permits else None


def _suspenders(session: Session, permit: PermitRecord) -> set[int]:
    """The authority whose member suspended ``permit``."""
    if permit.status_changed_by is None:
        return set()
    user = PartyRepository(session).user(permit.status_changed_by)
    return set() if user is None else {user.party_id}


def _upheld_since_last_change(
    session: Session, application: ApplicationRecord, review_id: int
) -> bool:
    """One appeal per rejection: after an upheld appeal, only an amendment reopens it."""
    repo = ClearanceRepository(session)
    version = repo.version(application.id, application.current_version)
    since = version.created_at if version is not None else application.created_at
    return any(
        appeal.review_id == review_id and appeal.outcome == "upheld" and appeal.opened_at >= since
        for appeal in repo.appeals(application.id)
    )
