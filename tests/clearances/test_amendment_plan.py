"""AmendmentPlan: a few table rows for suspension, and a property against a simple model
that decides each authority on its own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tansiq.clearances.domain import AmendmentPlan, ChangedPart, ReviewStatus, plan_reviews

AUTHORITIES = st.integers(min_value=1, max_value=6)
CODES = st.sampled_from(["A", "B", "C", "D"])


def _model(
    authority: int,
    status: ReviewStatus | None,
    required: bool,
    changed: frozenset[ChangedPart],
    via: frozenset[str],
    on_route: frozenset[str],
    suspending: bool,
) -> str | None:
    """Where one authority lands, decided from its own facts alone."""
    live = status is not None and status is not ReviewStatus.DROPPED
    if not required:
        return "drop" if live else None
    if not live:
        return "open"
    if changed - {ChangedPart.ROUTE, ChangedPart.DETAILS}:
        return "reopen"
    if suspending:
        return "reopen"
    if ChangedPart.ROUTE in changed and not via <= on_route:
        return "reopen"
    return "keep"


def _where(plan: AmendmentPlan, authority: int) -> str | None:
    places = [
        name
        for name, group in (
            ("keep", plan.keep),
            ("reopen", plan.reopen),
            ("drop", plan.drop),
            ("open", plan.open),
        )
        if authority in group
    ]
    assert len(places) <= 1, places
    return places[0] if places else None


def test_a_suspending_authority_decides_again_after_a_details_change() -> None:
    plan = plan_reviews(
        {1: ReviewStatus.APPROVED, 2: ReviewStatus.APPROVED},
        frozenset({1, 2}),
        frozenset({ChangedPart.DETAILS}),
        {},
        frozenset(),
        suspending=frozenset({2}),
    )
    assert plan == AmendmentPlan(keep=frozenset({1}), reopen=frozenset({2}))


def test_a_suspension_by_an_authority_no_longer_required_drops_it() -> None:
    plan = plan_reviews(
        {1: ReviewStatus.APPROVED, 2: ReviewStatus.APPROVED},
        frozenset({1}),
        frozenset({ChangedPart.ROUTE}),
        {},
        frozenset(),
        suspending=frozenset({2}),
    )
    assert plan == AmendmentPlan(keep=frozenset({1}), drop=frozenset({2}))


@given(
    current=st.dictionaries(AUTHORITIES, st.sampled_from(list(ReviewStatus)), max_size=6),
    required=st.frozensets(AUTHORITIES, max_size=6),
    changed=st.frozensets(st.sampled_from(list(ChangedPart))),
    via=st.dictionaries(AUTHORITIES, st.frozensets(CODES, max_size=3)),
    on_route=st.frozensets(CODES),
    suspending=st.frozensets(AUTHORITIES, max_size=3),
)
def test_plan_agrees_with_the_per_authority_model(
    current: dict[int, ReviewStatus],
    required: frozenset[int],
    changed: frozenset[ChangedPart],
    via: dict[int, frozenset[str]],
    on_route: frozenset[str],
    suspending: frozenset[int],
) -> None:
    plan = plan_reviews(current, required, changed, via, on_route, suspending=suspending)
    for authority in set(current) | required | suspending:
        expected = _model(
            authority,
            current.get(authority),
            authority in required,
            changed,
            via.get(authority, frozenset()),
            on_route,
            authority in suspending,
        )
        assert _where(plan, authority) == expected, authority
