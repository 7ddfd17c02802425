"""Pure clearance rules, table-driven: transitions, decisions, amendments, identifiers."""

from __future__ import annotations

import pytest

from tansiq.clearances.domain import (
    TRANSITIONS,
    ApplicationStatus,
    ChangedPart,
    ConditionIncomplete,
    ConditionRequired,
    ConditionsNotAllowed,
    Decision,
    IllegalTransition,
    NoteRequired,
    ReasonNotAllowed,
    ReasonRequired,
    ReviewStatus,
    check_decision,
    check_transition,
    is_contradiction,
    plan_reviews,
    status_after_reviews,
)
from tansiq.clearances.identifiers import (
    container_check_digit,
    normalise_container,
    normalise_hs_code,
    normalise_plate,
    normalise_un_number,
    normalise_vin,
    vin_check_digit,
)
from tansiq.permits.domain import Condition, ConditionKind

NOTE_REQUIRED = frozenset({"security_concern", "other"})
VIA = Condition(ConditionKind.VIA_CHECKPOINTS, ("W-GATE",))


@pytest.mark.parametrize(
    ("current", "target"), [(c, t) for c in ApplicationStatus for t in ApplicationStatus]
)
def test_every_transition_is_allowed_or_refused(
    current: ApplicationStatus, target: ApplicationStatus
) -> None:
    if target in TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)


@pytest.mark.parametrize(
    ("decision", "conditions", "reason", "note", "error"),
    [
        (Decision.APPROVE, [], None, "", None),
        (Decision.APPROVE_WITH_CONDITIONS, [VIA], None, "", None),
        (Decision.REJECT, [], "route_closed", "", None),
        (Decision.REJECT, [], "other", "why", None),
        (Decision.REJECT, [], None, "", ReasonRequired),
        (Decision.REJECT, [], "security_concern", " ", NoteRequired),
        (Decision.REJECT, [VIA], "route_closed", "", ConditionsNotAllowed),
        (Decision.APPROVE, [], "route_closed", "", ReasonNotAllowed),
        (Decision.APPROVE, [VIA], None, "", ConditionsNotAllowed),
        (Decision.APPROVE_WITH_CONDITIONS, [], None, "", ConditionRequired),
        (
            Decision.APPROVE_WITH_CONDITIONS,
            [Condition(ConditionKind.VIA_CHECKPOINTS)],
            None,
            "",
            ConditionIncomplete,
        ),
        (
            Decision.APPROVE_WITH_CONDITIONS,
            [Condition(ConditionKind.FREE_TEXT, text=" ")],
            None,
            "",
            ConditionIncomplete,
        ),
        (
            Decision.APPROVE_WITH_CONDITIONS,
            [Condition(ConditionKind.FREE_TEXT, text="x")],
            None,
            "",
            None,
        ),
    ],
)
def test_decision_shapes(
    decision: Decision,
    conditions: list[Condition],
    reason: str | None,
    note: str,
    error: type[Exception] | None,
) -> None:
    if error is None:
        check_decision(decision, conditions, reason, note, NOTE_REQUIRED)
    else:
        with pytest.raises(error):
            check_decision(decision, conditions, reason, note, NOTE_REQUIRED)


@pytest.mark.parametrize(
    ("statuses", "expected", "contradiction"),
    [
        ([ReviewStatus.PENDING, ReviewStatus.APPROVED], ApplicationStatus.IN_REVIEW, False),
        ([ReviewStatus.APPROVED, ReviewStatus.APPROVED], ApplicationStatus.APPROVED, False),
        ([ReviewStatus.APPROVED, ReviewStatus.REJECTED], ApplicationStatus.REJECTED, True),
        ([ReviewStatus.PENDING, ReviewStatus.REJECTED], ApplicationStatus.REJECTED, False),
        ([ReviewStatus.APPROVED, ReviewStatus.DROPPED], ApplicationStatus.APPROVED, False),
        ([ReviewStatus.DROPPED], ApplicationStatus.IN_REVIEW, False),
    ],
)
def test_status_after_reviews(
    statuses: list[ReviewStatus], expected: ApplicationStatus, contradiction: bool
) -> None:
    assert status_after_reviews(statuses) is expected
    assert is_contradiction(statuses) is contradiction


