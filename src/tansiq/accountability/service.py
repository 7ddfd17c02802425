"""The figures' use cases: the dashboard's figures for a period, and the cases behind one
figure, each for a reader who may see them. Read-only: nothing here writes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.accountability import access
from tansiq.accountability.domain import (
    BY_REASON,
    CHECKPOINT_FIGURES,
    LIAISON_FIGURES,
    OPEN_APPEAL,
    Figure,
    Period,
    UnknownAuthority,
    UnknownReason,
)
from tansiq.accountability.reasons import REASONS
from tansiq.accountability.repository import FigureRepository
from tansiq.checkpoints.access import scan_sight
from tansiq.checkpoints.domain import OfficerAction
from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import Decision
from tansiq.clearances.service import scope_of
from tansiq.core.clock import ensure_utc
from tansiq.core.errors import Forbidden, InvalidInput
from tansiq.core.i18n import N_
from tansiq.deconfliction.planning import reference
from tansiq.parties.access import is_hub_admin
from tansiq.parties.directory import parties
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.models import PartyRecord
from tansiq.tallies.domain import (
    DECISION_TIME_EDGES,
    RECEIVED_PLAIN,
    Tally,
    bucket_seconds,
    percentile_bucket,
)
from tansiq.tallies.repository import TallyRepository

PERCENTS = (50, 90)
LIAISON_TALLIES = frozenset({Tally.NOTIFIED, Tally.ACKNOWLEDGED, Tally.UNACKNOWLEDGED})
APPROVALS = (Decision.APPROVE.value, Decision.APPROVE_WITH_CONDITIONS.value)


@dataclass
class AuthorityFigures:
    """One authority's figures over the period (``id`` 0: the totals over every authority)."""

    id: int
    code: str
    name_ar: str
    name_en: str
    received: int = 0
    decided: int = 0
    approved: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    timed: int = 0  # decisions whose time to decision is known (their round's opening is kept)
    median_seconds: float | None = None
    p90_seconds: float | None = None
    overdue: int = 0
    appealed: Counter[str] = field(default_factory=Counter)
    revoked: Counter[str] = field(default_factory=Counter)

    def count(self, figure: Figure) -> int:
        value = getattr(self, figure.value)
        return sum(value.values()) if isinstance(value, Counter) else int(value)


@dataclass
class CheckpointFigures:
    """One checkpoint's figures over the period (``id`` 0: the totals over every one)."""

    id: int
    code: str
    name_ar: str
    name_en: str
    authority_id: int
    passages: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    overrides: Counter[str] = field(default_factory=Counter)
    contradictions: int = 0
    clones: int = 0

    def count(self, figure: Figure) -> int:
        value = getattr(self, figure.value)
        return sum(value.values()) if isinstance(value, Counter) else int(value)


@dataclass
class PartyLiaisonFigures:
    """How one party answered the notifications that reached it (``id`` 0: every party)."""

    id: int
    code: str
    name_ar: str
    name_en: str
    notified: int = 0
    acknowledged: Counter[str] = field(default_factory=Counter)  # by "received" or concern
    unacknowledged: int = 0
    timed: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None

    def count(self, figure: Figure) -> int:
        value = getattr(self, figure.value)
        return sum(value.values()) if isinstance(value, Counter) else int(value)

    @property
    def with_concern(self) -> int:
        return sum(n for answer, n in self.acknowledged.items() if answer != RECEIVED_PLAIN)


@dataclass
class Figures:
    period: Period
    authority: str | None  # the filter asked for, by code
    every_authority: bool  # the reader sees every authority's own figures
    authorities: list[AuthorityFigures]
    totals: AuthorityFigures
    checkpoints: list[CheckpointFigures]
    checkpoint_totals: CheckpointFigures
    authority_codes: dict[int, str]
    liaison: list[PartyLiaisonFigures] = field(default_factory=list)
    liaison_totals: PartyLiaisonFigures = field(
        default_factory=lambda: PartyLiaisonFigures(0, "", "", "")
    )


