"""Checking the driver at the checkpoint: the ID number the officer is shown against the salted
hash the permit carries, offline (the number itself never travels, see
:mod:`tansiq.permits.id_hash`), and the driver's name in every script the token carries.

The browser app does the same in ``web/assets/checkpoint/driver.js`` (normalising the typed
number the same way; tests/e2e/test_driver_check.py holds the two to one answer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tansiq.core.i18n import N_, Locale, translate
from tansiq.permits.claims import PermitClaims

DRIVER_MATCHES: Final = N_("ID number matches the permit's driver.")
DRIVER_DIFFERS: Final = N_(
    "ID number does NOT match the permit's driver: this is not the driver it was issued for, "
    "or the number was mistyped."
)


@dataclass(frozen=True)
class DriverCheck:
    """The outcome of one check of a typed ID number."""

    matches: bool
    names: tuple[str, ...]
    """The driver's name as the permit spells it, Arabic first."""

    @property
    def mark(self) -> str:
        return "✓" if self.matches else "✗"

    def message(self, locale: Locale) -> str:
        return translate(DRIVER_MATCHES if self.matches else DRIVER_DIFFERS, locale)


def check_driver(claims: PermitClaims, id_number: str) -> DriverCheck:
    """Whether ``id_number`` (as typed: any digits, spaces, dashes) is the permit's driver's.
    An empty number never matches."""
    matches = bool(id_number.strip()) and claims.driver.matches_id(id_number)
    return DriverCheck(matches=matches, names=claims.driver.names)
