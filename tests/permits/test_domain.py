"""A permit's pure rules, table-driven: what each action does to each status, the names a
permit goes by, conditions as stored, and the terms' printed and token forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tansiq.permits.claims import Vehicle
from tansiq.permits.domain import (
    LIVE,
    PERMIT_ACTIONS,
    Condition,
    ConditionKind,
    PermitAction,
    PermitStateConflict,
    PermitStatus,
    permit_cti,
    permit_number,
    reference_of_cti,
    status_after,
)
from tansiq.permits.terms import (
    MAX_CARGO_SUMMARY,
    CargoLine,
    Holder,
    PermitFacts,
    permit_claims,
)

# Every (status, action) pair and where it leads; None: refused.
EXPECTED: dict[tuple[PermitStatus, PermitAction], PermitStatus | None] = {
    (status, action): None for status in PermitStatus for action in PermitAction
} | {
    (PermitStatus.ACTIVE, PermitAction.SUSPEND): PermitStatus.SUSPENDED,
    (PermitStatus.ACTIVE, PermitAction.REVOKE): PermitStatus.REVOKED,
    (PermitStatus.SUSPENDED, PermitAction.REVOKE): PermitStatus.REVOKED,
    (PermitStatus.SUSPENDED, PermitAction.REINSTATE): PermitStatus.ACTIVE,
}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_every_action_from_every_status(status: PermitStatus, action: PermitAction) -> None:
    target = EXPECTED[(status, action)]
    if target is None:
        with pytest.raises(PermitStateConflict) as refused:
            status_after(status, action)
        assert refused.value.params == {"status": status.value, "action": action.value}
    else:
        assert status_after(status, action) is target


def test_only_live_permits_can_be_acted_on() -> None:
    assert {s for allowed, _ in PERMIT_ACTIONS.values() for s in allowed} == LIVE


@given(st.integers(min_value=1, max_value=10**10 - 1), st.integers(min_value=1, max_value=999))
def test_a_permits_names_and_the_reference_they_give_back(reference: int, version: int) -> None:
    cti = permit_cti(reference)
    assert reference_of_cti(cti) == reference
    assert permit_number(reference, version) == f"{cti}-{version}"


@pytest.mark.parametrize("text", ["", "P-", "P-12a", "Q-000001", "P-000001-1", "P-12345678901"])
def test_text_that_is_no_permit_id_names_no_reference(text: str) -> None:
    assert reference_of_cti(text) is None


@pytest.mark.parametrize(
    ("condition", "stored", "detail"),
    [
        (Condition(ConditionKind.DAYLIGHT_ONLY), {"kind": "daylight_only"}, ""),
        (
            Condition(ConditionKind.VIA_CHECKPOINTS, ("W-GATE", "E-GATE")),
            {"kind": "via_checkpoints", "checkpoints": ["W-GATE", "E-GATE"]},
            "W-GATE, E-GATE",
        ),
        (
            Condition(ConditionKind.FREE_TEXT, text="Escort from the bridge"),
            {"kind": "free_text", "text": "Escort from the bridge"},
            "Escort from the bridge",
        ),
    ],
)
def test_a_condition_as_stored_and_read_back(
    condition: Condition, stored: dict[str, object], detail: str
) -> None:
    assert condition.as_json() == stored
    assert Condition.from_json(dict(stored)) == condition
    assert condition.detail == detail


def facts(*cargo: CargoLine, name_ar: str = "سمير", name_latin: str = "Samir") -> PermitFacts:
    return PermitFacts(
        holder=Holder(name_ar=name_ar, name_latin=name_latin, id_hash=bytes(32), id_salt=bytes(16)),
        vehicle=Vehicle(plate="12 345 AB", kind="truck"),
        cargo=cargo,
        origin="A",
        destination="B",
        route=((35.0, 33.0), (35.01, 33.0)),
        checkpoints=("W-GATE",),
    )


def test_cargo_is_printed_plainly_and_summarised_with_un_numbers() -> None:
    shown = facts(
        CargoLine(quantity=400, unit="bags", description="Wheat flour"),
        CargoLine(quantity=2.5, unit="t", description="Diesel", un_number="UN1202"),
    )
    assert shown.cargo_printed == "400 bags Wheat flour; 2.5 t Diesel"
    assert shown.cargo_summary == "400 bags Wheat flour; 2.5 t Diesel (UN1202)"


def test_a_long_cargo_summary_is_cut_to_the_claims_limit() -> None:
    shown = facts(*[CargoLine(quantity=1, unit="box", description="x" * 40)] * 10)
    assert len(shown.cargo_summary) == MAX_CARGO_SUMMARY
    assert shown.cargo_summary.endswith("…")


@pytest.mark.parametrize(
    ("name_ar", "name_latin", "printed", "in_token"),
    [
        ("سمير", "Samir", "سمير / Samir", ("سمير", "Samir")),
        ("سمير", "", "سمير", ("سمير",)),
        ("", "Samir", "Samir", ("Samir",)),
        ("س" * 41, "S" * 41, "س" * 41 + " / " + "S" * 41, ("س" * 39 + "…", "S" * 39 + "…")),
    ],
)
def test_the_holders_names_printed_and_in_the_token(
    name_ar: str, name_latin: str, printed: str, in_token: tuple[str, ...]
) -> None:
    shown = facts(name_ar=name_ar, name_latin=name_latin)
    assert shown.holder.names == printed
    at = datetime(2026, 1, 1, tzinfo=UTC)
    claims = permit_claims(
        shown,
        issuer="hub",
        reference=7,
        version=2,
        issued_at=at,
        valid_from=at,
        valid_until=at + timedelta(days=1),
        conditions=(Condition(ConditionKind.ESCORT_REQUIRED),),
        signers=2,
    )
    assert claims.driver.names == in_token
    assert (claims.cti, claims.version) == ("P-000007", 2)
    assert [(c.kind, c.detail) for c in claims.conditions] == [("escort_required", "")]
