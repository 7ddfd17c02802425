"""The API keeps its published contract: schemathesis sends every operation generated requests,
valid and hostile, as several roles and as nobody, and the hub never answers a 5xx, a status its
OpenAPI does not document, or a body its schema does not describe.

Schemathesis's pytest plugin (``schema.parametrize``) cannot load a schema from a fixture under
pytest 9, and the app needs this test's database; so the test asks schemathesis for each
operation's Hypothesis strategy and runs it itself, over the in-process ASGI app."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tansiq.app import create_app
from tansiq.context import HubContext
from tests.conftest import Tokens

ROLES = ["trader", "west.reviewer", "admin", None]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = 6  # per operation, each sent as every role: the whole test stays under a minute
PARTS = 4


@pytest.mark.parametrize("part", range(PARTS))
def test_every_operation_keeps_the_contract(hub: HubContext, tokens: Tokens, part: int) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(hub))
    headers = {role: tokens(role) if role else {} for role in ROLES}
    results = list(schema.get_all_operations())
    invalid = [result.err() for result in results if isinstance(result, Err)]
    assert not invalid, invalid
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) > 50
    for operation in operations[part::PARTS]:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests every run: a failure here is never a fluke
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def keeps_the_contract(case: schemathesis.Case[Any]) -> None:
            for role in ROLES:
                case.call_and_validate(headers=headers[role], checks=CHECKS)

        keeps_the_contract()
