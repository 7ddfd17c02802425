"""Use cases of incidents and advisories: report, corroborate, refute; issue, co-sign, withdraw,
expire; watch. Services flush; the edge (a request, a command, a job) commits.

Every input is checked before anything is written (a refused report stores nothing and tells
nobody). Then, in one transaction: the record, its ledger entry, and its impact (every permit,
movement and watch it touches, told through the outbox, a touched movement asked for fresh
acknowledgement), so a change and the alerts it causes exist together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock, ensure_utc
from tansiq.core.errors import NotFound
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.deconfliction.planning import area_of
from tansiq.deconfliction.sanity import check_in_area
from tansiq.geo.domain import CheckpointStatus
from tansiq.geo.repository import GeoRepository
from tansiq.incidents import access
from tansiq.incidents.domain import (
    ADVISORY_GEOMETRY,
    INCIDENT_GEOMETRY,
    AdvisoryChange,
    AdvisoryKind,
    AdvisoryStatus,
    CheckpointNotAllowed,
    CheckpointRequired,
    GeometryMismatch,
    IncidentStatus,
    OccurredInFuture,
    Verdict,
    check_cosign,
    check_free_text,
    check_sub_type,
    check_transition,
    check_validity,
    check_verdict,
    verification_state,
)
from tansiq.incidents.env import IncidentsEnv
from tansiq.incidents.impact import (
    ADVISORY,
    INCIDENT,
    assess,
    end_hazard,
    tell_cosign,
    tell_verdict,
)
from tansiq.incidents.jobs import (
    CHECKPOINT_EVERY,
    schedule_checkpoint_check,
    schedule_end,
    schedule_sweep,
)
from tansiq.incidents.ledger import incident_facts, record, record_change
from tansiq.incidents.ledger_facts import COSIGNED, cosign_facts, verdict_facts, verdict_kind
from tansiq.incidents.models import (
    AdvisoryRecord,
    CosignRecord,
    IncidentRecord,
    VerdictRecord,
    WatchRecord,
)
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.schemas import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    AdvisoryIn,
    IncidentIn,
    WatchIn,
)
from tansiq.incidents.shapes import Located, locate
from tansiq.ledger.service import record_entry
from tansiq.parties import access as party_access
from tansiq.parties.domain import Principal

# An incident is reported as it happens or after; a clock a few minutes ahead is not a lie.
FUTURE_TOLERANCE = timedelta(minutes=10)


class IncidentNotFound(NotFound):
    code = "incident.not_found"
    message = N_("No incident {incident}.")


class AdvisoryNotFound(NotFound):
    code = "advisory.not_found"
    message = N_("No advisory {advisory}.")


class WatchNotFound(NotFound):
    code = "watch.not_found"
    message = N_("No watch {watch} of your party.")


class CheckpointNotFound(NotFound):
    code = "advisory.checkpoint_not_found"
    message = N_('No checkpoint "{checkpoint}".')


# --- incidents ---------------------------------------------------------------------------------


def record_incident(
    session: Session, principal: Principal, body: IncidentIn, env: IncidentsEnv
) -> IncidentRecord:
    party_access.require(access.can_report(principal))
    now = env.clock.now()
    check_sub_type(body.event_type, body.sub_type)
    occurred = ensure_utc(body.occurred_at)
    if occurred > now + FUTURE_TOLERANCE:
        raise OccurredInFuture
    until = (
        ensure_utc(body.relevant_until)
        if body.relevant_until is not None
        else max(occurred, now) + env.relevance
    )
    check_validity(occurred, until, now, env.max_days)
    description = check_free_text(
        "description", normalise_text(body.description), limit=MAX_DESCRIPTION
    )
    place = locate(body.location, INCIDENT_GEOMETRY)
    check_in_area(place.shape, area_of(session, env.deconfliction.policy))
    incident = IncidentRecord(
        reporter_party_id=principal.party_id,
        reported_by=principal.user_id,
        event_type=body.event_type,
        sub_type=body.sub_type,
        occurred_at=occurred,
        time_precision=body.time_precision,
        relevant_until=until,
        **place.columns(),
        location_precision=body.location_precision,
        description=description,
        confidence=body.confidence,
        severity=body.severity,
        verification=verification_state(0, 0),
        status=IncidentStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    repo = IncidentsRepository(session)
    repo.add(incident)
    repo.flush()
    record(session, "reported", INCIDENT, incident.id, incident_facts(incident), now)
    schedule_end(session, INCIDENT, incident.id, incident.relevant_until, env.clock)
    schedule_sweep(session, now, env.clock)
    assess(session, INCIDENT, incident, env)
    return incident


def judge_incident(
    session: Session,
    principal: Principal,
    incident_id: int,
    verdict: Verdict,
    note: str,
    clock: Clock,
) -> IncidentRecord:
    """Another party corroborates or refutes: once per party, never the reporter's own."""
    party_access.require(access.can_report(principal))
    note = check_free_text("note", normalise_text(note), limit=MAX_NOTE)
    repo = IncidentsRepository(session)
    incident = repo.lock_incident(incident_id)
    if incident is None:
        raise IncidentNotFound(incident=incident_id)
    verdicts = repo.verdicts(incident.id)
    check_verdict(
        incident.reporter_party_id, principal.party_id, frozenset(v.party_id for v in verdicts)
    )
    now = clock.now()
    given = VerdictRecord(
        incident_id=incident.id,
        party_id=principal.party_id,
        user_id=principal.user_id,
        verdict=verdict,
        note=note,
        at=now,
    )
    repo.add(given)
    counts = [v.verdict for v in verdicts] + [verdict]
    incident.verification = verification_state(
        counts.count(Verdict.CORROBORATE), counts.count(Verdict.REFUTE)
    )
    incident.updated_at = now
    repo.flush()
    facts = verdict_facts(given, incident.verification.value)
    record_entry(
        session,
        kind=verdict_kind(verdict),
        subject=f"incident:{incident.id}",
        content=facts,
        at=now,
    )
    tell_verdict(session, incident, principal.party_id, verdict, note, clock)
    return incident