def require_viewer(principal: Principal) -> None:
    if not access.can_view_figures(principal):
        raise Forbidden


def authority_filter(
    session: Session, principal: Principal, code: str | None
) -> PartyRecord | None:
    """The authority asked for (by code), if the reader may see its own figures."""
    if not code:
        return None
    found = {p.code: p for p in parties(session, PartyKind.AUTHORITY)}.get(code)
    if found is None:
        raise UnknownAuthority(authority=code[:40])
    sight = access.figure_sight(principal)
    if sight.authority_id is not None and sight.authority_id != found.id:
        raise Forbidden
    return found


def figures(
    session: Session, principal: Principal, period: Period, authority: str | None = None
) -> Figures:
    """Every figure of ``period`` the reader may see: each authority's and checkpoint's own
    (all, or the reader's authority's only), and the totals over all."""
    require_viewer(principal)
    chosen = authority_filter(session, principal, authority)
    sight = access.figure_sight(principal)
    repo = FigureRepository(session)
    known = {p.id: p for p in parties(session, PartyKind.AUTHORITY)}
    rows: dict[int, AuthorityFigures] = {
        p.id: AuthorityFigures(p.id, p.code, p.name_ar, p.name_en) for p in known.values()
    }
    totals = AuthorityFigures(0, "", "", "")
    places = {
        place.id: CheckpointFigures(
            place.id, place.code, place.name_ar, place.name_en, place.authority_id
        )
        for place in repo.checkpoints()
    }
    checkpoint_totals = CheckpointFigures(0, "", "", "", 0)
    times: dict[int, Counter[int]] = {}
    everyone = {p.id: p for p in parties(session)}
    liaison: dict[int, PartyLiaisonFigures] = {}
    liaison_totals = PartyLiaisonFigures(0, "", "", "")
    answer_times: dict[int, Counter[int]] = {}
    for name, party, checkpoint, reason, bucket, count in TallyRepository(session).sums(
        period.first, period.last
    ):
        figure = Tally(name)
        if figure is Tally.DECISION_TIME:
            for target in (party, 0):
                times.setdefault(target, Counter())[bucket] += count
        elif figure is Tally.ACK_TIME:
            for target in (party, 0):
                answer_times.setdefault(target, Counter())[bucket] += count
        elif figure in LIAISON_TALLIES:
            who = everyone.get(party)
            if who is not None and party not in liaison:
                liaison[party] = PartyLiaisonFigures(who.id, who.code, who.name_ar, who.name_en)
            for answered in [liaison_totals] if who is None else [liaison[party], liaison_totals]:
                _add(answered, figure.value, reason, count)
        elif checkpoint:
            spot = places.get(checkpoint)
            for place in [checkpoint_totals] if spot is None else [spot, checkpoint_totals]:
                _add(place, figure.value, reason, count)
        else:
            row = rows.get(party)
            for target_row in [totals] if row is None else [row, totals]:
                _add(target_row, figure.value, reason, count)
    for target, buckets in times.items():
        timed_row = totals if target == 0 else rows.get(target)
        if timed_row is not None:
            timed_row.timed = sum(buckets.values())
            timed_row.median_seconds = _within(buckets, PERCENTS[0])
            timed_row.p90_seconds = _within(buckets, PERCENTS[1])
    for target, buckets in answer_times.items():
        answered_row = liaison_totals if target == 0 else liaison.get(target)
        if answered_row is not None:
            answered_row.timed = sum(buckets.values())
            answered_row.median_seconds = _within(buckets, PERCENTS[0])
            answered_row.p90_seconds = _within(buckets, PERCENTS[1])

    shown_ids = set(known)
    if sight.authority_id is not None:
        shown_ids = {sight.authority_id}
    if chosen is not None:
        shown_ids &= {chosen.id}
    return Figures(
        period=period,
        authority=None if chosen is None else chosen.code,
        every_authority=sight.authority_id is None,
        authorities=[rows[i] for i in sorted(shown_ids, key=lambda i: rows[i].code)],
        totals=totals,
        checkpoints=[p for p in places.values() if p.authority_id in shown_ids],
        checkpoint_totals=checkpoint_totals,
        authority_codes={p.id: p.code for p in known.values()},
        liaison=sorted(
            (row for row in liaison.values() if _shown(sight, chosen, row.id)),
            key=lambda row: row.code,
        ),
        liaison_totals=liaison_totals,
    )


