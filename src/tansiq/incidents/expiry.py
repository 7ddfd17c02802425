"""The ends of incidents and advisories as database jobs: an advisory expires at the end of
its validity window, an incident stops counting at ``relevant_until``. Each is scheduled in
the transaction that records it; the job checks again when it runs (a withdrawn advisory, a
changed window) so a late or repeated run changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.incidents.domain import AdvisoryStatus, IncidentStatus
from tansiq.incidents.jobs import JOB_END
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.service import close_incident, end_advisory
from tansiq.jobs.service import JobHandler

JOB_EXPIRE_ADVISORY = JOB_END["advisory"]
JOB_CLOSE_INCIDENT = JOB_END["incident"]


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


def job_handlers() -> dict[str, JobHandler]:
    return {JOB_EXPIRE_ADVISORY: expire_advisory, JOB_CLOSE_INCIDENT: close_incident_job}