def visible_incident(session: Session, principal: Principal, incident_id: int) -> IncidentRecord:
    party_access.require(access.can_see(principal))
    incident = IncidentsRepository(session).incident(incident_id)
    if incident is None:
        raise IncidentNotFound(incident=incident_id)
    return incident


def close_incident(session: Session, incident: IncidentRecord, clock: Clock) -> None:
    """Its relevance window passed: it stops flagging, and those it touched are told."""
    if incident.status is not IncidentStatus.ACTIVE:
        return
    now = clock.now()
    incident.status = IncidentStatus.CLOSED
    incident.updated_at = incident.closed_at = now
    session.flush()
    record(session, "closed", INCIDENT, incident.id, {"at": now}, now)
    end_hazard(session, INCIDENT, incident, IncidentStatus.CLOSED.value, clock)


# --- advisories --------------------------------------------------------------------------------


def issue_advisory(
    session: Session, principal: Principal, body: AdvisoryIn, env: IncidentsEnv
) -> AdvisoryRecord:
    party_access.require(access.can_issue(principal))
    now = env.clock.now()
    start = now if body.valid_from is None else ensure_utc(body.valid_from)
    until = ensure_utc(body.valid_until)
    check_validity(start, until, now, env.max_days)
    description = check_free_text(
        "description", normalise_text(body.description), limit=MAX_DESCRIPTION
    )
    repo = IncidentsRepository(session)
    if body.incident is not None and repo.incident(body.incident) is None:
        raise IncidentNotFound(incident=body.incident)
    checkpoint_id, place = _advisory_place(session, principal, body, env)
    advisory = AdvisoryRecord(
        issuer_party_id=principal.party_id,
        issued_by=principal.user_id,
        kind=body.kind,
        checkpoint_id=checkpoint_id,
        incident_id=body.incident,
        **place.columns(),
        valid_from=start,
        valid_until=until,
        severity=body.severity,
        description=description,
        status=AdvisoryStatus.ACTIVE,
        created_at=now,
        updated_at=now,
        end_note="",
    )
    repo.add(advisory)
    repo.flush()
    record_change(
        session, advisory, AdvisoryChange.ISSUED, now, by=advisory.issued_by, valid_until=until
    )
    schedule_end(session, ADVISORY, advisory.id, advisory.valid_until, env.clock)
    schedule_sweep(session, now, env.clock)
    if checkpoint_id is not None:
        _set_checkpoint(session, checkpoint_id, CheckpointStatus.CLOSED, description, now)
        schedule_checkpoint_check(session, advisory.id, now + CHECKPOINT_EVERY, env.clock)
    assess(session, ADVISORY, advisory, env)
    return advisory


