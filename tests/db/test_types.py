"""Status columns: the same strings in the database, the StrEnum in Python."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tansiq.clearances.domain import ApplicationStatus, ReviewStatus
from tansiq.db.types import StrEnumType


def test_a_status_is_stored_as_its_string(session: Session) -> None:
    column = StrEnumType(ReviewStatus, 20)
    dialect = session.get_bind().dialect
    assert column.process_bind_param(ReviewStatus.APPROVED, dialect) == "approved"
    assert column.process_bind_param("approved", dialect) == "approved"
    assert column.process_bind_param(None, dialect) is None
    with pytest.raises(ValueError, match="'bogus' is not a valid ReviewStatus"):
        column.process_bind_param("bogus", dialect)


def test_a_stored_status_is_read_back_as_its_enum_and_an_unknown_one_is_an_error(
    session: Session,
) -> None:
    """A row with a status this code does not know (written by hand, or by a newer hub)
    fails when read, rather than passing for a state."""
    column = StrEnumType(ApplicationStatus, 20)
    dialect = session.get_bind().dialect
    assert column.process_result_value("in_review", dialect) is ApplicationStatus.IN_REVIEW
    assert column.process_result_value(None, dialect) is None
    with pytest.raises(ValueError, match="'bogus' is not a valid ApplicationStatus"):
        column.process_result_value("bogus", dialect)