def _shown(sight: access.FigureSight, chosen: PartyRecord | None, party: int) -> bool:
    """Whether a party's own row of the deconfliction figures is shown: every party's to
    those who see every authority, else the reader's own; only the one asked for, if any."""
    if chosen is not None and chosen.id != party:
        return False
    return sight.authority_id is None or sight.authority_id == party


def _add(
    row: AuthorityFigures | CheckpointFigures | PartyLiaisonFigures,
    name: str,
    reason: str,
    count: int,
) -> None:
    """Add ``count`` to the figure ``name`` of ``row`` (to its ``reason`` if it has reasons)."""
    if not count:  # an appeal moved on from "open": nothing left in that row
        return
    value = getattr(row, name)
    if isinstance(value, Counter):
        value[reason] += count
    else:
        setattr(row, name, value + count)


def _within(buckets: Counter[int], percent: int) -> float | None:
    """The time within which ``percent`` of the decisions were taken: the upper edge of the
    bucket of the nearest-rank percentile (30 days for the open-ended last bucket)."""
    bucket = percentile_bucket(buckets, percent)
    if bucket is None:
        return None
    edge = bucket_seconds(bucket)
    return DECISION_TIME_EDGES[-1] * 60.0 if edge is None else edge


@dataclass(frozen=True)
class Case:
    """One case behind a figure: an application (by its reference) or a scan."""

    figure: Figure
    at: datetime
    authority: str
    reason: str | None
    application_id: int | None = None
    reference: str = ""
    scan_id: int | None = None
    checkpoint: str = ""
    permit: str = ""
    action: str = ""
    notification_id: int | None = None


# The moment of an acknowledgement each deconfliction figure counts it at.
LIAISON_MOMENTS = {
    Figure.NOTIFIED: "delivered_at",
    Figure.ACKNOWLEDGED: "answered_at",
    Figure.UNACKNOWLEDGED: "escalated_at",
}


def check_reason(figure: Figure, reason: str | None) -> None:
    if reason is None:
        return
    if figure not in BY_REASON and figure is not Figure.APPEALED:
        raise UnknownReason(figure=figure.value, reason=reason[:40])
    if reason not in REASONS[figure]:
        raise UnknownReason(figure=figure.value, reason=reason[:40])