def _advisory_place(
    session: Session, principal: Principal, body: AdvisoryIn, env: IncidentsEnv
) -> tuple[int | None, Located]:
    expected = ADVISORY_GEOMETRY[body.kind]
    if body.kind is not AdvisoryKind.CHECKPOINT_CLOSED:
        if body.checkpoint is not None:
            raise CheckpointNotAllowed
        if body.geometry is None:
            raise GeometryMismatch(kind=body.kind.value, expected=" / ".join(expected))
        place = locate(body.geometry, expected)
        check_in_area(place.shape, area_of(session, env.deconfliction.policy))
        return None, place
    if body.checkpoint is None:
        raise CheckpointRequired
    checkpoint = GeoRepository(session).checkpoint_by_code(normalise_text(body.checkpoint))
    if checkpoint is None:
        raise CheckpointNotFound(checkpoint=body.checkpoint[:40])
    party_access.require(access.can_close_checkpoint(principal, checkpoint.authority_id))
    point = {"type": "Point", "coordinates": [checkpoint.lon, checkpoint.lat]}
    return checkpoint.id, locate(point, expected)


def _set_checkpoint(
    session: Session, checkpoint_id: int, status: CheckpointStatus, reason: str, now: datetime
) -> None:
    """The checkpoint's own status follows its closure advisory (and the routing index hears
    of it through the geography's revision)."""
    geo = GeoRepository(session)
    checkpoint = geo.checkpoint(checkpoint_id)
    if checkpoint is None or checkpoint.status is status:
        return
    checkpoint.status = status
    checkpoint.status_reason = reason if status is CheckpointStatus.CLOSED else ""
    checkpoint.updated_at = now
    geo.bump_revision()
    geo.flush()


def cosign_advisory(
    session: Session, principal: Principal, advisory_id: int, clock: Clock
) -> AdvisoryRecord:
    party_access.require(access.can_issue(principal))
    repo = IncidentsRepository(session)
    advisory = _active_advisory(repo, advisory_id)
    cosigners = frozenset(c.party_id for c in repo.cosigns(advisory.id))
    check_cosign(advisory.issuer_party_id, principal.party_id, cosigners)
    now = clock.now()
    cosign = CosignRecord(
        advisory_id=advisory.id, party_id=principal.party_id, user_id=principal.user_id, at=now
    )
    repo.add(cosign)
    advisory.updated_at = now
    repo.flush()
    record_entry(
        session,
        kind=COSIGNED,
        subject=f"advisory:{advisory.id}",
        content=cosign_facts(cosign),
        at=now,
    )
    tell_cosign(session, advisory, principal.party_id, clock)
    return advisory


def withdraw_advisory(
    session: Session, principal: Principal, advisory_id: int, note: str, clock: Clock
) -> AdvisoryRecord:
    repo = IncidentsRepository(session)
    advisory = repo.advisory(advisory_id)
    if advisory is None:
        raise AdvisoryNotFound(advisory=advisory_id)
    party_access.require(access.can_end_advisory(principal, advisory.issuer_party_id))
    note = check_free_text("note", normalise_text(note), limit=MAX_NOTE)
    return end_advisory(
        session, advisory.id, AdvisoryStatus.WITHDRAWN, clock, by=principal.user_id, note=note
    )


def end_advisory(
    session: Session,
    advisory_id: int,
    status: AdvisoryStatus,
    clock: Clock,
    *,
    by: int | None = None,
    note: str = "",
    reason: str | None = None,
) -> AdvisoryRecord:
    """Withdrawn or expired: recorded, never deleted; it stops flagging, those it touched are
    told, and a checkpoint it closed opens again (unless another closure still holds it)."""
    repo = IncidentsRepository(session)
    advisory = repo.lock_advisory(advisory_id)
    if advisory is None:
        raise AdvisoryNotFound(advisory=advisory_id)
    check_transition(advisory.status, status)
    now = clock.now()
    advisory.status = status
    advisory.ended_at, advisory.ended_by, advisory.end_note = now, by, note
    advisory.updated_at = now
    repo.flush()
    change = AdvisoryChange(status.value)
    record_change(session, advisory, change, now, by=by, note=note, reason=reason)
    if advisory.checkpoint_id is not None and not repo.active_checkpoint_closures(
        advisory.checkpoint_id
    ):
        _set_checkpoint(session, advisory.checkpoint_id, CheckpointStatus.OPEN, "", now)
    end_hazard(session, ADVISORY, advisory, status.value, clock)
    return advisory


