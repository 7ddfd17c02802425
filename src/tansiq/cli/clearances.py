"""``tansiq applications``, ``tansiq reviews`` and ``tansiq permits``: the same use cases as
the API, for scripts and for an operator at the console. ``--as`` names the acting user."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError

from tansiq.clearances import appeals, permit_actions, records, reviews, service
from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import Decision, ReviewStatus
from tansiq.clearances.reasons import ReasonCode
from tansiq.clearances.render import application_out, permit_out
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import (
    AmendmentIn,
    AppealIn,
    ApplicationIn,
    ApplicationOut,
    ConditionIn,
    DecisionIn,
    PermitActionIn,
)
from tansiq.cli.base import echo_json, hub_context, operator, read_json, session_scope
from tansiq.cli.errors import cli_when
from tansiq.core.errors import ErrorDetail, InvalidInput
from tansiq.core.i18n import N_
from tansiq.geo.service import spatial_index_cache
from tansiq.permits.domain import ConditionKind, PermitAction, PermitNotFound
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import TokenNotFound
from tansiq.web.deps import MAX_ID

Model = TypeVar("Model", bound=BaseModel)
AS_USER = click.option(
    "--as",
    "as_user",
    required=True,
    metavar="USERNAME",
    help="The user to act as (an applicant, or a reviewer of the authority).",
)


def parse(model: type[Model], data: Any) -> Model:
    """``data`` as ``model``, or a coded error listing every field problem."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(
            [
                ErrorDetail(
                    code=f"field.{problem['type']}",
                    message=N_("This value is missing or not valid."),
                    path=".".join(str(part) for part in problem["loc"]),
                )
                for problem in error.errors()[:50]
            ]
        ) from None


def show(application: ApplicationOut) -> None:
    click.echo(
        f"{application.reference}  {application.status.value}  version "
        f"{application.version}  ({application.client_reference})"
    )
    if application.contradiction:
        click.echo("  CONTRADICTION: one authority approved what another refused.")
    for review in application.reviews:
        reason = f" {review.reason_code.value}" if review.reason_code else ""
        overdue = " OVERDUE" if review.overdue else ""
        # A review an amendment dropped is "no longer required", never its old decision.
        standing = (
            review.status_label.en.lower()
            if review.status is ReviewStatus.DROPPED
            else review.status.value
        )
        click.echo(
            f"  review {review.id}: {review.authority:<16} {standing}"
            f"{reason}{overdue}  round {review.round}, due {cli_when(review.deadline)}"
            f"{'  note: ' + review.note if review.note else ''}"
        )
    for permit in application.permits:
        click.echo(
            f"  permit {permit.id} {permit.number}: {permit.status.value}, "
            f"{cli_when(permit.valid_from)} to {cli_when(permit.valid_until)}"
        )


@click.group()
def applications() -> None:
    """Applications for clearance: submit, list, show, amend, withdraw, appeal."""


