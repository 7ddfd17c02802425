"""The ends of incidents and advisories as database jobs: an advisory expires at the end of
its validity window, an incident stops counting at ``relevant_until``. Each is scheduled in
the transaction that records it; the job checks again when it runs (a withdrawn advisory, a
changed window) so a late or repeated run changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock
from tansiq.geo.domain import CheckpointStatus
from tansiq.geo.repository import GeoRepository
from tansiq.incidents.domain import AdvisoryStatus, IncidentStatus
from tansiq.incidents.env import env_of
from tansiq.incidents.impact import ADVISORY, INCIDENT, assess
from tansiq.incidents.jobs import (
    CHECKPOINT_EVERY,
    JOB_CHECKPOINT,
    JOB_END,
    JOB_SWEEP,
    schedule_checkpoint_check,
    schedule_sweep,
)
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.service import close_incident, end_advisory
from tansiq.jobs.service import JobHandler
from tansiq.settings import Settings

JOB_EXPIRE_ADVISORY = JOB_END["advisory"]
JOB_CLOSE_INCIDENT = JOB_END["incident"]
# Why the hub ended it, on the ledger (a code: the people's note stays theirs, and empty).
REOPENED = "checkpoint_reopened"


def expire_advisory(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    advisory = IncidentsRepository(session).lock_advisory(int(payload["advisory"]))
    if advisory is None or advisory.status is not AdvisoryStatus.ACTIVE:
        return
    if advisory.valid_until > clock.now():
        return  # its window was moved on: the later job ends it
    end_advisory(session, advisory.id, AdvisoryStatus.EXPIRED, clock)


def close_incident_job(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    incident = IncidentsRepository(session).lock_incident(int(payload["incident"]))
    if incident is None or incident.status is not IncidentStatus.ACTIVE:
        return
    if incident.relevant_until > clock.now():
        return
    close_incident(session, incident, clock)


def follow_checkpoint(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    """A checkpoint closure follows its checkpoint: reopened by its authority, the closure
    ends (withdrawn, noted); still closed, it looks again later."""
    advisory = IncidentsRepository(session).lock_advisory(int(payload["advisory"]))
    if advisory is None or advisory.status is not AdvisoryStatus.ACTIVE:
        return
    if advisory.checkpoint_id is None:
        return
    checkpoint = GeoRepository(session).checkpoint(advisory.checkpoint_id)
    if checkpoint is not None and checkpoint.status is CheckpointStatus.OPEN:
        end_advisory(session, advisory.id, AdvisoryStatus.WITHDRAWN, clock, reason=REOPENED)
        return
    schedule_checkpoint_check(session, advisory.id, clock.now() + CHECKPOINT_EVERY, clock)


def expire_due(session: Session, clock: Clock) -> int:
    """End everything past its time now (the CLI's ``tansiq incident expire``, a safety net
    for a hub whose worker was down); returns how many ended."""
    repo = IncidentsRepository(session)
    now = clock.now()
    ended = 0
    for advisory in repo.advisories_ending(now):
        end_advisory(session, advisory.id, AdvisoryStatus.EXPIRED, clock)
        ended += 1
    for incident in repo.incidents_ending(now):
        close_incident(session, incident, clock)
        ended += 1
    return ended


def sweep_with(settings: Settings) -> JobHandler:
    caches = ProcessCaches()  # the worker's: its corridor cache lasts from sweep to sweep

    def sweep(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        """Assess every incident and advisory in force again; while any is, sweep again."""
        env = env_of(settings, clock, caches)
        repo = IncidentsRepository(session)
        now = clock.now()
        incidents = repo.incidents(current_at=now, limit=1000)
        advisories = list(repo.advisories(status=AdvisoryStatus.ACTIVE, limit=1000))
        for incident in incidents:
            assess(session, INCIDENT, incident, env)
        for advisory in advisories:
            if advisory.valid_until > now:
                assess(session, ADVISORY, advisory, env)
        if incidents or advisories:
            schedule_sweep(session, now, clock)

    return sweep


def job_handlers(settings: Settings) -> dict[str, JobHandler]:
    return {
        JOB_SWEEP: sweep_with(settings),
        JOB_EXPIRE_ADVISORY: expire_advisory,
        JOB_CLOSE_INCIDENT: close_incident_job,
        JOB_CHECKPOINT: follow_checkpoint,
    }