def change_advisory_window(
    session: Session,
    principal: Principal,
    advisory_id: int,
    valid_until: datetime,
    env: IncidentsEnv,
) -> AdvisoryRecord:
    """The issuing party moves the end of its advisory (a closure lasts longer, or less). The
    end job is scheduled anew (the old one finds the window moved and does nothing), and what
    the longer window now touches is alerted, as on issue."""
    repo = IncidentsRepository(session)
    found = repo.advisory(advisory_id)
    if found is None:
        raise AdvisoryNotFound(advisory=advisory_id)
    party_access.require(access.can_end_advisory(principal, found.issuer_party_id))
    advisory = _active_advisory(repo, advisory_id)
    now = env.clock.now()
    until = ensure_utc(valid_until)
    check_validity(advisory.valid_from, until, now, env.max_days)
    before = advisory.valid_until
    advisory.valid_until, advisory.updated_at = until, now
    repo.flush()
    record_change(
        session,
        advisory,
        AdvisoryChange.CHANGED,
        now,
        by=principal.user_id,
        valid_until=until,
        was_until=before,
    )
    schedule_end(session, ADVISORY, advisory.id, until, env.clock)
    assess(session, ADVISORY, advisory, env)
    return advisory


def _active_advisory(repo: IncidentsRepository, advisory_id: int) -> AdvisoryRecord:
    advisory = repo.lock_advisory(advisory_id)
    if advisory is None:
        raise AdvisoryNotFound(advisory=advisory_id)
    check_transition(advisory.status, AdvisoryStatus.WITHDRAWN)  # still active
    return advisory


def visible_advisory(session: Session, principal: Principal, advisory_id: int) -> AdvisoryRecord:
    party_access.require(access.can_see(principal))
    advisory = IncidentsRepository(session).advisory(advisory_id)
    if advisory is None:
        raise AdvisoryNotFound(advisory=advisory_id)
    return advisory


# --- watches -----------------------------------------------------------------------------------


def create_watch(
    session: Session, principal: Principal, body: WatchIn, env: IncidentsEnv
) -> WatchRecord:
    party_access.require(access.can_watch(principal))
    name = check_free_text("name", normalise_text(body.name), limit=200, required=True)
    place = locate(body.geometry, ("LineString", "Polygon", "MultiPolygon", "Point"))
    check_in_area(place.shape, area_of(session, env.deconfliction.policy))
    now = env.clock.now()
    watch = WatchRecord(
        party_id=principal.party_id,
        created_by=principal.user_id,
        name=name,
        **place.columns(grow_m=body.reach_m),
        reach_m=body.reach_m,
        active=True,
        created_at=now,
    )
    repo = IncidentsRepository(session)
    repo.add(watch)
    repo.flush()
    record(session, "watch_created", "watch", watch.id, {"party": principal.party_id}, now)
    return watch


def own_watch(session: Session, principal: Principal, watch_id: int) -> WatchRecord:
    """One of the principal's party's watches; another party's is "not found"."""
    watch = IncidentsRepository(session).watch(watch_id)
    if watch is None or not access.owns_watch(principal, watch.party_id):
        raise WatchNotFound(watch=watch_id)
    return watch


def end_watch(session: Session, principal: Principal, watch_id: int, clock: Clock) -> WatchRecord:
    repo = IncidentsRepository(session)
    watch = own_watch(session, principal, watch_id)
    party_access.require(access.can_watch(principal))
    if watch.active:
        now = clock.now()
        watch.active, watch.ended_at, watch.ended_by = False, now, principal.user_id
        repo.flush()
        record(session, "watch_ended", "watch", watch.id, {"by": principal.user_id}, now)
    return watch