@applications.command("submit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_USER
@click.option(
    "--valid-hours",
    type=click.FloatRange(min=0, min_open=True),
    help="Valid from now for this many hours, instead of the file's window.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the application as JSON.")
@click.pass_context
def submit(
    ctx: click.Context, file: Path, as_user: str, valid_hours: float | None, as_json: bool
) -> None:
    """Submit the application in FILE (JSON, as POST /api/v1/applications takes it)."""
    hub = hub_context(ctx)
    data = read_json(file)
    if valid_hours is not None and isinstance(data, dict):
        start = hub.clock.now()
        data["valid_from"] = start.isoformat()
        data["valid_until"] = (start + timedelta(hours=valid_hours)).isoformat()
    body = parse(ApplicationIn, data)
    with session_scope(ctx) as session:
        env = service.ClearanceEnv.of(
            hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
        )
        application = service.submit_application(session, operator(session, as_user), body, env)
        shown = application_out(session, application)
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@applications.command("list")
@AS_USER
@click.option("--status", help="Only applications in this status.")
@click.pass_context
def list_applications(ctx: click.Context, as_user: str, status: str | None) -> None:
    """The applications this user may see."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        for application in service.list_applications(session, me, status=status, limit=500):
            click.echo(
                f"{application.id}\t{reference_of(application)}\t"
                f"{application.status}\t{application.client_reference}"
            )


@applications.command("show")
@click.argument("application_id", type=click.IntRange(1, MAX_ID))
@AS_USER
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show_application(ctx: click.Context, application_id: int, as_user: str, as_json: bool) -> None:
    """One application with every authority's decision."""
    with session_scope(ctx) as session:
        application = service.get_application(session, operator(session, as_user), application_id)
        shown = application_out(session, application)
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@applications.command("amend")
@click.argument("application_id", type=click.IntRange(1, MAX_ID))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_USER
@click.pass_context
def amend(ctx: click.Context, application_id: int, file: Path, as_user: str) -> None:
    """Amend with the changes in FILE (JSON with "expected_version" and the parts to change)."""
    body = parse(AmendmentIn, read_json(file))
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        env = service.ClearanceEnv.of(
            hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
        )
        application = service.amend_application(
            session, operator(session, as_user), application_id, body, env
        )
        show(application_out(session, application))


@applications.command("withdraw")
@click.argument("application_id", type=click.IntRange(1, MAX_ID))
@click.option("--reason", default="", help="Why.")
@AS_USER
@click.pass_context
def withdraw(ctx: click.Context, application_id: int, reason: str, as_user: str) -> None:
    """Withdraw an application; its permit stops being valid."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        env = service.ClearanceEnv.of(
            hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
        )
        application = service.withdraw_application(
            session, operator(session, as_user), application_id, reason, env
        )
        show(application_out(session, application))


@applications.command("appeal")
@click.argument("application_id", type=click.IntRange(1, MAX_ID))
@click.option(
    "--review",
    "review_id",
    type=click.IntRange(1, MAX_ID),
    required=True,
    help="The rejecting review.",
)
@click.option("--grounds", required=True, help="Why the rejection should be reconsidered.")
@AS_USER
@click.pass_context
def appeal(
    ctx: click.Context, application_id: int, review_id: int, grounds: str, as_user: str
) -> None:
    """Appeal a rejection: a joint review the municipality sees."""
    body = parse(AppealIn, {"review_id": review_id, "grounds": grounds})
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        env = service.ClearanceEnv.of(
            hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
        )
        me = operator(session, as_user)
        appeals.appeal_rejection(session, me, application_id, body, env)
        show(application_out(session, service.get_application(session, me, application_id)))


@click.group("reviews")
def reviews_group() -> None:
    """Reviews for an authority: list what waits, decide."""


@reviews_group.command("list")
@AS_USER
@click.pass_context
def list_reviews(ctx: click.Context, as_user: str) -> None:
    """Pending reviews of this user's authority, nearest deadline first."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        for review in ClearanceRepository(session).pending_reviews_of(me.party_id):
            application = service.get_application(session, me, review.application_id)
            click.echo(
                f"{review.id}\t{reference_of(application)}\t"
                f"due {review.deadline.isoformat()}\tround {review.round}"
            )


@reviews_group.command("decide")
@click.argument("review_id", type=click.IntRange(1, MAX_ID))
@click.option("--decision", type=click.Choice([d.value for d in Decision]), required=True)
@click.option(
    "--reason", type=click.Choice([r.value for r in ReasonCode]), help="Reason code (rejections)."
)
@click.option("--note", default="", help="Free text; required for some reason codes.")
@click.option(
    "--via",
    multiple=True,
    metavar="CHECKPOINT",
    help="Condition: only via this checkpoint (repeat).",
)
@click.option("--daylight-only", is_flag=True, help="Condition: daylight hours only.")
@click.option("--escort", is_flag=True, help="Condition: escort required.")
@click.option(
    "--condition", "texts", multiple=True, metavar="TEXT", help="Condition in free text (repeat)."
)
@click.option(
    "--expected-version",
    type=int,
    help="The review's lock_version you saw (default: its current one).",
)
@AS_USER
@click.pass_context
def decide(
    ctx: click.Context,
    review_id: int,
    decision: str,
    reason: str | None,
    note: str,
    via: tuple[str, ...],
    daylight_only: bool,
    escort: bool,
    texts: tuple[str, ...],
    expected_version: int | None,
    as_user: str,
) -> None:
    """Approve, approve with conditions, or reject a review."""
    conditions = (
        [ConditionIn(kind=ConditionKind.VIA_CHECKPOINTS, checkpoints=list(via))] if via else []
    )
    if daylight_only:
        conditions.append(ConditionIn(kind=ConditionKind.DAYLIGHT_ONLY))
    if escort:
        conditions.append(ConditionIn(kind=ConditionKind.ESCORT_REQUIRED))
    conditions += [ConditionIn(kind=ConditionKind.FREE_TEXT, text=t) for t in texts]
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        found = ClearanceRepository(session).review(review_id)
        version = expected_version or (found.lock_version if found else 1)
        body = parse(
            DecisionIn,
            {
                "decision": decision,
                "expected_version": version,
                "conditions": [c.model_dump() for c in conditions],
                "reason_code": reason,
                "note": note,
            },
        )
        me = operator(session, as_user)
        review = reviews.decide_review(
            session, me, review_id, body, hub.clock, hub.settings.secret_key
        )
        show(application_out(session, service.get_application(session, me, review.application_id)))


@click.group()
def permits() -> None:
    """Permits: suspend, reinstate, revoke (authorities that approved them)."""


def _permit_command(action: str, help_text: str) -> click.Command:
    @permits.command(action, help=help_text)
    @click.argument("permit_id", type=click.IntRange(1, MAX_ID))
    @click.option("--reason", type=click.Choice([r.value for r in ReasonCode]), required=True)
    @click.option("--note", default="")
    @AS_USER
    @click.pass_context
    def command(ctx: click.Context, permit_id: int, reason: str, note: str, as_user: str) -> None:
        hub = hub_context(ctx)
        body = PermitActionIn(reason_code=ReasonCode(reason), note=note)
        with session_scope(ctx) as session:
            env = service.ClearanceEnv.of(
                hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
            )
            permit = permit_actions.change_permit(
                session, operator(session, as_user), permit_id, PermitAction(action), body, env
            )
            shown = permit_out(session, permit)
        click.echo(f"{shown.number}: {shown.status.value}")

    return command


for _action, _help in (
    ("suspend", "Suspend a permit for a while."),
    ("reinstate", "Lift a suspension."),
    ("revoke", "Revoke a permit for good."),
):
    _permit_command(_action, _help)


@permits.command("token")
@click.argument("permit_id", type=click.IntRange(1, MAX_ID))
@AS_USER
@click.pass_context
def token(ctx: click.Context, permit_id: int, as_user: str) -> None:
    """Print a permit's signed text (TQ1:…), what its QR code holds.

    For those who may see its application; the text is what `tansiq checkpoint scan` and
    `tansiq permit verify` take."""
    with session_scope(ctx) as session:
        found = records.permit_and_application(session, permit_id)
        me = operator(session, as_user)
        if found is None or not service.visible(session, me, found[1]):
            raise PermitNotFound(permit=permit_id)
        record = PermitRepository(session).token_of(permit_id)
        if record is None or record.token is None:  # an outside key's signature outstanding
            raise TokenNotFound(permit=permit_id)
        click.echo(record.token)