def cases(
    session: Session,
    principal: Principal,
    figure: Figure,
    period: Period,
    *,
    authority: str | None = None,
    checkpoint: str | None = None,
    reason: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """The cases counted in ``figure`` over ``period`` (for one authority, checkpoint or
    reason when given) that the reader may see, newest first. The reader may be shown fewer
    cases than the figure counts: a figure counts every case, a list shows only those the
    reader may see one by one."""
    require_viewer(principal)
    check_reason(figure, reason)
    if figure in LIAISON_FIGURES:
        return _liaison_cases(
            session, principal, figure, period, authority, reason, limit=limit, offset=offset
        )
    chosen = authority_filter(session, principal, authority)
    sight = access.figure_sight(principal)
    authority_id = sight.authority_id if chosen is None else chosen.id
    repo = FigureRepository(session)
    codes = {p.id: p.code for p in parties(session, PartyKind.AUTHORITY)}
    start, end = period.start, period.end
    if figure in CHECKPOINT_FIGURES:
        place = None
        if checkpoint:
            place = next((p for p in repo.checkpoints() if p.code == checkpoint), None)
            if place is None:
                return []
        action = {
            Figure.PASSAGES: OfficerAction.PASSAGE,
            Figure.REFUSALS: OfficerAction.REFUSAL,
            Figure.OVERRIDES: OfficerAction.OVERRIDE,
        }.get(figure)
        scans = repo.scan_cases(
            scan_sight(principal),
            start,
            end,
            authority=authority_id,
            checkpoint=None if place is None else place.id,
            action=action,
            reason=reason,
            contradiction=figure is Figure.CONTRADICTIONS,
            clone=figure is Figure.CLONES,
            limit=limit,
            offset=offset,
        )
        return [
            Case(
                figure=figure,
                at=ensure_utc(scan.scanned_at),
                authority=codes.get(spot.authority_id, ""),
                reason=scan.reason_code,
                scan_id=scan.id,
                checkpoint=spot.code,
                permit=scan.permit_ref,
                action=scan.action.value,
            )
            for scan, spot in scans
        ]
    if figure is Figure.RECEIVED:
        query = repo.received_cases(start, end, authority_id)
    elif figure in (Figure.DECIDED, Figure.APPROVED, Figure.REFUSED):
        decisions = {
            Figure.DECIDED: None,
            Figure.APPROVED: APPROVALS,
            Figure.REFUSED: (Decision.REJECT.value,),
        }[figure]
        query = repo.decision_cases(start, end, authority_id, decisions, reason)
    elif figure is Figure.OVERDUE:
        query = repo.overdue_cases(start, end, authority_id)
    elif figure is Figure.APPEALED:
        still_open = reason == OPEN_APPEAL
        query = repo.appeal_cases(start, end, authority_id, reason, still_open)
    else:
        query = repo.revocation_cases(start, end, authority_id, reason)
    rows = repo.application_cases(query, scope_of(principal), limit=limit, offset=offset)
    return [
        Case(
            figure=figure,
            at=ensure_utc(at),
            authority=codes.get(by, ""),
            reason=(why or OPEN_APPEAL) if figure is Figure.APPEALED else why,
            application_id=application.id,
            reference=reference_of(application),
        )
        for application, by, at, why in rows
    ]


def _liaison_cases(
    session: Session,
    principal: Principal,
    figure: Figure,
    period: Period,
    party: str | None,
    answer: str | None,
    *,
    limit: int,
    offset: int,
) -> list[Case]:
    """The acknowledgements behind a deconfliction figure (of one party, by its code, of any
    kind), of the notifications the reader may see: those its party filed or was reached by,
    all of them for the hub's operator. The municipality and observers see the counts only."""
    codes = {p.id: p.code for p in parties(session)}
    party_id = None
    if party:
        party_id = next((i for i, code in codes.items() if code == party), None)
        if party_id is None:
            raise UnknownAuthority(authority=party[:40])
    sight = access.figure_sight(principal)
    if sight.authority_id is not None and party_id not in (None, sight.authority_id):
        raise Forbidden
    rows = FigureRepository(session).acknowledgement_cases(
        None if is_hub_admin(principal) else principal.party_id,
        LIAISON_MOMENTS[figure],
        period.start,
        period.end,
        party=sight.authority_id if party_id is None else party_id,
        answer=answer,
        limit=limit,
        offset=offset,
    )
    return [
        Case(
            figure=figure,
            at=ensure_utc(getattr(ack, LIAISON_MOMENTS[figure])),
            authority=codes.get(ack.party_id, ""),
            reason=(ack.concern.value if ack.concern else RECEIVED_PLAIN)
            if figure is Figure.ACKNOWLEDGED
            else None,
            reference=reference(notification.kind, notification.id),
            notification_id=notification.id,
        )
        for ack, notification in rows
    ]


class UnknownFigure(InvalidInput):
    code = "figures.unknown_figure"
    message = N_('There is no figure "{figure}".')
