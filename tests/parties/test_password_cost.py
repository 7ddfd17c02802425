"""The argon2 cost setting: standard by default, "minimal" only under the test suite, and a
password hashed at either cost still signs in (and is rehashed at the cost in force)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tansiq.core.clock import SystemClock
from tansiq.demo.service import DEMO_PASSWORD
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import PASSWORD_HASHERS, sign_in, use_password_hash_cost
from tansiq.settings import Settings


@pytest.fixture
def cost_restored() -> Iterator[None]:
    yield
    use_password_hash_cost(Settings().password_hash_cost)


def test_a_deployment_hashes_at_the_standard_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANSIQ_PASSWORD_HASH_COST")
    assert Settings().password_hash_cost == "standard"


def test_the_minimal_cost_is_refused_outside_the_test_suite(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(password_hash_cost="minimal").password_hash_cost == "minimal"
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    with pytest.raises(ValidationError, match="test suite only"):
        Settings(password_hash_cost="minimal")


@pytest.mark.usefixtures("cost_restored")
def test_signing_in_rehashes_at_the_cost_in_force(session: Session) -> None:
    user = PartyRepository(session).user_by_username("trader")
    assert user is not None
    user.password_hash = PASSWORD_HASHERS["minimal"].hash(DEMO_PASSWORD)

    use_password_hash_cost("standard")
    sign_in(
        session, "trader", DEMO_PASSWORD, clock=SystemClock(), address=None, label="t", ttl=None
    )
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    use_password_hash_cost("minimal")
    sign_in(
        session, "trader", DEMO_PASSWORD, clock=SystemClock(), address=None, label="t", ttl=None
    )
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
