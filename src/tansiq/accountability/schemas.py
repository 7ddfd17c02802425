"""The figures' API shapes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ReasonCountOut(BaseModel):
    reason: str = Field(description="The reason code, or the appeal's outcome (`open`: none yet).")
    count: int


class AuthorityFiguresOut(BaseModel):
    authority: str | None = Field(description="The authority's code; null for the totals.")
    received: int = Field(description="Applications made in the period that reached it.")
    decided: int = Field(description="Decisions it took in the period.")
    approved: int
    refused: int
    refused_by_reason: list[ReasonCountOut]
    timed_decisions: int = Field(
        description="Decisions whose time from the review's opening is known (current round)."
    )
    median_seconds: float | None = Field(description="Nearest-rank median time to decision.")
    p90_seconds: float | None = Field(description="Nearest-rank 90th percentile.")
    overdue: int = Field(description="Its reviews flagged overdue in the period.")
    appealed: int = Field(description="Appeals made in the period against its refusals.")
    appeals_by_outcome: list[ReasonCountOut]
    revoked: int = Field(description="Permits its members revoked in the period.")
    revoked_by_reason: list[ReasonCountOut]
    cases: dict[str, str] = Field(description="Each figure's cases, by figure: an API path.")


class CheckpointFiguresOut(BaseModel):
    checkpoint: str | None = Field(description="The checkpoint's code; null for the totals.")
    authority: str | None = Field(description="The authority that mans it.")
    passages: int
    refusals: int
    refusals_by_reason: list[ReasonCountOut]
    overrides: int = Field(description="Vehicles let through against the verdict.")
    overrides_by_reason: list[ReasonCountOut]
    contradictions: int = Field(description="Refusals of permits the refusing authority signed.")
    clones: int = Field(description="Scans flagged as a suspected cloned permit.")
    cases: dict[str, str]


class PartyLiaisonOut(BaseModel):
    party: str | None = Field(description="The party's code; null for the totals.")
    notified: int = Field(
        description="Versions of movement and site notifications delivered to it in the period."
    )
    acknowledged: int = Field(description="Its acknowledgements given in the period.")
    acknowledged_by_answer: list[ReasonCountOut] = Field(
        description="By answer: `received`, or the concern's code."
    )
    unacknowledged: int = Field(description="Notifications it left unanswered at the deadline.")
    timed_answers: int
    median_seconds: float | None = Field(description="Nearest-rank median time to acknowledge.")
    p90_seconds: float | None = Field(description="Nearest-rank 90th percentile.")
    cases: dict[str, str]


class FiguresOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    authority: str | None = Field(description="The authority asked for, if any.")
    every_authority: bool = Field(description="Whether the caller sees every authority's rows.")
    authorities: list[AuthorityFiguresOut]
    totals: AuthorityFiguresOut
    checkpoints: list[CheckpointFiguresOut]
    checkpoint_totals: CheckpointFiguresOut
    parties: list[PartyLiaisonOut] = Field(
        description="Deconfliction: how each party reached answered, as far as the caller sees."
    )
    party_totals: PartyLiaisonOut


class CaseOut(BaseModel):
    figure: str
    at: datetime
    authority: str
    reason: str | None
    application: int | None = None
    reference: str = ""
    scan: int | None = None
    checkpoint: str = ""
    permit: str = ""
    action: str = ""
    notification: int | None = None
    url: str = Field(description="The case itself in the API.")


class CasesOut(BaseModel):
    cases: list[CaseOut]
    next_offset: int | None = Field(description="Where the next page starts; null at the end.")