A, B, C = 1, 2, 3
CURRENT = {A: ReviewStatus.APPROVED, B: ReviewStatus.REJECTED, C: ReviewStatus.DROPPED}


@pytest.mark.parametrize(
    ("required", "changed", "via", "on_route", "keep", "reopen", "drop", "open_"),
    [
        ({A}, {ChangedPart.ROUTE}, {}, set(), {A}, set(), {B}, set()),
        ({A, C}, {ChangedPart.ROUTE}, {}, set(), {A}, set(), {B}, {C}),
        ({A, B}, {ChangedPart.ROUTE}, {A: {"W-GATE"}}, set(), {B}, {A}, set(), set()),
        ({A, B}, {ChangedPart.ROUTE}, {A: {"W-GATE"}}, {"W-GATE"}, {A, B}, set(), set(), set()),
        ({A, B}, {ChangedPart.CARGO}, {}, set(), set(), {A, B}, set(), set()),
        ({A, B}, {ChangedPart.WINDOW, ChangedPart.ROUTE}, {}, set(), set(), {A, B}, set(), set()),
        ({A, B}, {ChangedPart.DETAILS}, {A: {"X"}}, set(), {A, B}, set(), set(), set()),
    ],
)
def test_what_an_amendment_reopens(
    required: set[int],
    changed: set[ChangedPart],
    via: dict[int, set[str]],
    on_route: set[str],
    keep: set[int],
    reopen: set[int],
    drop: set[int],
    open_: set[int],
) -> None:
    plan = plan_reviews(
        CURRENT,
        frozenset(required),
        frozenset(changed),
        {k: frozenset(v) for k, v in via.items()},
        frozenset(on_route),
    )
    assert (set(plan.keep), set(plan.reopen), set(plan.drop), set(plan.open)) == (
        keep,
        reopen,
        drop,
        open_,
    )


def test_condition_as_json() -> None:
    assert VIA.as_json() == {"kind": "via_checkpoints", "checkpoints": ["W-GATE"]}
    assert Condition(ConditionKind.FREE_TEXT, text="x").as_json() == {
        "kind": "free_text",
        "text": "x",
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [("12 345-ab", "12345AB"), ("١٢٣ أ ب", "١٢٣أب"), ("!", None), ("A" * 16, None), ("A!B", None)],
)
def test_plates(given: str, expected: str | None) -> None:
    assert normalise_plate(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # North American, check digit X
        ("1m8gdm9a xkp042788", "1M8GDM9AXKP042788"),
        ("1M8GDM9A1KP042788", None),  # wrong check digit
        ("WVWZZZ1JZXW000001", "WVWZZZ1JZXW000001"),  # European: position 9 is free
        ("WVWZZZ1JZXW00000I", None),  # I is not allowed
        ("SHORT", None),
    ],
)
def test_vins(given: str, expected: str | None) -> None:
    assert normalise_vin(given) == expected


def test_vin_check_digit_ten_is_x() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("CSQU3054383", "CSQU3054383"),
        ("csqu 305438-3", "CSQU3054383"),
        ("CSQU3054384", None),
        ("CSQX3054383", None),
        ("MSKU1234565", "MSKU1234565"),
    ],
)
def test_containers(given: str, expected: str | None) -> None:
    assert normalise_container(given) == expected


def test_container_check_digit_skips_multiples_of_eleven() -> None:
    assert container_check_digit("CSQU305438") == 3


@pytest.mark.parametrize(
    ("hs", "expected"), [("1001.99", "100199"), ("100199", "100199"), ("27", None)]
)
def test_hs_codes(hs: str, expected: str | None) -> None:
    assert normalise_hs_code(hs) == expected


@pytest.mark.parametrize(
    ("un", "expected"),
    [
        ("UN1203", "UN1203"),
        ("1203", "UN1203"),
        ("un 1203", "UN1203"),
        ("UN0000", None),
        ("UN9999", None),
        ("12034", None),
    ],
)
def test_un_numbers(un: str, expected: str | None) -> None:
    assert normalise_un_number(un) == expected
